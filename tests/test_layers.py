"""The design's rules, kept true by parsing imports: data flows one way."""
import ast
from pathlib import Path

import quizkit

PKG = Path(quizkit.__file__).parent


def imports(module):
    tree = ast.parse((PKG / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    return names


def modules():
    return [p.stem for p in PKG.glob("*.py")]


def test_only_the_worker_imports_torch():
    for m in modules():
        uses = {n for n in imports(m) if n == "torch" or n.startswith("torch.")}
        assert not uses or m == "worker", f"{m} imports torch"


def test_only_store_imports_sqlite():
    for m in modules():
        assert "sqlite3" not in imports(m) or m == "store", f"{m} imports sqlite3"


def test_only_ui_prints():
    for m in modules():
        if m in ("ui", "worker"):  # the worker's prints are the snippet's, captured by fd
            continue
        tree = ast.parse((PKG / f"{m}.py").read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
        assert not calls, f"{m} calls print()"
        assert "rich" not in {n.split(".")[0] for n in imports(m)} or m == "ui", f"{m} imports rich"


def test_model_and_errors_import_no_quizkit_module():
    for m in ("model", "errors"):
        assert not [n for n in imports(m) if n.startswith(".")], m


def test_pure_modules_do_not_reach_up():
    """bank, checks, scheduler, store, runner never import session, cli or ui."""
    for m in ("bank", "checks", "scheduler", "store", "runner"):
        if (PKG / f"{m}.py").exists():
            bad = {n for n in imports(m) if n.lstrip(".") in ("session", "cli", "ui")}
            assert not bad, f"{m} imports {bad}"


def test_session_does_not_print_or_read_input():
    src = (PKG / "session.py").read_text()
    assert "input(" not in src and "sys.stdin" not in src
