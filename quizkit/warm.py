"""The client of the warm worker (quizkit/daemon.py): find it, start it, talk to it, replace it.

A one-shot `quizkit check` used to pay for `import torch` every time (about 1.3 s here). The first one now
starts a daemon that keeps a runner.Runner warm and serves runs over a Unix socket; later commands send it
their runs. `WarmRunner` looks like a Runner (same run() and RunResult), so a command changes by one line.

The socket lives in a folder only this user may enter (0700, owned by us, not a link), checked before every
use: any doubt and the run is done by a local worker instead, as before (`-v` says why). The daemon is keyed
by what shapes its runs (the interpreter, this quizkit, the environment its worker inherits, QUIZKIT_HOME),
and every request carries a fingerprint of quizkit's source and torch's install: a daemon older than either
stops and a fresh one is started. A daemon that died (killed, idle) is replaced the same way: the request is
sent again to a new one. Runs are isolated inside it exactly as in a local worker (a fresh fork per run).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import text
from .model import RunResult
from .settings import Settings

DEFAULT_IDLE_MINUTES = Settings.worker_idle_minutes
REQUEST_LIMIT = 16 << 20  # a run's pieces: answers are capped at 1 MiB, tests are a bank's
REPLY_LIMIT = 4 << 20  # as the runner's own READ_LIMIT
START_WAIT = 10.0  # the daemon binds its socket before it imports anything heavy
_PACKAGE = Path(__file__).resolve().parent
# What the worker inherits and what changes its runs: a daemon started with other values is another daemon.
_ENV_KEYS = ("PATH", "PYTHONPATH", "PYTHONHOME", "QUIZKIT_TIMINGS", "LANG", "LC_ALL")
_ENV_PREFIXES = ("TORCH", "PYTORCH", "CUDA", "HIP_", "ROCM", "NVIDIA", "OMP_", "MKL_", "KMP_", "LD_")


def idle_seconds(home: Path) -> float:
    """How long a daemon waits for the next request: QUIZKIT_WORKER_IDLE (seconds), else the setting
    `worker_idle_minutes` in config.yaml; 0: no daemon."""
    env = os.environ.get("QUIZKIT_WORKER_IDLE", "")
    if env:
        try:
            return max(0.0, float(env))
        except ValueError:
            return 0.0
    from .settings import load_settings

    return load_settings(home / "config.yaml").worker_idle_minutes * 60.0


def folder() -> Path:
    """Where the sockets are: XDG_RUNTIME_DIR/quizkit (the user's own tmpfs), else QUIZKIT_HOME/run."""
    from .settings import data_dir

    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / "quizkit"
    return Path(os.path.abspath(data_dir() / "run"))  # absolute: the daemon binds it from another folder


def private(path: Path, create: bool = True) -> str | None:
    """None when `path` is a folder of ours that nobody else may enter; else why not (a link, another owner,
    open to others). Made 0700 where it is missing."""
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError as e:
            return f"{path}: cannot make it: {e.strerror}"
    try:
        st = os.lstat(path)
    except OSError as e:
        return f"{path}: {e.strerror}"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path}: not a folder (a link?)"
    if st.st_uid != os.getuid():
        return f"{path}: owned by uid {st.st_uid}, not you"
    if stat.S_IMODE(st.st_mode) & 0o077:
        return f"{path}: mode {stat.S_IMODE(st.st_mode):o}, others may enter (must be 700)"
    return None


def key(home: Path) -> str:
    """Which daemon serves this process: one per interpreter, quizkit, worker environment and data folder."""
    env = sorted((k, v) for k, v in os.environ.items() if k in _ENV_KEYS or k.startswith(_ENV_PREFIXES))
    what = [sys.executable, str(_PACKAGE), str(home), env]
    return hashlib.blake2b(json.dumps(what).encode(), digest_size=6).hexdigest()


def fingerprint() -> str:
    """quizkit's source and torch's install as they are on disk now (about 1 ms: stats, no import)."""
    import importlib.util

    from .version import __version__

    h = hashlib.blake2b(digest_size=8)
    h.update(f"{__version__} {sys.version}".encode())
    for dirpath, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "locale"))
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{dirpath}/{name} {st.st_mtime_ns} {st.st_size}".encode())
    spec = importlib.util.find_spec("torch")
    if spec and spec.origin:
        where = os.path.dirname(spec.origin)
        for name in ("__init__.py", "version.py"):
            try:
                st = os.stat(os.path.join(where, name))
                h.update(f"{where}/{name} {st.st_mtime_ns} {st.st_size}".encode())
            except OSError:
                pass
    return h.hexdigest()


