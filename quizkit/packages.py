"""Bank packages: banks installed as Python packages, found through the entry-point group `quizkit.banks`.

The contract (docs/bank-format.md, "Bank packages"): an entry point in the group names a package
(`pytorch-extra = "quizkit_extra_banks"`, or a dotted subpackage); the bank YAML files are in that
package's folder (and its subfolders), as in a `--bank` folder. The package is found without importing it
(a package's import code never runs at quizkit's start), and the entry points are read straight from the
installed distributions' `entry_points.txt` on `sys.path`, as importlib.metadata reads them, without
importing importlib.metadata (11 ms of imports: email, zipfile, csv) at every start.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import _

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec


GROUP = "quizkit.banks"


@dataclass
class BankPackage:
    """One entry point of the group: the distribution that declares it and the folder it names."""

    name: str  # the distribution's name, as pip knows it (quizkit-bank-example)
    version: str
    entry: str  # the entry point's name
    target: str  # what it names: a package
    folder: Path | None = None
    error: str | None = None  # why its banks cannot be found


def normal(name: str) -> str:
    """A distribution's name as the packaging spec compares them: quizkit_Bank.example is quizkit-bank-example."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _section(text: str, group: str) -> list[tuple[str, str]]:
    """(name, value) pairs of one [group] of an entry_points.txt (the INI format of the packaging spec)."""
    pairs, inside = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == group
        elif inside and "=" in line:
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


def _metadata(info: str, fallback: str) -> tuple[str, str]:
    """(Name, Version) from a dist-info's METADATA (or an egg-info's PKG-INFO): the headers come first."""
    name, version = fallback, ""
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(info, file), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not line.strip():
                        break  # the end of the headers
                    key, _, value = line.partition(":")
                    if key == "Name":
                        name = value.strip()
                    elif key == "Version":
                        version = value.strip()
            break
        except OSError:
            continue
    return name, version


def entry_points(group: str, path: list[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(distribution, version, entry point name, target) for every entry point of `group` in the
    distributions on `path` (default sys.path). A distribution found twice counts once: the first on the
    path wins, as it does for imports and for importlib.metadata."""
    found: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for entry in sys.path if path is None else path:
        folder = entry or "."
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue  # a zip, a missing folder: no distributions to read there
        for n in names:
            if not n.endswith((".dist-info", ".egg-info")):
                continue
            stem = n.rsplit(".", 1)[0]
            key = normal(stem.split("-", 1)[0])
            if key in seen:
                continue
            seen.add(key)
            info = os.path.join(folder, n)
            try:
                with open(os.path.join(info, "entry_points.txt"), encoding="utf-8", errors="replace") as f:
                    text = f.read(1 << 20)
            except OSError:
                continue
            if group not in text:
                continue
            name, version = _metadata(info, stem.split("-", 1)[0])
            found += [(name, version, entry_name, target) for entry_name, target in _section(text, group)]
    return found


def discover(path: list[str] | None = None) -> list[BankPackage]:
    """Every entry point of the group in the distributions on `path` (default sys.path), sorted by
    distribution and entry point name."""
    found = [_locate(BankPackage(*e), path) for e in entry_points(GROUP, path)]
    return sorted(found, key=lambda p: (normal(p.name), p.entry))


def _editable(name: str, path: list[str] | None) -> ModuleSpec | None:
    """The spec of top-level package `name` from the import system's other finders: an editable install
    (pip install -e, PEP 660) maps its package to the source folder with a finder on sys.meta_path, not with
    a folder on sys.path. A finder's find_spec only looks the name up, as `import` would before loading: no
    code of the package runs. (Only where the real path is searched: `path`, in the tests, is a path of
    its own.)"""
    import importlib.machinery

    if path is not None:
        return None
    skip = (importlib.machinery.PathFinder, importlib.machinery.BuiltinImporter, importlib.machinery.FrozenImporter)
    for finder in list(sys.meta_path):
        if finder in skip or not hasattr(finder, "find_spec"):
            continue
        try:
            spec = finder.find_spec(name, None)
        except Exception:  # noqa: BLE001  (someone else's finder must not break quizkit's start)
            continue
        if spec is not None:
            return spec
    return None


def _locate(p: BankPackage, path: list[str] | None = None) -> BankPackage:
    """The folder of the package the entry point names, found as `import` would find it, without running
    any of its code (nor its parents' `__init__`)."""
    import importlib.machinery

    module, colon, attr = p.target.partition(":")
    module = module.strip()
    if colon:
        p.error = _("entry point '{entry}' names an object; it must name a package (a folder of banks)").format(
            entry=f"{p.entry} = {p.target}"
        )
        return p
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        p.error = _("entry point '{entry}': not a package name").format(entry=f"{p.entry} = {p.target}")
        return p
    try:
        spec = importlib.machinery.PathFinder.find_spec(parts[0], path) or _editable(parts[0], path)
        for i in range(1, len(parts)):
            if spec is None or not spec.submodule_search_locations:
                spec = None
                break
            spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: i + 1]), spec.submodule_search_locations)
    except (ImportError, ValueError, OSError) as e:
        p.error = _("package '{module}' cannot be looked up: {error}").format(module=module, error=e)
        return p
    if spec is None:
        p.error = _("package '{module}' is not installed (entry point '{entry}')").format(module=module, entry=p.entry)
    elif not spec.submodule_search_locations:
        p.error = _("'{module}' is a module, not a package: the entry point must name a folder of banks").format(
            module=module
        )
    else:
        p.folder = Path(list(spec.submodule_search_locations)[0])
        if not p.folder.is_dir():
            p.error = _("the folder of package '{module}' is missing: {folder}").format(module=module, folder=p.folder)
    return p
