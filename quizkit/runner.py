"""Isolated runs of torch code, as values. Never imports torch: the worker (quizkit/worker/) does.

One worker process per slot imports torch once (about 1.4 s) and forks a fresh child per run
(a few ms). The parent enforces the wall-clock timeout by killing the child's process group,
and restarts a worker that died (a snippet may kill its own parent).
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

from . import runenv, text, wire
from .errors import RunnerError
from .i18n import _
from .model import RunResult

DEFAULT_TIMEOUT = 10.0
DEFAULT_MEMORY_MB = 4096
DEFAULT_OUTPUT_LIMIT = 64 * 1024
START_TIMEOUT = 120.0  # importing torch on a cold disk can be slow
READ_LIMIT = 4 << 20  # a worker's reply line: output is capped at 64 KiB a stream, so this is ample
STATUSES = wire.STATUSES  # (the one list, shared with the worker)
_ids = itertools.count(1)
_HOME_OF_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _remove_tree(path: str) -> None:
    """A runs' folder removed, even where a run took away its own permissions on what it made."""
    import shutil

    def writable(func, name, _exc):
        try:
            os.chmod(os.path.dirname(name), 0o700)
            os.chmod(name, 0o700)
            func(name)
        except OSError:
            pass

    shutil.rmtree(path, onerror=writable)


class _Worker:
    def __init__(self):
        self.proc = None
        self._buf = b""
        self.torch_version = None
        self.isolation: dict = {}
        self.child = None  # the pid of the run in flight: its group dies with the worker
        self.home: str | None = None  # the runs' folder (their cwd and HOME), removed when the worker stops
        self.eager = False  # warm up before the first run (verify), not after it (a learner's first verdict)

    def start(self):
        # What looks like a secret (tokens, keys, agent sockets) is not passed on: a run is third-party code.
        env = dict(runenv.clean(os.environ), OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
        env["QUIZKIT_WARM_FIRST"] = "1" if self.eager else "0"
        # The runs' folder is made (and removed at stop) here: the worker is killed, so its own atexit
        # never ran and every worker start left a /tmp/quizkit-run-* folder behind.
        self.home = tempfile.mkdtemp(prefix="quizkit-run-")
        env["QUIZKIT_RUN_HOME"] = self.home
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quizkit.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            # `-m` looks in the current folder first: started from quizkit's own parent folder, the worker is
            # this quizkit's, never another checkout's that the user happens to be in.
            cwd=_HOME_OF_PACKAGE,
            start_new_session=True,  # Ctrl-C in the terminal reaches quizkit, not the worker
        )
        self._buf = b""

    def ensure_ready(self):
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        if self.torch_version is None:
            hello = self._read(START_TIMEOUT)
            if not hello or not hello.get("ready"):
                self.stop()
                raise RunnerError(_("the torch worker did not start: is torch installed? (pip install torch)"))
            self.torch_version = hello["torch"]
            self.isolation = hello.get("isolation") or {}

    def stop(self):
        if self.child:  # Ctrl-C during a run: the child is in its own group, so kill it by name
            _killpg(self.child)
            self.child = None
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            for f in (self.proc.stdin, self.proc.stdout):
                f.close()
        self.proc, self.torch_version = None, None
        if self.home:
            _remove_tree(self.home)
            self.home = None

    def _read(self, timeout):
        """One JSON line from the worker; None on timeout or if the worker died."""
        deadline = time.monotonic() + timeout
        try:
            fd = self.proc.stdout.fileno()
            while b"\n" not in self._buf:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    return None
                chunk = os.read(fd, 1 << 16)
                if not chunk or len(self._buf) > READ_LIMIT:
                    return None
                self._buf += chunk
        except (OSError, ValueError, AttributeError):  # stopped from another thread (Ctrl-C, close)
            return None
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            return None  # garbage on the protocol: the caller treats it as a dead worker
        return reply if isinstance(reply, dict) else None

    def run(self, request: wire.Request, timeout: float) -> wire.Reply:
        self.ensure_ready()
        run_id = request["id"]
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            self.stop()
            return {"status": "crashed", "error": "the torch worker had died; it was restarted"}
        started = self._read(30)
        if not started or started.get("id") != run_id or not isinstance(started.get("pid"), int):
            self.stop()
            return {"status": "crashed", "error": "the torch worker did not start the run; it was restarted"}
        pid = self.child = started["pid"]
        reply = self._read(timeout)
        while _restarted(reply, run_id):  # the worker warmed up and runs it again in a new child
            pid = self.child = reply["pid"]
            reply = self._read(timeout)
        if reply is None and self.proc is not None and self.proc.poll() is None and not self._buf:
            _killpg(pid)  # over time: the worker reaps the child and answers
            reply = self._read(10)
            if _valid(reply, run_id):
                self.child = None
                if reply.get("status") == "memory":
                    return reply
                late: wire.Reply = dict(reply, status="timeout", seconds=timeout)  # type: ignore[assignment]
                late["error"] = f"stopped after {timeout:g} s (time limit)"
                return late
        if not _valid(reply, run_id):
            # The worker died (killed by the snippet, say) or answered out of turn: a reply that is
            # malformed, late or for another run is never taken as a verdict. Restart it next time.
            _killpg(pid)
            self.stop()
            return {"status": "crashed", "error": "the run broke the torch worker; it was restarted"}
        self.child = None
        return reply


