"""Parsed banks cached per file, so a start does not parse and validate every bank again.

A bank is cached as marshal data of plain values (dicts, tuples, strings, numbers: marshal keeps tuples, so
nothing is converted back, and it loads about five times faster than JSON). Never pickle: nothing but those
plain values is built from a cache file, and no object of the file is called. marshal is not hardened
against crafted files, so the cache belongs in the user's own folder (the default). Entries are keyed by
the file's path, size, mtime_ns, ctime_ns and inode, and quizkit's version: a changed file, or a new
quizkit, is read again alone. A cache entry that cannot be read or does not fit is ignored and rewritten;
a cache folder that cannot be written is simply not used. Broken banks are never cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path

from . import __version__, types
from .model import Bank, LearningPath, Question, Right, Wrong

FORMAT = 2  # 1: JSON
MAGIC = b"quizkit-bank-cache\n"
SUFFIX = ".marshal"


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
    return folder / "banks" / (hashlib.sha256(key.encode()).hexdigest()[:32] + SUFFIX)


def get(path: Path, st: os.stat_result) -> Bank | None:
    entry = _entry(path, st)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as f:
            data = f.read()
        if not data.startswith(MAGIC):
            return None
        plain = marshal.loads(data[len(MAGIC) :])
        if not isinstance(plain, dict):
            return None
        return _bank(plain, str(path))
    except (OSError, ValueError, TypeError, KeyError, AttributeError, EOFError):
        return None  # missing, stale format or damaged: read the bank again


def put(path: Path, st: os.stat_result, bank: Bank) -> None:
    entry = _entry(path, st)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + marshal.dumps(_plain(bank)))
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


def _bank(data: dict, path: str) -> Bank:
    """The bank again, from the plain values: marshal kept every tuple a tuple, so only the dataclasses are
    rebuilt."""
    bank = Bank(id=data["id"], path=path, title=data["title"])
    bodies = {name: kind.Body for name, kind in types.REGISTRY.items()}
    add = bank.questions.append
    for d in data["questions"]:
        body = d.pop("body")
        if body.get("wrong"):
            body["wrong"] = tuple(Wrong(**w) for w in body["wrong"])
        if body.get("right"):
            body["right"] = tuple(Right(**r) for r in body["right"])
        d["path"] = path
        add(Question(**d, body=bodies[d["type"]](**body)))
    bank.paths = [LearningPath(**p) for p in data.get("paths", ())]
    return bank
