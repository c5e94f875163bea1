"""The questions verify saw pass, remembered by everything their verdict depends on, so `quizkit verify` does
not run an unchanged question again: an author who edits one question waits for that one.

A code or output question's verdict depends only on its own fields (setup, solution, starter, tests, seeds,
wrong answers, rules; code, expected, tolerance), its timeout and requirements, the torch, Python and other
packages that run it, quizkit's own code (the judge), the machine and the environment variables torch reads,
the device and the memory limit. A pass is remembered under a SHA-256 digest of all of them; change any (an
edit, a pip install, a new quizkit) and the question runs again. A failure is never remembered, and neither is
a question skipped here. `verify --fresh` (or QUIZKIT_CACHE=off) runs everything. The file holds digests only,
one per line, in the user's cache folder; one that cannot be read is an empty cache, one that cannot be
written is not kept.

A question that imports a module from outside the stdlib and the installed packages (a file on PYTHONPATH or
in the current folder, an editable install) is never remembered: such a module changes with no version to
show it, so the question runs every time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import re
import site
import sys
import sysconfig
import tempfile
from pathlib import Path

from .cache import cache_dir
from .fields import REQUIRE_RE
from .model import Question
from .version import __version__

FORMAT = 1
MAX_KEPT = 50_000  # digests kept, newest first: about 3 MB
NAME = "verified"
# `import a.b as c, d` (the names) or `from a.b import ...` (the module), where a statement starts
_IMPORT = re.compile(
    r"(?:^|[;:])[ \t]*(?:import[ \t]+([\w.]+(?:[ \t]*(?:,|as)[ \t]*[\w.]+)*)|from[ \t]+([\w.]+)[ \t]+import\b)", re.M
)


def _quizkit_stamp() -> str:
    """quizkit's own source, every file, by content: a changed judge (or anything else) runs every question
    again, even before the version number moves."""
    here = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for f in sorted([*here.glob("*.py"), *(here / "types").glob("*.py")]):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def _torch_stamp() -> str:
    """The torch a worker would import (found, not imported: verify of an unchanged bank never starts torch):
    where it is, and its version file, which names the release and the git commit of the build."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        return "no torch"
    version = Path(spec.origin).with_name("version.py")
    try:
        return f"{spec.origin}\0{version.read_text(errors='replace')}"
    except OSError:
        return f"{spec.origin}\0?"


def _packages_stamp() -> str:
    """Every installed distribution by name and version, as its metadata folder is named (a quarter of a
    millisecond; importlib.metadata takes 70): a pip install or upgrade of anything runs every question again."""
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return "\n".join(sorted(names))


# Environment variables that change what torch computes or prints, or which devices it sees.
_ENV_PREFIXES = ("TORCH", "PYTORCH", "ATEN_", "CUDA", "CUBLAS", "NVIDIA_", "HIP_", "ROCM", "MKL_", "OMP_", "OPENBLAS")


def _machine_stamp() -> str:
    """This machine (a home folder shared between machines keeps their passes apart) and the environment
    torch reads."""
    import platform

    env = sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(_ENV_PREFIXES))
    return repr((platform.node(), platform.machine(), platform.platform(), env))


def _imported(q: Question) -> set[str]:
    """The top-level modules `q` needs: its `requires`, and what any of its code imports (an `import` or
    `from ... import` statement, read as text: a line of a string that looks like one counts too, which only
    means the question runs every time)."""
    names = set()
    for need in q.requires:
        match = REQUIRE_RE.match(need)
        if need != "cuda" and match:
            names.add(match.group(1))
    body = q.body
    texts = [getattr(body, f.name) for f in dataclasses.fields(body)] + [
        a.code for a in getattr(body, "wrong", ()) + getattr(body, "right", ())
    ]
    for text in texts:
        if isinstance(text, str) and "import" in text:
            for listed, source in _IMPORT.findall(text):
                names.update(part.split()[0] for part in listed.split(",") if part.strip())
                names.add(source)
    return {name.split(".")[0] for name in names} - {""}


