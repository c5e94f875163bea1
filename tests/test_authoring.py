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
