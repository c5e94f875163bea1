"""Bank packages (entry point group quizkit.banks), --bank NAME, `new` and `doctor`, through the CLI."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit import catalog, packages
from quizkit.bank import shipped_dir
from quizkit.cli import app

cli = CliRunner()
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "quizkit-bank-example"
free = pytest.mark.torch_free


@pytest.fixture(scope="session")
def example_target(tmp_path_factory):
    """The example package installed with pip into a folder of its own (the test's sys.path gets it): a
    real install, wheel build included, without touching any environment."""
    pytest.importorskip("setuptools")
    root = tmp_path_factory.mktemp("example")
    src = root / "src"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("build", "*.egg-info"))  # builds leave these
    target = root / "target"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    if done.returncode:
        pytest.skip(f"pip cannot build the example here: {done.stderr[-300:]}")
    return target


@pytest.fixture
def example(example_target, monkeypatch):
    monkeypatch.syspath_prepend(str(example_target))
    return example_target


def fake_package(root: Path, dist: str, target: str, banks: dict, entry: str = "banks") -> Path:
    """An installed distribution, as pip leaves one: NAME-1.0.dist-info with METADATA and entry_points.txt,
    and the package folder `target` holding `banks` ({file name: text})."""
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n\n")
    (info / "entry_points.txt").write_text(f"[console_scripts]\nx = y:z\n\n[quizkit.banks]\n{entry} = {target}\n")
    if banks is not None:
        folder = root / target.replace(".", "/")
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("raise RuntimeError('quizkit must not import a bank package')\n")
        for name, text in banks.items():
            (folder / name).write_text(text)
    return root


CARD = "bank: {bank}\nquestions:\n  - id: c\n    type: flashcard\n    prompt: p\n    answer: a\n"


@free
def test_the_example_package_is_found_listed_with_its_name_and_never_imported(example):
    found = [p for p in packages.discover() if p.name == "quizkit-bank-example"]
    assert len(found) == 1 and found[0].version == "0.1.0" and found[0].error is None
    assert found[0].folder == example / "quizkit_bank_example"
    assert "quizkit_bank_example" not in sys.modules
    r = cli.invoke(app, ["list"])
    assert r.exit_code == 0, r.output
    row = next(line for line in r.output.splitlines() if "example-tensors" in line)
    assert "quizkit-bank-example" in row
    assert "│ autograd" in r.output and "shipped" in r.output
    data = json.loads(cli.invoke(app, ["list", "--json"]).stdout)
    banks = {b["id"]: b["from"] for b in data["banks"]}
    assert banks["example-tensors"] == "quizkit-bank-example" and banks["autograd"] == "shipped"
    assert "example-tensors/row-means" in {q["id"] for q in data["questions"]}


@free
def test_a_package_bank_is_cached_like_the_shipped_ones(example, tmp_path):
    catalog.load()
    cached = len(list((tmp_path / "cache" / "banks").glob("*.marshal")))
    assert cached == len(list(catalog.shipped_dir().glob("*.yaml"))) + 1


def test_verify_without_paths_verifies_installed_packages_like_the_shipped_banks(example, tmp_path, monkeypatch):
    shipped = tmp_path / "shipped"  # a small stand-in for the shipped banks: verifying all 522 takes a minute
    shipped.mkdir()
    (shipped / "tiny.yaml").write_text(CARD.format(bank="tiny"))
    monkeypatch.setattr(catalog, "shipped_dir", lambda: shipped)
    r = cli.invoke(app, ["verify", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    ids = {x["id"]: x["status"] for x in data["results"]}
    assert ids["tiny/c"] == "pass"
    assert {ids[f"example-tensors/{q}"] for q in ("arange-length", "default-float-dtype", "view-shares-memory",
                                                   "row-means")} == {"pass"}
    r = cli.invoke(app, ["verify", "example-tensors"])  # by name
    assert r.exit_code == 0 and "4 passed, 0 failed" in r.output, r.output


@free
def test_a_broken_package_is_one_warning_naming_it_and_the_rest_loads(tmp_path, monkeypatch):
    root = tmp_path / "site"
    fake_package(root, "missing-banks", "not_there", None)
    fake_package(root, "bad-yaml-banks", "bad_yaml_banks", {"bad.yaml": "questions: [\n"})
    fake_package(root, "empty-banks", "empty_banks", {})
    fake_package(root, "object-banks", "object_banks:thing", None)
    monkeypatch.syspath_prepend(str(root))
    r = cli.invoke(app, ["list"])
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 4, r.stderr
    assert any("package missing-banks: package 'not_there' is not installed" in w for w in warnings)
    assert any("bad.yaml:" in w and "bad YAML" in w and "(package bad-yaml-banks)" in w for w in warnings)
    assert any("no bank in this folder" in w and w.endswith("(package empty-banks)") for w in warnings)
    assert any("package object-banks:" in w and "must name a package" in w for w in warnings)
    assert "│ autograd" in r.stdout


@free
def test_a_package_bank_named_like_a_shipped_one_is_refused_naming_both(tmp_path, monkeypatch):
    root = tmp_path / "site"
    fake_package(root, "clash-banks", "clash_banks", {"mine.yaml": CARD.format(bank="autograd"),
                                                      "other.yaml": CARD.format(bank="clash-other")})
    fake_package(root, "zz-clash", "zz_clash", {"again.yaml": CARD.format(bank="clash-other")})
    monkeypatch.syspath_prepend(str(root))
    banks, _, errors = catalog.load()
    by_id = {b.id: b for b in banks}
    assert by_id["autograd"].origin == "shipped" and len(by_id["autograd"].questions) > 1
    assert by_id["clash-other"].origin == "clash-banks"  # packages in name order: the first keeps the name
    messages = sorted(str(e) for e in errors)
    assert len(messages) == 2, messages
    assert "mine.yaml: bank id 'autograd' is already used by shipped bank" in messages[0]
    assert "autograd.yaml (package clash-banks)" in messages[0]
    assert "again.yaml: bank id 'clash-other' is already used by" in messages[1]
    assert "other.yaml (package clash-banks) (package zz-clash)" in messages[1]
    r = cli.invoke(app, ["verify", "--json", str(root / "zz_clash")])  # alone it is fine
    assert json.loads(r.stdout)["errors"] == []


@free
def test_a_distribution_found_twice_on_the_path_counts_once(tmp_path):
    first = fake_package(tmp_path / "a", "twice-banks", "twice_banks", {"t.yaml": CARD.format(bank="t1")})
    second = fake_package(tmp_path / "b", "twice-banks", "twice_banks", {"t.yaml": CARD.format(bank="t2")})
    found = packages.discover([str(first), str(second)])
    assert [(p.name, p.folder) for p in found] == [("twice-banks", first / "twice_banks")]


@free
def test_bank_takes_a_shipped_name_or_a_package_name_and_a_bad_name_is_one_line(example, tmp_path, monkeypatch):
    r = cli.invoke(app, ["list", "--json", "--bank", "autograd"])
    assert r.exit_code == 0, r.output
    assert {q["id"].split("/")[0] for q in json.loads(r.stdout)["questions"]} == {"autograd"}
    r = cli.invoke(app, ["list", "--json", "--bank", "example-tensors", "--bank", "tensors"])
    assert [b["from"] for b in json.loads(r.stdout)["banks"]] == ["quizkit-bank-example", "shipped"]
    r = cli.invoke(app, ["list", "--bank", "autogradd"])
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines() == [
        "error: autogradd: no such file, folder or bank (did you mean autograd?)"
    ]
    r = cli.invoke(app, ["drill", "--bank", "qqqqqq"])
    assert r.exit_code == 1 and "quizkit list shows the banks" in r.stderr and "Traceback" not in r.output
    # a path still wins: a folder named like a bank is the folder
    monkeypatch.chdir(tmp_path)
    (tmp_path / "autograd").mkdir()
    (tmp_path / "autograd" / "x.yaml").write_text(CARD.format(bank="mine"))
    r = cli.invoke(app, ["list", "--json", "--bank", "autograd"])
    assert [q["id"] for q in json.loads(r.stdout)["questions"]] == ["mine/c"]


@free
def test_bank_finds_a_bank_by_its_id_when_the_file_is_named_otherwise(tmp_path, monkeypatch):
    root = tmp_path / "site"
    fake_package(root, "id-banks", "id_banks", {"file-name.yaml": CARD.format(bank="real-id")})
    monkeypatch.syspath_prepend(str(root))
    for name in ("real-id", "file-name"):
        r = cli.invoke(app, ["list", "--json", "--bank", name])
        assert [q["id"] for q in json.loads(r.stdout)["questions"]] == ["real-id/c"], name


@free
def test_new_refuses_to_overwrite_and_refuses_a_bad_name(tmp_path):
    r = cli.invoke(app, ["new", "mine", "--dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert f"wrote {tmp_path / 'mine.yaml'}" in r.output and f"quizkit verify {tmp_path / 'mine.yaml'}" in r.output
    before = (tmp_path / "mine.yaml").read_text()
    (tmp_path / "mine.yaml").write_text("my work\n")
    r = cli.invoke(app, ["new", "mine.yaml", "--dir", str(tmp_path)])
    assert r.exit_code == 1 and "already exists" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (tmp_path / "mine.yaml").read_text() == "my work\n"
    for bad in ("../up", "_x", "a b", ""):
        r = cli.invoke(app, ["new", bad, "--dir", str(tmp_path)])
        assert r.exit_code == 1 and "is not a bank name" in r.stderr, bad
    r = cli.invoke(app, ["new", "x", "--dir", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "no such folder" in r.stderr
    assert "mine" in before and "type: code" in before


def test_new_then_verify_passes_with_one_question_of_each_type(tmp_path):
    assert cli.invoke(app, ["new", "fresh", "--dir", str(tmp_path)]).exit_code == 0
    r = cli.invoke(app, ["verify", "--json", str(tmp_path / "fresh.yaml")])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {x["type"] for x in data["results"]} == {"flashcard", "short", "mcq", "output", "code"}
    assert data["failed"] == 0 and data["skipped"] == 0 and data["errors"] == []


def test_doctor_json_has_the_facts_and_a_sound_store(example, tmp_path):
    from quizkit.settings import data_dir
    from quizkit.store import Store

    Store(data_dir() / "quizkit.db").close()
    r = cli.invoke(app, ["doctor", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    for key in ("quizkit", "python", "torch", "data_dir", "store", "cache", "isolation", "schema", "shipped",
                "packages", "problems", "ok"):
        assert key in d, key
    assert d["ok"] is True and d["problems"] == []
    assert d["store"]["ok"] is True and d["store"]["integrity"] == "ok" and d["store"]["bytes"] > 0
    assert d["torch"]["version"] and d["torch"]["build"] in ("CPU", f"CUDA {d['torch']['cuda_version']}")
    assert isinstance(d["torch"]["cuda_available"], bool) and d["torch"]["device_count"] >= 0
    assert d["shipped"]["banks"] == len(list(shipped_dir().glob("*.yaml"))) and d["schema"]["exists"]
    # doctor loaded them: every shipped bank and the package's is in the cache it reports (it once counted
    # files of the old JSON format and said 0)
    assert d["cache"]["enabled"] and d["cache"]["banks"] == d["shipped"]["banks"] + 1 and d["cache"]["verified"] == 0
    pkg = next(p for p in d["packages"] if p["name"] == "quizkit-bank-example")
    assert pkg["version"] == "0.1.0" and pkg["banks"] == 1 and pkg["questions"] == 4 and pkg["errors"] == []
    r = cli.invoke(app, ["doctor"])
    assert r.exit_code == 0 and "all fine" in r.output and "quizkit-bank-example" in r.output
    assert f"({d['shipped']['banks'] + 1} banks cached;" in r.output and "remembered" in r.output


def test_doctor_exits_1_naming_a_corrupted_store_and_a_broken_package(tmp_path, monkeypatch):
    from quizkit.settings import data_dir

    db = data_dir() / "quizkit.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 500)
    fake_package(tmp_path / "site", "missing-banks", "not_there", None)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    r = cli.invoke(app, ["doctor"])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert any(str(db) in e and "not a readable quizkit database" in e for e in errors), r.stderr
    assert any("package missing-banks" in e for e in errors), r.stderr
    d = json.loads(cli.invoke(app, ["doctor", "--json"]).stdout)
    assert d["ok"] is False and d["store"]["ok"] is False
    # In a Chinese interface the table is Chinese, but --json (for machines) names problems in English.
    monkeypatch.setenv("QUIZKIT_LANG", "zh")
    monkeypatch.setattr("quizkit.i18n._translation", None)
    zh = cli.invoke(app, ["doctor"]).stderr
    assert "没有安装" in zh and "不是可读的 quizkit 数据库" in zh  # the store's own message too
    d = json.loads(cli.invoke(app, ["doctor", "--json"]).stdout)
    assert any("package 'not_there' is not installed" in p for p in d["problems"]), d["problems"]
    assert any("not a readable quizkit database" in p for p in d["problems"]), d["problems"]


def test_doctor_exits_1_when_the_data_folder_cannot_be_written(tmp_path, monkeypatch):
    """Before the first answer there is no store to check: doctor said 'not made yet' and 'all fine' for a
    data folder no answer could ever be saved in (here QUIZKIT_HOME lies under a file)."""
    (tmp_path / "afile").write_text("x")
    home = tmp_path / "afile" / "home"
    monkeypatch.setenv("QUIZKIT_HOME", str(home))
    r = cli.invoke(app, ["doctor"])
    assert r.exit_code == 1 and "all fine" not in r.output and "Traceback" not in r.output
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert any(str(home) in e and "QUIZKIT_HOME" in e for e in errors), r.stderr
    d = json.loads(cli.invoke(app, ["doctor", "--json"]).stdout)
    assert d["ok"] is False and d["store"]["ok"] is False and not d["store"]["exists"]


@free
def test_store_integrity_names_damaged_pages(tmp_path):
    from datetime import datetime, timezone

    from quizkit.store import Attempt, Store

    path = tmp_path / "q.db"
    with Store(path) as s:
        assert s.integrity() == ["ok"]
        for i in range(2000):
            s.record_attempt(Attempt(f"b/q{i}", datetime.now(timezone.utc), "x" * 50, True, 1.0, "cpu", "s"))
    with open(path, "r+b") as f:
        for page in range(30, 80, 7):  # data pages: the schema (more tables since migration 6) is left whole
            f.seek(4096 * page + 8)
            f.write(b"\x00\xff" * 300)
    with Store(path) as s:
        lines = s.integrity()
    assert lines != ["ok"] and all("\n" not in x for x in lines)
