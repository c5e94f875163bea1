"""Authoring a bank as an outside author would: editable installs of bank packages, `verify PACKAGE`, the
file being edited preferred over an installed copy, `tolerance` for code questions, explicit topics."""
import importlib.util
import sys
from pathlib import Path

import pytest
from test_packages import CARD, fake_package
from typer.testing import CliRunner

from quizkit import packages
from quizkit.cli import app

cli = CliRunner()


class _EditableFinder:
    """What `pip install -e` (PEP 660, setuptools) puts on sys.meta_path: a map from the package's name to
    its source folder, which is on no sys.path entry."""

    def __init__(self, mapping):
        self.mapping = mapping

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.mapping:
            folder = self.mapping[fullname]
            return importlib.util.spec_from_file_location(fullname, Path(folder) / "__init__.py",
                                                          submodule_search_locations=[folder])
        return None


@pytest.fixture
def editable(tmp_path, monkeypatch):
    """An editable install: the dist-info in site-packages (here: a folder on sys.path), the package in a
    source checkout elsewhere, found only through the finder."""
    site = fake_package(tmp_path / "site", "edit-banks", "edit_banks", None)
    src = tmp_path / "checkout" / "edit_banks"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("raise RuntimeError('quizkit must not import a bank package')\n")
    (src / "edit-bank.yaml").write_text(CARD.format(bank="edit-bank"))
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, _EditableFinder({"edit_banks": str(src)})])
    return src


@pytest.mark.torch_free
def test_an_editable_install_is_found_without_importing_it(editable):
    found = [p for p in packages.discover() if p.name == "edit-banks"]
    assert len(found) == 1 and found[0].error is None and found[0].folder == editable
    assert "edit_banks" not in sys.modules
    r = cli.invoke(app, ["list"])
    assert r.exit_code == 0 and "edit-bank" in r.output and "warning" not in r.output, r.output


CODE_BANK = """bank: {bank}
questions:
  - id: square
    type: code
    prompt: Write `f(x)` returning x squared.
    starter: "def f(x):\\n    raise NotImplementedError"
    solution: "def f(x):\\n    return x * x"
    tests: "assert f({arg}) == {want}"
"""


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A bank package installed the ordinary way (a copy in site-packages), and its checkout, where the
    author edits the same file."""
    site = fake_package(tmp_path / "site", "my-banks", "my_banks",
                        {"my-bank.yaml": CODE_BANK.format(bank="my-bank", arg=3, want=9)})
    monkeypatch.syspath_prepend(str(site))
    checkout = tmp_path / "checkout" / "my_banks"
    checkout.mkdir(parents=True)
    (checkout / "my-bank.yaml").write_text(CODE_BANK.format(bank="my-bank", arg=3, want=10))  # the edit: a wrong test
    return site, checkout


def test_verify_package_verifies_its_banks_by_the_distributions_name(installed, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path / "site")  # nothing edited here: the installed copy
    for name in ("my-banks", "my_banks", "banks"):  # as pip writes it, normalised, the entry point's name
        r = cli.invoke(app, ["verify", name])
        assert r.exit_code == 0 and "my-bank/square" in r.output and "1 passed" in r.output, (name, r.output)
        assert "shipped" not in r.output and "tensors/" not in r.output


def test_check_and_verify_prefer_the_file_being_edited_and_say_so(installed, monkeypatch, tmp_path):
    site, checkout = installed
    monkeypatch.chdir(checkout.parent)
    r = cli.invoke(app, ["verify", "my-bank"])
    assert r.exit_code == 1, r.output  # the edited copy, whose test is wrong, not the installed one
    assert "the file here" in r.output and "my-bank.yaml" in r.output and "my-banks" in r.output
    answer = tmp_path / "a.py"
    answer.write_text("def f(x):\n    return x * x\n")
    r = cli.invoke(app, ["check", "my-bank/square", str(answer)])
    assert r.exit_code == 1 and "the file here" in r.output, r.output
    (checkout / "my-bank.yaml").write_text((site / "my_banks" / "my-bank.yaml").read_text())  # the same again
    r = cli.invoke(app, ["check", "my-bank/square", str(answer)])
    assert r.exit_code == 0 and "the file here" not in r.output, r.output


TOL_BANK = """bank: tol
questions:
  - id: approx
    type: code
    prompt: Return x plus a little.
    starter: "def f(x):\\n    raise NotImplementedError"
    solution: "def f(x):\\n    return x + 0.001"
    tests: |
      x = torch.zeros(3)
      assert_close(f(x), x)
{extra}
"""


@pytest.mark.parametrize("extra, passes", [
    ("", False),  # assert_close's own float32 tolerance
    ("    tolerance: 0.01", True),
    ("    tolerance: {atol: 0, rtol: 0.5}", False),  # relative to 0: nothing is close
    ("    tolerance: {atol: 0.01, rtol: 0}", True),
])
def test_tolerance_sets_assert_closes_default_in_a_code_questions_tests(tmp_path, extra, passes):
    path = tmp_path / "tol.yaml"
    path.write_text(TOL_BANK.format(extra=extra))
    r = cli.invoke(app, ["verify", str(path)])
    # the solution is 0.001 off: it passes only within the tolerance
    assert (r.exit_code == 0) is passes, r.output


def test_a_tests_own_atol_and_rtol_win_over_the_tolerance(tmp_path):
    path = tmp_path / "tol.yaml"
    path.write_text(TOL_BANK.format(extra="    tolerance: 0.01").replace(
        "assert_close(f(x), x)", "assert_close(f(x), x, atol=0, rtol=0)"))
    r = cli.invoke(app, ["verify", str(path)])
    assert r.exit_code == 1 and "solution" in r.output, r.output


TOPIC_BANK = """bank: topical
topic: scale-out
tags: [attention]
questions:
  - id: a
    type: flashcard
    prompt: p
    answer: a
  - id: b
    type: flashcard
    topic: post-training
    prompt: p
    answer: a
"""


@pytest.mark.torch_free
def test_an_explicit_topic_wins_and_is_a_tag(tmp_path):
    from quizkit import catalog
    from quizkit.bank import load_bank
    path = tmp_path / "t.yaml"
    path.write_text(TOPIC_BANK)
    a, b = load_bank(path).questions
    assert catalog.topic_of(a) == "scale-out" and catalog.topic_of(b) == "post-training"  # not 'attention'
    assert "scale-out" in a.tags and "post-training" in b.tags  # --tag/--topic finds them
    path.write_text(TOPIC_BANK.replace("topic: post-training", "topic: Post Training"))
    with pytest.raises(Exception, match="t.yaml:11: topic 'Post Training' must match"):
        load_bank(path)


def test_doctor_json_lists_a_packages_rule_warnings(tmp_path, monkeypatch):
    import json
    text = CODE_BANK.format(bank="warned", arg=3, want=9) + "    forbid: [cos]\n"
    monkeypatch.syspath_prepend(str(fake_package(tmp_path / "site", "warned-banks", "warned_banks",
                                                 {"warned.yaml": text})))
    r = cli.invoke(app, ["doctor", "--json"])
    row = next(p for p in json.loads(r.stdout)["packages"] if p["name"] == "warned-banks")
    assert len(row["warnings"]) == 1 and "warned.yaml:9: warned/square: 'forbid': 'cos' matches nothing" in row["warnings"][0]
