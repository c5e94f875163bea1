"""`quizkit doctor`: what quizkit finds here, as one plain dict, and the problems that make it exit 1.

Torch facts come from a run in the worker (only the worker imports torch): a snippet prints one JSON line.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import QuizkitError
from .i18n import _, ngettext
from .version import __version__

if TYPE_CHECKING:
    from .types.contract import Runs

    class DoctorRunner(Runs, Protocol):
        """The runner as doctor asks it (quizkit/runner.py's Runner keeps it)."""

        def isolation(self) -> Mapping[str, Any]: ...


MARK = "QUIZKIT-DOCTOR "
TORCH_PROBE = f"""\
import json
info = {{
    "version": torch.__version__,
    "cuda_version": torch.version.cuda,
    "hip_version": getattr(torch.version, "hip", None),
    "cuda_available": bool(torch.cuda.is_available()),
}}
n = torch.cuda.device_count() if info["cuda_available"] else 0
info["device_count"] = n
info["devices"] = [torch.cuda.get_device_name(i) for i in range(n)]
print({MARK!r} + json.dumps(info))
"""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _torch(runner: DoctorRunner, problems: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(torch facts, isolation in force), asked of the worker and a forked child."""
    try:
        isolation = dict(runner.isolation())
    except QuizkitError as e:
        problems.append(f"torch: {e}")
        return {"error": str(e)}, {}
    isolation.pop("torch", None)
    result = runner.run([("doctor", TORCH_PROBE)], timeout=60)
    line = next((x for x in result.stdout.splitlines() if x.startswith(MARK)), None)
    if not result.ok or line is None:
        why = result.error or result.status
        problems.append(_("torch: a run in the worker failed: {error}").format(error=why))
        return {"error": why}, isolation
    info = json.loads(line[len(MARK) :])
    info["build"] = (
        f"CUDA {info['cuda_version']}"
        if info.get("cuda_version")
        else f"ROCm {info['hip_version']}"
        if info.get("hip_version")
        else "CPU"
    )
    return info, isolation


def _writable(folder: Path) -> bool:
    """Whether `folder` can be written, or made where it is missing (in its nearest existing parent)."""
    for p in (folder, *folder.parents):
        if p.exists():
            return p.is_dir() and os.access(p, os.W_OK | os.X_OK)
    return False


def _store(path: Path, problems: list[str]) -> dict[str, Any]:
    from .store import Store

    out: dict[str, Any] = {"path": str(path), "exists": path.exists(), "bytes": 0, "integrity": None, "ok": True}
    if not out["exists"]:
        if _writable(path.parent):
            out["integrity"] = _("not made yet (the first answer makes it)")
        else:
            out["ok"] = False
            out["integrity"] = _("{folder} is not a folder that can be written: no answer can be saved").format(
                folder=path.parent
            )
            problems.append(
                _("store: {error} (set QUIZKIT_HOME to a folder you can write)").format(error=out["integrity"])
            )
        return out
    out["bytes"] = sum(_size(Path(str(path) + suffix)) for suffix in ("", "-wal", "-shm"))
    try:
        with Store(path) as store:
            lines = store.integrity()
            undecodable = store.undecodable()
            cards = _bad_cards(store.cards())
    except QuizkitError as e:  # too damaged to open: the message names the file
        out["ok"], out["integrity"] = False, str(e)
        problems.append(_("store: {error}").format(error=e))
        return out
    out["ok"] = lines == ["ok"]
    shown = "; ".join(x.strip() for x in lines[:3]) + (f" (and {len(lines) - 3} more)" if len(lines) > 3 else "")
    out["integrity"] = "ok" if out["ok"] else shown
    if not out["ok"]:
        problems.append(_("store: {path}: integrity check failed: {lines}").format(path=path, lines=out["integrity"]))
    out["undecodable"], out["bad_cards"] = undecodable, cards
    if undecodable:
        out["ok"] = False
        problems.append(
            _("store: {path}: text that is not UTF-8 (export writes U+FFFD for it) in {rows}").format(
                path=path, rows=", ".join(undecodable)
            )
        )
    if cards:
        out["ok"] = False
        problems.append(
            _("store: {path}: card states that do not parse (review cannot schedule them): {cards}").format(
                path=path, cards=", ".join(cards)
            )
        )
    return out


def _bad_cards(rows: Iterable[tuple[str, str]], limit: int = 20) -> list[str]:
    """The questions whose stored card state the scheduler cannot read (review reads every due one)."""
    from .scheduler import CardState

    bad = []
    for question, state in rows:
        try:
            CardState.from_json(state)
        except (ValueError, KeyError, TypeError, AttributeError):
            bad.append(question)
            if len(bad) >= limit:
                break
    return bad


def _cache(problems: list[str]) -> dict[str, Any]:
    """The bank cache: its entries, any damaged now (a problem: the disk changed bytes quizkit wrote), and
    the damaged entries found (and read again from their YAML) before."""
    from .cache import cache_dir, health
    from .verifycache import remembered

    folder = cache_dir()
    if folder is None:
        return {"path": None, "enabled": False, "banks": 0, "verified": 0, "damaged_now": 0, "damaged_found": 0}
    h = health(folder)
    if h["damaged_now"]:
        problems.append(
            ngettext(
                "bank cache: {n} damaged entry in {folder} (never used: its bank is read again from the YAML); "
                "the disk may be failing",
                "bank cache: {n} damaged entries in {folder} (never used: each bank is read again from its YAML); "
                "the disk may be failing",
                h["damaged_now"],
            ).format(n=h["damaged_now"], folder=folder / "banks")
        )
    return {
        "path": str(folder),
        "enabled": True,
        "banks": h["entries"] - h["damaged_now"],
        "verified": remembered(folder),
        "damaged_now": h["damaged_now"],
        "damaged_found": h["damaged_found"],
        "last_damaged": h["last_damaged"],
    }


def _banks(problems: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the shipped banks, the installed bank packages), each with its counts and errors."""
    from . import catalog, packages
    from .bank import shipped_dir, warnings_of

    found = packages.discover()
    banks, _questions, errors = catalog.load(None, found)

    def mine(origin: str) -> dict[str, Any]:
        own = [b for b in banks if b.origin == origin]
        return {
            "banks": len(own),
            "questions": sum(len(b.questions) for b in own),
            "errors": [str(e) for e in errors if getattr(e, "origin", "") == origin],
            "warnings": warnings_of([q for b in own for q in b.questions]),  # rules that match nothing
        }

    shipped = {"path": str(shipped_dir()), **mine("shipped")}
    for e in shipped["errors"]:
        problems.append(_("shipped banks: {error}").format(error=e))
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for p in found:
        row: dict[str, Any] = {"name": p.name, "version": p.version, "entry_point": f"{p.entry} = {p.target}"}
        row["folder"] = str(p.folder) if p.folder else None
        row.update(mine(p.name) if p.name not in seen else {"banks": 0, "questions": 0, "errors": [], "warnings": []})
        seen.add(p.name)  # a distribution with two entry points: its banks and errors are counted once
        rows.append(row)
        problems += row["errors"]  # each names its package
    return shipped, rows


def report(home: Path, runner: DoctorRunner) -> dict[str, Any]:
    """Everything `quizkit doctor` shows; `ok` False and `problems` named when something is broken."""
    from . import schema, types

    problems: list[str] = list(types.ERRORS)  # a package's question type that could not be loaded
    cache = _cache(problems)  # before the banks are loaded: loading them mends what is damaged
    torch, isolation = _torch(runner, problems)
    shipped, packages = _banks(problems)
    if cache["enabled"]:  # the entries now that the banks are loaded (and what was damaged mended)
        from .cache import health

        after = health(Path(cache["path"]))
        cache.update(banks=after["entries"], damaged_found=after["damaged_found"], last_damaged=after["last_damaged"])
    schema_ok = schema.PATH.is_file()
    if not schema_ok:
        problems.append(_("schema: {path} is missing").format(path=schema.PATH))
    data: dict[str, Any] = {
        "quizkit": {"version": __version__, "path": str(Path(__file__).parent)},
        "python": {"version": platform.python_version(), "executable": sys.executable},
        "torch": torch,
        "data_dir": str(home),
        "store": _store(home / "quizkit.db", problems),
        "cache": cache,
        "isolation": isolation,
        "schema": {"path": str(schema.PATH), "exists": schema_ok},
        "shipped": shipped,
        "packages": packages,
        "types": list(types.NAMES),
    }
    data["problems"] = problems
    data["ok"] = not problems
    return data
