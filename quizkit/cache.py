"""Parsed banks cached per file, so a start does not parse and validate every bank again.

A bank is cached as marshal data of plain values (dicts, tuples, strings, numbers: marshal keeps tuples, so
nothing is converted back, and it loads about five times faster than JSON). Never pickle: nothing but those
plain values is built from a cache file, and no object of the file is called. marshal is not hardened
against crafted files, so the cache belongs in the user's own folder (the default). Entries are keyed by
the file's path, size, mtime_ns, ctime_ns and inode, and quizkit's version: a changed file, or a new
quizkit, is read again alone. A cache folder that cannot be written is simply not used. Broken banks are
never cached.

Every entry carries, after MAGIC, one header line: the format, the version of quizkit that wrote it and a
BLAKE2b checksum of the marshal data. An entry whose header or checksum does not match, or whose data does
not make a bank, is damaged (a flipped bit on disk, a hand edit): it is never served; the bank is read again
from its YAML, the entry rewritten, and the damage counted in `damaged.log` beside the entries, which
`quizkit doctor` shows (with any entry damaged now, found by checking them all).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import types
from .model import Bank, LearningPath, Question, Right, Wrong
from .version import __version__

FORMAT = 3  # 1: JSON; 2: marshal without a checksum
MAGIC = b"quizkit-bank-cache\n"
SUFFIX = ".marshal"
DAMAGED_LOG = "damaged.log"


def cache_dir() -> Path | None:
    """QUIZKIT_CACHE ('off' turns the cache off), else the platform's user cache folder."""
    env = os.environ.get("QUIZKIT_CACHE")
    if env:
        return None if env.lower() == "off" else Path(env).expanduser()
    from .settings import user_home, xdg

    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or user_home() / "AppData" / "Local")
        return base / "quizkit" / "Cache"
    if sys.platform == "darwin":
        return user_home() / "Library" / "Caches" / "quizkit"
    return xdg("XDG_CACHE_HOME", ".cache") / "quizkit"


_LOADER: list[str] = []


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


def _checksum(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def _header(payload: bytes) -> bytes:
    return f"{FORMAT} {__version__} {_checksum(payload)}\n".encode()


def _payload(data: bytes) -> bytes:
    """The marshal data of a whole entry whose header and checksum match; ValueError (why) otherwise."""
    if not data.startswith(MAGIC):
        raise ValueError("no cache header")
    header, newline, payload = data[len(MAGIC) :].partition(b"\n")
    if not newline:
        raise ValueError("no cache header")
    fields = header.decode("ascii", "replace").split(" ")
    if len(fields) != 3 or fields[0] != str(FORMAT) or fields[1] != __version__:
        raise ValueError("written by another reader")
    if fields[2] != _checksum(payload):
        raise ValueError("checksum mismatch")
    return payload


def get(path: Path, st: os.stat_result) -> Bank | None:
    """The cached bank, or None: none cached, or a damaged entry (counted, removed, never served)."""
    entry = _entry(path, st)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as f:
            data = f.read()
    except OSError:
        return None  # not cached yet
    try:
        plain = marshal.loads(_payload(data))
        if not isinstance(plain, dict):
            raise ValueError("not a bank")
        return _bank(plain, str(path))
    except (ValueError, TypeError, KeyError, AttributeError, EOFError) as e:
        _damaged(entry, path, str(e) or type(e).__name__)
        return None  # read the bank again: put() rewrites the entry


def _damaged(entry: Path, path: Path, why: str) -> None:
    """A damaged entry: removed, and one line for doctor in the log (best effort, as the cache is)."""
    try:
        entry.unlink(missing_ok=True)
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "bank": str(path), "entry": entry.name, "why": why}
        with open(entry.parent / DAMAGED_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")
    except OSError:
        pass


def health(folder: Path) -> dict[str, Any]:
    """For doctor: this version's entries, those damaged now (checked, not loaded), and the damage found
    before. Entries of other versions are left out: they are stale, and this one never reads them."""
    banks = folder / "banks"
    entries = damaged = 0
    try:
        names = [f.path for f in os.scandir(banks) if f.name.endswith(SUFFIX)]
    except OSError:
        names = []
    ours = MAGIC + f"{FORMAT} {__version__} ".encode()
    for name in names:
        try:
            with open(name, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if not data.startswith(ours):
            continue  # written by another version or format: stale, not damaged (never read by this one)
        entries += 1
        try:
            _payload(data)
        except ValueError:
            damaged += 1
    found: list[dict[str, Any]] = []
    try:
        with open(banks / DAMAGED_LOG, encoding="utf-8", errors="replace") as log:
            for line in log:
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
    except OSError:
        pass
    return {"entries": entries, "damaged_now": damaged, "damaged_found": len(found), "last_damaged": found[-3:]}


def put(path: Path, st: os.stat_result, bank: Bank) -> None:
    entry = _entry(path, st)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        payload = marshal.dumps(_plain(bank))
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + _header(payload) + payload)
        os.replace(tmp, entry)  # readers see the old entry or the whole new one, never half
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass


def _plain(bank: Bank) -> dict[str, Any]:
    return {
        "id": bank.id,
        "title": bank.title,
        "questions": [dataclasses.asdict(q) for q in bank.questions],
        "paths": [dataclasses.asdict(p) for p in bank.paths],
    }


def _bank(data: dict[str, Any], path: str) -> Bank:
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