def _connect(path: Path, timeout: float | None) -> socket.socket | None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(str(path))
    except OSError:
        s.close()
        return None
    return s


def _exchange(s: socket.socket, request: dict) -> dict | None:
    """One request, one reply line; None if the daemon went away or answered nonsense."""
    try:
        s.sendall(json.dumps(request).encode() + b"\n")
        buf = b""
        while b"\n" not in buf:
            chunk = s.recv(1 << 16)
            if not chunk or len(buf) > REPLY_LIMIT:
                return None
            buf += chunk
    except OSError:
        return None
    finally:
        s.close()
    try:
        reply = json.loads(buf.split(b"\n", 1)[0])
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


class Daemon:
    """The daemon for this process's key, in the private folder: ask it, start it, stop it."""

    def __init__(self, home: Path):
        self.home = home
        self.folder = folder()
        self.refused = private(self.folder)
        self.name = key(home)
        self.socket = self.folder / f"w-{self.name}.sock"
        if not self.refused and len(os.fsencode(self.socket)) > 100:  # sun_path holds 108 bytes
            self.refused = f"{self.socket}: too long a path for a socket"
        self.fp = fingerprint()

    def ask(self, request: dict, wait: float | None = 30.0, start: bool = True) -> dict | None:
        """The daemon's reply (started, or replaced when dead or stale, if `start`); None if none could
        answer. A request whose daemon died under it is sent again to the next (a run leaves nothing behind,
        so running it again is the same run)."""
        if self.refused:
            return None
        starts = 0
        while True:
            s = _connect(self.socket, wait) if self._ours() else None
            if s is not None:
                reply = _exchange(s, dict(request, fp=self.fp))
                if reply is not None and not reply.get("stale"):
                    return reply
                # Stale (it has let go of its socket and stops) or gone mid-request (killed): a fresh one.
            if not start or starts == 2 or not self._start():
                return None
            starts += 1

    def _ours(self) -> bool:
        """The socket is a socket of ours (checked again each time: the folder may have changed since)."""
        if private(self.folder, create=False):
            return False
        try:
            st = os.lstat(self.socket)
        except OSError:
            return False
        return stat.S_ISSOCK(st.st_mode) and st.st_uid == os.getuid()

    def _start(self) -> bool:
        """Start a daemon (one at a time: two first checks share the one that wins the lock); False where
        none could be started (the command runs locally)."""
        import fcntl

        try:
            lock = os.open(self.folder / f"w-{self.name}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            return False
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return self._launch()
        except OSError:
            return False
        finally:
            os.close(lock)

    def _launch(self) -> bool:
        """Under the lock: the daemon another command just started, or a new one, listening."""
        if self._ours() and (s := _connect(self.socket, 1.0)) is not None:
            s.close()
            return True  # another command started it meanwhile
        try:
            os.unlink(self.socket)  # a dead daemon's socket (ours: the folder is private)
        except FileNotFoundError:
            pass
        log = os.open(self.folder / f"w-{self.name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            args = [sys.executable, "-m", "quizkit.daemon", str(self.socket), self.fp, str(idle_seconds(self.home))]
            # From quizkit's parent folder, as the worker: `-m` finds this quizkit, not one in the cwd. The
            # launcher forks the daemon and exits, so the daemon is nobody's child (never a zombie of ours).
            p = subprocess.Popen(args, cwd=_PACKAGE.parent, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                 start_new_session=True)  # fmt: skip
        finally:
            os.close(log)
        if p.wait() != 0:  # it could not listen (its log says why): the command runs locally
            return False
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            if self._ours() and (s := _connect(self.socket, 1.0)) is not None:
                s.close()
                return True
            time.sleep(0.01)
        return False

    def status(self) -> dict | None:
        reply = self.ask({"op": "status"}, start=False)
        return reply if reply and isinstance(reply.get("pid"), int) else None

    def stop(self) -> int | None:
        """The pid of the daemon stopped; None when none ran."""
        reply = self.ask({"op": "stop"}, start=False)
        return reply["pid"] if reply and isinstance(reply.get("pid"), int) else None


def _result(reply: Any, limit: int) -> RunResult | None:
    """A daemon's run result, checked field by field and cleaned as the runner cleans a worker's."""
    from .runner import STATUSES

    r = reply.get("result") if isinstance(reply, dict) else None
    if not isinstance(r, dict) or r.get("status") not in STATUSES:
        return None

    def num(x):
        return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0.0

    seed = r.get("seed")
    return RunResult(
        status=r["status"],
        stdout=text.safe(r.get("stdout"), limit + 100),
        stderr=text.safe(r.get("stderr"), limit + 100),
        error=text.safe(r.get("error"), 2000) or None,
        where=text.safe(r.get("where"), 200) or None,
        line=text.safe(r.get("line"), 300) or None,
        seconds=num(r.get("seconds")),
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
    )


class WarmRunner:
    """A Runner whose runs go to the warm daemon; where none can serve (refused folder, no start), a local
    runner.Runner made on first need, as before."""

    def __init__(self, home: Path, memory_mb: int | None = None, local=None):
        from .runner import DEFAULT_MEMORY_MB, DEFAULT_OUTPUT_LIMIT

        self.daemon = Daemon(home)
        self.memory_mb = memory_mb or DEFAULT_MEMORY_MB
        self.output_limit = DEFAULT_OUTPUT_LIMIT
        self.workers = 1
        self._make_local = local
        self._local: Any = None
        self.idle = idle_seconds(home)  # sent with every run: the daemon keeps the latest command's setting
        self.used = "warm"  # or why the runs are local: `-v` says it
        if self.daemon.refused:
            self.used = f"local (the warm worker's folder is refused: {self.daemon.refused})"
        self._cuda: bool | None = None

    def _fallback(self, why: str):
        if self._local is None:
            from .runner import Runner

            self._local = self._make_local(1, self.memory_mb) if self._make_local else Runner(memory_mb=self.memory_mb)
            if self.used == "warm":
                self.used = f"local ({why})"
        return self._local

    def _ask(self, request: dict, wait: float) -> dict | None:
        if self._local is not None:
            return None  # once local, local: a command's runs do not move between workers
        return self.daemon.ask(request, wait)

    def run(self, pieces, device="cpu", timeout=10.0, answer=None, seeds=1, memory_mb=None, question=None,
            reach=None) -> RunResult:  # fmt: skip
        from .runner import START_TIMEOUT, _reach

        reach = _reach(question) if reach is None else reach  # (the bank's folder, loopback: see runner)
        request = {"op": "run", "pieces": [list(p) for p in pieces], "device": device, "timeout": timeout,
                   "answer": answer, "seeds": seeds, "memory_mb": memory_mb or self.memory_mb,
                   "idle": self.idle, "reach": reach}  # fmt: skip
        reply = self._ask(request, wait=START_TIMEOUT + (timeout + 15) * max(1, seeds))
        result = _result(reply, self.output_limit)
        if result is None:
            local = self._fallback("the warm worker did not answer")
            return local.run(pieces, device, timeout, answer, seeds, memory_mb, reach=reach)
        return result

    def cuda_available(self) -> bool:
        if self._cuda is None:
            reply = self._ask({"op": "cuda"}, wait=90.0)
            if reply is not None and isinstance(reply.get("cuda"), bool):
                self._cuda = reply["cuda"]
            else:
                self._cuda = self._fallback("the warm worker did not answer").cuda_available()
        return self._cuda

    def resolve_device(self, wanted: str) -> str:
        from .runner import resolve_device

        return resolve_device(self.cuda_available, wanted)

    def isolation(self) -> dict:
        reply = self._ask({"op": "isolation"}, wait=150.0)
        info = reply.get("isolation") if reply else None
        if not isinstance(info, dict):
            info = self._fallback("the warm worker did not answer").isolation()
        pid = reply.get("pid") if reply else None
        where = f"warm (pid {pid}, {self.daemon.socket})" if self._local is None else self.used
        return dict({str(k): text.safe(str(v), 200) for k, v in info.items()}, **{"warm worker": where})

    def ready(self, eager=False):
        if self._ask({"op": "ready", "eager": bool(eager)}, wait=150.0) is None:
            self._fallback("the warm worker did not answer").ready(eager)

    def warm(self):
        pass  # the daemon is warm already, or its first run starts it

    def close(self):
        """The daemon stays up for the next command; a local fallback stops with the command."""
        if self._local is not None:
            self._local.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def runner(home: Path, workers: int, memory_mb: int | None, local) -> Any:
    """A WarmRunner for one-shot commands with one worker; `local(workers, memory_mb)` (a runner.Runner)
    where the daemon is off (idle 0) or several workers are wanted (verify -j: a batch pays its start once)."""
    if workers > 1 or sys.platform == "win32" or idle_seconds(home) <= 0:  # (no fork, no flock there)
        return local(workers, memory_mb)
    return WarmRunner(home, memory_mb, local)