def _installed_dirs() -> tuple[str, ...]:
    """Where installed distributions live (site-packages): each with a trailing separator."""
    paths = sysconfig.get_paths()
    dirs = [paths.get("purelib"), paths.get("platlib")]
    try:
        dirs += [*site.getsitepackages(), site.getusersitepackages()]
    except AttributeError:  # an old virtualenv's site module
        pass
    return tuple(os.path.join(os.path.realpath(d), "") for d in dirs if d)


def _tracked(name: str, installed: tuple[str, ...]) -> bool:
    """Whether module `name` is part of what the key covers: the stdlib, torch, or an installed package (whose
    version is in the key). One found anywhere else, or not found, is not."""
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return True
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    where = spec.origin if spec.has_location and spec.origin else next(iter(spec.submodule_search_locations or ()), "")
    return bool(where) and os.path.realpath(where).startswith(installed)


def remembered(folder: Path) -> int:
    """How many passes the cache in `folder` remembers (for doctor)."""
    try:
        with open(folder / NAME, "rb") as f:
            return sum(1 for line in f if line.strip())
    except OSError:
        return 0


class Verified:
    """The digests of questions that passed: `key(q)` for one, `known(key)`, `keep(key)`, `add(key)`, `save()`."""

    def __init__(self, device: str, memory_mb: int, folder: Path | None = None, fresh: bool = False) -> None:
        """`fresh`: nothing is taken as known (everything runs), but new passes are still remembered."""
        folder = folder or cache_dir()
        self.path = folder / NAME if folder else None
        stamps = (
            str(FORMAT),
            _quizkit_stamp(),
            _torch_stamp(),
            _packages_stamp(),
            _machine_stamp(),
            sys.version,
            device,
            str(memory_mb),
        )
        self._base = "\0".join(stamps).encode()
        self._installed = _installed_dirs()
        self._tracked: dict[str, bool] = {}
        self._keys: dict[int, tuple[Question, str | None]] = {}  # id(question): (the question, its key)
        self._old = set() if fresh else set(self._read())
        self._new: list[str] = []  # passed in this run, or found: kept first when the file is trimmed
        self._added = False

    def _read(self) -> list[str]:
        if self.path is None:
            return []
        try:
            with open(self.path, encoding="ascii") as f:
                return [line.strip() for line in f if line.strip()]
        except (OSError, ValueError):
            return []  # missing or damaged: nothing is known, everything runs

    def key(self, q: Question) -> str | None:
        """None: `q` imports a module the key cannot cover, so it is never remembered. Worked out once a
        question (verify sizes its workers by the keys, then uses them)."""
        seen = self._keys.get(id(q))
        if seen is None or seen[0] is not q:  # held, so its id is not another's while this lives
            seen = self._keys[id(q)] = (q, self._key(q))
        return seen[1]

    def _key(self, q: Question) -> str | None:
        for name in _imported(q):
            if name not in self._tracked:
                self._tracked[name] = _tracked(name, self._installed)
            if not self._tracked[name]:
                return None
        body = q.body
        for key in ("wrong", "right"):  # where an answer is in the file is no part of its verdict
            if getattr(body, key, None):
                moved = tuple(dataclasses.replace(a, line=0) for a in getattr(body, key))
                body = dataclasses.replace(body, **{key: moved})
        body = repr((q.type, q.timeout, q.requires, body)).encode()
        return hashlib.sha256(self._base + b"\0" + body).hexdigest()

    def known(self, key: str | None) -> bool:
        return key is not None and key in self._old

    def keep(self, key: str) -> None:
        """A known pass used again: kept first when the file is trimmed."""
        self._new.append(key)

    def add(self, key: str) -> None:
        """A new pass."""
        self._new.append(key)
        self._added = True

    def save(self) -> None:
        """This run's passes first, then the ones remembered before, up to MAX_KEPT; written whole or not at all."""
        if self.path is None or not self._added:
            return
        kept = list(dict.fromkeys([*self._new, *self._read()]))[:MAX_KEPT]  # another verify may have added some
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write("\n".join(kept) + "\n")
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass
