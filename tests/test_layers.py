"""The design's rules, kept true by parsing imports: data flows one way.

cli (and every front end) -> app -> engine -> policies -> (bank, types, runner, checks, scheduler, store/) ;
cli -> ui/ (a module per screen, renders values). ui and store are packages: "ui" and "store" below are
every module in them.
"""
import ast
from pathlib import Path

import pytest

import quizkit

pytestmark = pytest.mark.torch_free  # runs without the torch worker: pytest -m torch_free

PKG = Path(quizkit.__file__).parent
LIBRARY = ("bank", "fields", "types", "checks", "rulecheck", "local", "scheduler", "store", "runner", "text", "asserts", "catalog",
           "verify", "settings", "stats", "schema", "anki", "packages", "scaffold", "doctor", "yamlload", "cache",
           "i18n", "verifycache", "confine", "outfile", "offmain", "version", "warm", "daemon",
           "namespaces", "seccomp", "runenv")


def imports_of(source: str, package: str = "quizkit") -> set:
    """Absolute module names a source imports: `from . import ui` is quizkit.ui, `from .x import y` is
    quizkit.x (and quizkit.x.y, which may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names.add(mod)
            names |= {f"{mod}.{a.name}" for a in node.names}
    return names


def modules():
    out = {}
    for p in PKG.rglob("*.py"):
        rel = p.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        package = "quizkit" + ("." + ".".join(parts[:-1]) if len(parts) > 1 else "")
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if parts[-1] == "__init__":
            package = "quizkit" + ("." + ".".join(parts[:-1]) if parts[:-1] else "")
        out[name] = imports_of(p.read_text(), package)
    return out


MODS = modules()


def quizkit_imports(m) -> set:
    return {n.split(".")[1] for n in MODS[m] if n.startswith("quizkit.") and n.count(".") >= 1}


def test_the_import_reader_sees_relative_imports():
    """The old test read `from . import ui` as '.', so a rule about ui could never fail."""
    assert {"quizkit.ui", "quizkit.cli"} <= imports_of("from . import ui, cli")
    assert "quizkit.engine" in imports_of("from .engine import Session")
    assert "quizkit.fields" in imports_of("from .. import fields", "quizkit.types")


# Processes of their own, started by quizkit (python -m): the only modules that import torch.
WORKER_LIKE = {"worker", "fitter", "simulate"}  # simulate: the fitter's, imported by it alone


def test_only_the_worker_imports_torch():
    for m, names in MODS.items():
        uses = {n for n in names if n == "torch" or n.startswith("torch.")}
        assert not uses or m in WORKER_LIKE, f"{m} imports torch"


def test_no_module_imports_a_worker_like_one_but_its_own():
    """They are run as processes; imported, they would bring torch into quizkit's own process."""
    for m in MODS:
        got = quizkit_imports(m) & {"fitter", "simulate"}
        assert not got or (m, got) == ("fitter", {"simulate"}), (m, got)


def test_only_store_imports_sqlite():
    for m, names in MODS.items():
        assert "sqlite3" not in names or m.split(".")[0] == "store", f"{m} imports sqlite3"


def test_only_ui_prints():
    for m in MODS:
        if m.split(".")[0] == "ui" or m == "worker":  # the worker's prints are the snippet's, captured by fd
            continue
        path = PKG / (m.replace(".", "/") + ".py")
        if not path.exists():
            path = PKG / m.replace(".", "/") / "__init__.py"
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
        assert not calls, f"{m} calls print()"
        assert "rich" not in {n.split(".")[0] for n in MODS[m]} or m.split(".")[0] == "ui", f"{m} imports rich"


def test_model_and_errors_import_no_quizkit_module():
    for m in ("model", "errors"):
        assert not quizkit_imports(m), m


def test_ui_imports_only_the_values_it_renders():
    screens = [m for m in MODS if m.split(".")[0] == "ui"]
    assert screens
    for m in screens:  # "ui": one screen module using another's helper
        assert quizkit_imports(m) <= {"model", "i18n", "ui"}, (m, quizkit_imports(m))


def test_ui_renders_only_it_reads_no_input_and_writes_no_files():
    """Issue 18, item 5: a line is read by the CLI's input loop, an export written by outfile; a screen
    renders the values it is given."""
    reads = {"input", "open", "write_text", "write_bytes", "isatty", "readline", "getpass"}
    for m in [m for m in MODS if m.split(".")[0] == "ui"]:
        path = PKG / (m.replace(".", "/") + ".py")
        if not path.exists():
            path = PKG / m.replace(".", "/") / "__init__.py"
        tree = ast.parse(path.read_text())
        called = {getattr(n.func, "id", None) or getattr(n.func, "attr", None) for n in ast.walk(tree)
                  if isinstance(n, ast.Call)}  # fmt: skip
        assert not called & reads, (m, called & reads)
        assert "stdin" not in {getattr(n, "attr", None) for n in ast.walk(tree)}, m
        assert not {"csv", "sys", "shutil", "tempfile"} & MODS[m], (m, MODS[m])


