"""Files a command writes for the user (exports): never onto quizkit's own files, and always whole.

`refuse_own` is asked before any work: an output path that is the progress database (or its WAL, shared
memory or rollback journal), the settings, a file in the bank cache, a bank, or any SQLite database is one
line and exit 1. `atomic` writes a temporary file in the target's own folder and renames it into place
once everything is written and synced: a full disk, a kill or an error leaves the old file as it was.
"""

from __future__ import annotations

import csv
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import QuizkitError
from .i18n import _

SQLITE_MAGIC = b"SQLite format 3\x00"
BANK_SUFFIXES = (".yaml", ".yml")


def _real(path: Path) -> Path:
    return Path(os.path.realpath(os.path.expanduser(str(path))))


def _same(a: Path, b: Path) -> bool:
    """The same file: by its resolved name (also for files not made yet, like a WAL), or by device and inode
    (a hard link)."""
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    real, top = _real(path), _real(folder)
    return real == top or top in real.parents


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def refuse_own(target: Path, files: Iterable[Path], folders: Iterable[Path | None], banks: Iterable[Path] = ()) -> None:
    """QuizkitError when `target` is one of quizkit's `files` (the database, its journals, the settings), lies
    in one of `folders` (the bank cache, the shipped banks, a bank package), is one of `banks`, is an
    existing YAML file (a bank, or any settings file), or is an SQLite database (a copy of the progress
    database, a hard link to it)."""
    for own in files:
        if _same(target, own):
            raise QuizkitError(
                _(
                    "{path}: that is one of quizkit's own files (the progress database, its journals or the "
                    "settings); write the export to another file"
                ).format(path=target)
            )
    for folder in folders:
        if folder is not None and _inside(target, folder):
            raise QuizkitError(
                _("{path}: inside {folder}, which quizkit reads (banks or their cache); write the export elsewhere")
                .format(path=target, folder=folder)
            )  # fmt: skip
    bank = next((b for b in banks if _same(target, b)), None)
    if bank is not None or (target.suffix.lower() in BANK_SUFFIXES and target.is_file()):
        raise QuizkitError(
            _("{path}: that is a bank (a YAML file); an export never replaces one: write it to another file").format(
                path=target
            )
        )
    if target.is_file() and _is_sqlite(target):
        raise QuizkitError(
            _("{path}: that is an SQLite database (perhaps a copy of your progress); an export never replaces one")
            .format(path=target)
        )  # fmt: skip


@contextmanager
def atomic(path: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write `path` through: a temporary file beside it (through a symbolic link: beside the file
    it names), synced and renamed over it when the block ends without an error, removed otherwise. A new
    file gets the usual permissions (umask); a replaced one keeps its own."""
    target = _real(path)
    if target.is_dir():
        raise IsADirectoryError(21, os.strerror(21), str(path))
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = None
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    f: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        yield f
        f.flush()
        os.fsync(fd)
        f.close()
        os.replace(part, target)
    except BaseException:
        try:
            f.close()  # may fail again (the bytes still buffered meet the same full disk)
        except OSError:
            pass
        part.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """The rename itself made durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_rows(chunks: Iterable[list[Any]], fmt: str, fields: Sequence[str], f: IO[str]) -> int:
    """Chunks of rows written as they come (constant memory at any size): JSON Lines (each chunk a list of
    whole lines) or CSV (each a list of tuples, after a header of `fields`), to the open text file `f` (a
    file from `atomic`, renamed into place once whole, or stdout). Returns the rows written."""
    n = 0
    if fmt == "jsonl":
        for lines in chunks:
            f.writelines(lines)
            n += len(lines)
    else:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(fields)
        for rows in chunks:
            w.writerows(rows)
            n += len(rows)
    f.flush()
    return n