def _restarted(reply, run_id) -> bool:
    """Another start line for the same run: the first run of a worker met torch.func's first registration,
    which a judged run may not make, so the worker warmed up and started it again (see worker.judge.Unready)."""
    return (
        isinstance(reply, dict)
        and reply.get("id") == run_id
        and "status" not in reply
        and isinstance(reply.get("pid"), int)
    )


def _reach(question) -> dict:
    """What a question's runs may reach beyond their own folder and the system's files (see confine)."""
    if question is None:
        return {}
    path = getattr(question, "path", "") or ""
    return {
        "loopback": "network-loopback" in (getattr(question, "requires", ()) or ()),
        "reads": [os.path.dirname(os.path.abspath(path))] if path else [],
    }


def _valid(reply, run_id) -> bool:
    return isinstance(reply, dict) and reply.get("id") == run_id and reply.get("status") in STATUSES


def _number(x) -> float:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0.0


def _killpg(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def gpu_devices() -> bool:
    """False where torch surely sees no GPU: Linux with none of the device files CUDA or ROCm open to reach one
    (see confine.gpu_file). Elsewhere (or with /dev unreadable): True, meaning 'ask torch'."""
    from .confine import gpu_file  # here: confine loads ctypes, which a start without runs does not need

    if not sys.platform.startswith("linux"):
        return True
    try:
        names = os.listdir("/dev")
    except OSError:
        return True
    return any(gpu_file(n) for n in names)


def max_workers() -> int:
    """Each worker holds torch (about 300 MB): never more than the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_device(cuda_available, wanted: str) -> str:
    """cpu, cuda or auto -> cpu or cuda; cuda without a GPU is the user's error. `cuda_available`: a runner's,
    asked only when it matters."""
    if wanted == "cpu":
        return "cpu"
    if wanted not in ("cuda", "auto"):
        raise RunnerError(_("--device must be cpu, cuda or auto, not '{value}'").format(value=wanted))
    if cuda_available():
        return "cuda"
    if wanted == "cuda":
        raise RunnerError(_("--device cuda: torch sees no CUDA GPU here (use --device cpu or auto)"))
    return "cpu"


class Runner:
    """A pool of warm workers. Thread-safe: `run` may be called from several threads at once."""

    def __init__(self, workers=1, memory_mb=DEFAULT_MEMORY_MB, output_limit=DEFAULT_OUTPUT_LIMIT):
        self.memory_mb = memory_mb
        self.output_limit = output_limit
        self.workers = max(1, min(workers, max_workers()))
        self._all = [_Worker() for _ in range(self.workers)]
        self._free: queue.Queue = queue.Queue()
        for w in self._all:
            self._free.put(w)
        self._cuda = None
        self._warming = None
        self._closed = False

    def warm(self):
        """Start the workers in the background, so the first run does not wait for `import torch`."""
        if self._warming is None:
            self._warming = threading.Thread(target=self._warm_all, daemon=True)
            self._warming.start()

    def _warm_all(self):
        for w in self._all:  # start all first: they import torch in parallel
            if w.proc is None and not self._closed:
                w.start()
        for w in self._all:
            if self._closed:
                return
            try:
                w.ensure_ready()
            except (RunnerError, OSError, ValueError, AttributeError):
                pass  # reported again on the first real run (or the runner was closed meanwhile)

    def ready(self, eager=False):
        """Block until every worker has imported torch (started in parallel). `eager`: workers not started
        yet also warm up before they say ready (for a batch of runs, as verify; a learner's first verdict
        does not wait for it)."""
        if eager:
            for w in self._all:
                w.eager = True
        self.warm()
        self._wait_warm()

    def _wait_warm(self):
        if self._warming is not None:
            self._warming.join()

    def run(
        self,
        pieces,
        device="cpu",
        timeout=DEFAULT_TIMEOUT,
        answer=None,
        seeds=1,
        memory_mb=None,
        question=None,
        reach=None,
    ) -> RunResult:
        """Run code pieces [(name, code), ...] one after another in one fresh namespace.

        `answer`: the index of the answer's piece; what it patches is undone before the pieces after it
        (the tests) run, and their failing asserts report values. `seeds`: one fresh run per seed
        0 .. seeds-1; the first that does not pass is the result. `memory_mb`: this run's limit, where it is
        not the runner's (the warm daemon serves commands with their own). `question`: the question the code
        is of: its bank's folder may be read, and loopback is there if it requires network-loopback (`reach`:
        the same, already worked out, as the warm daemon is handed it)."""
        result = RunResult("crashed")
        reach = _reach(question) if reach is None else reach
        for seed in range(max(1, seeds)):
            result = self._run_once(pieces, device, timeout, answer, seed, memory_mb or self.memory_mb, reach)
            if not result.ok:
                if seeds > 1:
                    result.seed = seed
                break
        return result

    def _run_once(self, pieces, device, timeout, answer, seed, memory_mb, reach) -> RunResult:
        self._wait_warm()
        request: wire.Request = {
            "id": next(_ids),
            "pieces": [list(p) for p in pieces],
            "device": device,
            "answer": answer,
            "seed": seed,
            "memory_mb": memory_mb,
            "output_limit": self.output_limit,
            "timeout": timeout,
        }
        if "loopback" in reach:
            request["loopback"] = bool(reach["loopback"])
        if "reads" in reach:
            request["reads"] = [str(r) for r in reach["reads"]]
        worker = self._free.get()
        try:
            reply = worker.run(request, timeout)
        finally:
            self._free.put(worker)
        return RunResult(
            status=reply.get("status", "crashed"),
            stdout=text.safe(reply.get("stdout"), self.output_limit + 100),
            stderr=text.safe(reply.get("stderr"), self.output_limit + 100),
            error=text.safe(reply.get("error"), 2000) or None,
            where=text.safe(reply.get("where"), 200) or None,
            line=text.safe(reply.get("line"), 300) or None,
            seconds=_number(reply.get("seconds")),
        )

    def isolation(self) -> dict:
        """How runs are contained here, as the worker found it."""
        self.ready()
        return dict(self._all[0].isolation, torch=self._all[0].torch_version)

    def cuda_available(self) -> bool:
        """Asked of a forked child, so the worker itself never initialises CUDA; not asked at all (torch not
        started) on a Linux machine with no GPU device for torch to open."""
        if self._cuda is None and not gpu_devices():
            self._cuda = False
        if self._cuda is None:
            result = self.run(
                [("probe", "print(torch.cuda.is_available() and torch.cuda.device_count() > 0)")], timeout=60
            )
            self._cuda = result.ok and result.stdout.strip() == "True"
        return self._cuda

    def resolve_device(self, wanted: str) -> str:
        return resolve_device(self.cuda_available, wanted)

    def close(self):
        """Stop every worker now, even one still importing torch: quitting never waits for start-up."""
        self._closed = True
        for w in self._all:
            w.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_IMPLEMENTS: type[wire.Runner] = Runner  # mypy checks here that the pool implements the protocol callers use
