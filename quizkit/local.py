"""The file being edited over an installed copy: for `check` and `verify`, an author who edits a bank package's
checkout (not installed editable) runs quizkit in that checkout, and means the file in front of them.

Where a bank of an installed package has a file of the same name in the current folder or below it (a few
levels deep, outside virtual environments, build folders and hidden folders), `check` and `verify` load that
file instead and say so, naming both files; `--bank PATH` picks either one explicitly. A copy with the same
bytes is used silently (it is the same bank).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import _

if TYPE_CHECKING:
    from .bank import Source


MAX_DEPTH = 5
MAX_ENTRIES = 20000  # a walk that would go on (a home folder) stops here: no copy found is the safe answer
_SKIP = {"site-packages", "dist-packages", "node_modules", "__pycache__", "build", "dist"}


def _here(root: Path) -> dict[str, list[Path]]:
    """Bank files (.yaml, .yml) under `root`, by file name."""
    found: dict[str, list[Path]] = {}
    seen = 0
    base = len(root.parts)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        seen += len(dirs) + len(files)
        if seen > MAX_ENTRIES:
            break
        dirs[:] = [
            d
            for d in sorted(dirs)
            if not d.startswith(".")
            and d not in _SKIP
            and not d.endswith(".egg-info")
            and not (here / d / "pyvenv.cfg").exists()
            and len(here.parts) - base < MAX_DEPTH
        ]
        for name in files:
            if name.endswith((".yaml", ".yml")):
                found.setdefault(name, []).append(here / name)
    return found


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def prefer_local(sources: list[Source], root: Path | None = None) -> tuple[list[Source], list[str]]:
    """(sources, notes): each installed package's folder in `sources` ((path, origin) pairs) split into its
    bank files, a file that has an edited copy under `root` (default: the current folder) replaced by that
    copy (origin "": a path given); one note for each replacement. Shipped banks and paths given stay."""
    from .bank import bank_files
    from .errors import QuizkitError

    packaged = [(where, origin) for where, origin in sources if origin not in ("", "shipped")]
    if not packaged:
        return sources, []
    try:
        here = _here((root or Path.cwd()).resolve())
    except OSError:
        return sources, []
    out: list[Source] = []
    notes: list[str] = []
    for where, origin in sources:
        if origin in ("", "shipped"):
            out.append((where, origin))
            continue
        try:
            files = bank_files([where])
        except QuizkitError:
            out.append((where, origin))  # its error is reported by the loader as before
            continue
        for f in files:
            copies = [c for c in here.get(f.name, []) if not _same(c, f) and Path(where).resolve() not in c.parents]
            if len(copies) == 1:
                out.append((copies[0], ""))
                notes.append(
                    _(
                        "using {local} (the file here), not the installed copy {installed} of package {package}; "
                        "--bank PATH picks either"
                    ).format(local=copies[0], installed=f, package=origin)
                )
            else:
                out.append((f, origin))
    return out, notes