def test_library_modules_do_not_reach_up():
    """The library never imports the CLI, ui, or the engine that drives it."""
    for m in MODS:
        if m.split(".")[0] in LIBRARY:
            bad = quizkit_imports(m) & {"cli", "ui", "engine", "policies", "mock"}
            assert not bad, f"{m} imports {bad}"


def test_the_app_layer_does_not_reach_up_to_a_front_end():
    """Every front end (the CLI, the MCP server, the room) calls the app layer; it never calls them."""
    app = [m for m in MODS if m.split(".")[0] == "app"]
    assert app, "no app layer found"
    for m in app:
        bad = quizkit_imports(m) & {"cli", "ui", "mcp", "mcp_server", "room"}
        assert not bad, f"{m} imports {bad}"


def test_the_mcp_server_calls_only_the_app_layer():
    """`quizkit mcp` is a front end: it asks the app layer (and says things through i18n), never the engine,
    the store or the runner, and it never renders through ui (stdout is its protocol)."""
    server = [m for m in MODS if m.split(".")[0] == "mcp_server"]
    assert server, "no MCP server found"
    for m in server:
        assert quizkit_imports(m) <= {"app", "model", "i18n", "errors", "version", "mcp_server"}, (m, quizkit_imports(m))


def test_the_library_and_engine_do_not_import_the_app_layer():
    for m in MODS:
        if m.split(".")[0] in (*LIBRARY, "engine", "policies", "mock"):
            assert "app" not in quizkit_imports(m), m


def test_engine_does_not_import_the_cli_or_ui():
    for m in ("engine", "policies", "mock"):
        assert not quizkit_imports(m) & {"cli", "ui"}, m


def test_store_imports_no_cli_code():
    parts = [m for m in MODS if m.split(".")[0] == "store"]
    assert len(parts) > 5, parts  # the package: a module per concern
    for m in parts:
        assert not {n for n in MODS[m] if n.split(".")[0] in ("typer", "click", "rich")}, m
        assert quizkit_imports(m) <= {"store", "errors", "i18n", "settings"}, (m, quizkit_imports(m))


def test_engine_and_policies_do_not_print_or_read_input():
    for m in ("engine", "policies", "mock"):
        src = (PKG / f"{m}.py").read_text()
        assert "input(" not in src and "sys.stdin" not in src, m


def test_question_types_are_branched_on_only_inside_quizkit_types():
    """One definition per type: no module outside quizkit/types/ compares a question's type to a name,
    except the CLI's and ui's few display choices."""
    allowed = {"cli", "ui"}
    for m in MODS:
        if m.startswith("types") or m.split(".")[0] in allowed:
            continue
        path = PKG / (m.replace(".", "/") + ".py")
        if not path.exists():
            continue
        src = path.read_text()
        for name in ("flashcard", "short", "mcq", "output", "code"):
            assert f'.type == "{name}"' not in src and f".type != \"{name}\"" not in src, (m, name)


def test_every_package_folder_is_in_the_distribution():
    """`pip install .` installs only the packages pyproject names: the cli package was once left out, and
    only the tests run from the checkout passed."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((PKG.parent / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {"quizkit" + "".join("." + p for p in init.parent.relative_to(PKG).parts) for init in PKG.rglob("__init__.py")}
    assert found <= listed, found - listed
    data = config["package-data"]["quizkit"]
    assert "locale/*/LC_MESSAGES/*.mo" in data and "*.json" in data  # the translations and the schema


def test_the_room_is_a_front_end_over_the_app_layer():
    """quizkit/room (the Textual room) is its own ui: it renders with Textual and asks the app layer for
    everything else; it never reaches the engine, the store, the runner or the CLI's ui directly."""
    screens = [m for m in MODS if m.split(".")[0] == "room"]
    assert len(screens) >= 4, screens  # the app and a module per screen
    for m in screens:
        assert quizkit_imports(m) <= {"app", "model", "i18n", "errors", "room"}, (m, quizkit_imports(m))


def test_only_the_room_imports_textual():
    for m, names in MODS.items():
        if any(n == "textual" or n.startswith("textual.") for n in names):
            assert m.split(".")[0] == "room", f"{m} imports textual"


def test_nothing_imports_the_package_root_for_its_version():
    """`from . import __version__` ran the package root (and what it imports) from below it: the version has
    a module of its own that everything can read without a cycle."""
    rooted = sorted(m for m, names in MODS.items() if m != "__init__" and "quizkit.__version__" in names)
    assert rooted == [], rooted
    from quizkit.version import __version__

    assert quizkit.__version__ == __version__
