"""Parsed banks cached per file, so a start does not parse and validate every bank again.

A bank is cached as JSON of plain values (never pickle: the cache may sit in a shared folder), keyed by
the file's path, size, mtime_ns, ctime_ns and inode, and quizkit's version: a changed file, or a new
quizkit, is read again alone. A cache entry that cannot be read or does not fit is ignored and rewritten;
a cache folder that cannot be written is simply not used. Broken banks are never cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from . import __version__, types
from .model import Bank, LearningPath, Question, Wrong

FORMAT = 1


def cache_dir() -> Path | None:
    """QUIZKIT_CACHE ('off' turns the cache off), else the platform's user cache folder."""
    env = os.environ.get("QUIZKIT_CACHE")
    if env:
        return None if env.lower() == "off" else Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "quizkit" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "quizkit"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "quizkit"


_LOADER: list = []


def _loader_stamp() -> str:
    """The loader's own files (size and mtime): a checkout whose validation changed reads banks again even
    before the version number moves."""
    if not _LOADER:
        here = Path(__file__).parent
        files = sorted([*here.glob("*.py"), *(here / "types").glob("*.py")])
        _LOADER.append(
            hashlib.sha256(
                repr([(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]).encode()
            ).hexdigest()[:16]
        )
    return _LOADER[0]


def _entry(path: Path, st: os.stat_result) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = (
        f"{FORMAT}|{__version__}|{_loader_stamp()}|{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}|"
        f"{st.st_ctime_ns}|{st.st_ino}"
    )
    return folder / "banks" / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def get(path: Path, st: os.stat_result) -> Bank | None:
    entry = _entry(path, st)
    if entry is None:
        return None
    try:
        with open(entry, encoding="utf-8") as f:
            return _bank(json.load(f), str(path))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing, stale format or damaged: read the bank again


def put(path: Path, st: os.stat_result, bank: Bank) -> None:
    entry = _entry(path, st)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(_plain(bank), f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, entry)  # readers see the old entry or the whole new one, never half
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass


def _plain(bank: Bank) -> dict:
    return {
        "id": bank.id,
        "title": bank.title,
        "questions": [dataclasses.asdict(q) for q in bank.questions],
        "paths": [dataclasses.asdict(p) for p in bank.paths],
    }


def _tuples(v):
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def _bank(data: dict, path: str) -> Bank:
    bank = Bank(id=data["id"], path=path, title=data["title"])
    for d in data["questions"]:
        kind = types.of(d["type"])
        body = {k: _tuples(v) for k, v in d.pop("body").items()}
        if "wrong" in body:
            body["wrong"] = tuple(Wrong(**dict(w)) for w in body["wrong"])
        q = {k: _tuples(v) for k, v in d.items()}
        q["path"] = path
        bank.questions.append(Question(**q, body=kind.Body(**body)))
    bank.paths = [LearningPath(**{k: _tuples(v) for k, v in p.items()}) for p in data.get("paths", ())]
    return bank
