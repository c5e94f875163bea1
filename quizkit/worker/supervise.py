"""The worker process: imports torch once, then forks one fresh child per run (quizkit/worker/child.py).

It never touches CUDA itself, so each forked child may initialise CUDA on its own.
Protocol (quizkit/wire.py): one JSON object per line on stdin (requests) and on the saved stdout (replies).
"""

import atexit
import json
import os
import select
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field

from quizkit import confine, namespaces, offmain, seccomp, wire
from quizkit.worker import child, hook, procs, state, warmup
from quizkit.worker.state import mark as _mark

RESULT_LIMIT = 1 << 20  # a result line longer than this is not a result
# A backstop after the run's timeout, in case the runner died without killing the run (kill -9 of quizkit):
# never an orphan loop. (The runner kills the run's group itself at its timeout.)
BACKSTOP_S = 5.0


def main():
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints of the worker itself must not corrupt the protocol
    namespaces.enter_worker()  # no network for any run; before torch, while there is one thread
    import torch  # the whole point: paid once, shared by every fork
    import torch.nn  # noqa: F401
    import torch.nn.functional  # noqa: F401

    procs.become_subreaper()
    state.LANDLOCK = confine.abi()
    confine.prepare()
    seccomp.prepare()
    # Once for every run: no AF_UNIX socket, no io_uring (a filter per run costs ~0.2 ms), and of the user
    # namespace's capabilities only the two that bring a network-loopback run's lo up.
    seccomp.install(inet=True)
    namespaces.drop_capabilities(keep_network=True)
    if os.environ.get("QUIZKIT_WARM_FIRST") == "1":  # a batch (verify): every run's child forked warm
        warmup.warm(torch)
    else:
        warmup.settle(torch, pages=False)  # the first run comes sooner; its child is one of many
    sys.addaudithook(hook.audit)
    offmain.install(os.getpid())
    ready: wire.Ready = {"ready": True, "torch": torch.__version__, "isolation": _isolation()}
    proto.write(json.dumps(ready) + "\n")
    _tidy()
    for line in sys.stdin:
        _mark("request")
        req: wire.Request = json.loads(line)
        reply = _run(req, line, proto)
        if reply.get("status") == wire.UNREADY:  # the run needed torch.func's registrations: warm up, again
            warmup.warm(torch)
            _tidy()
            reply = _run(req, line, proto)
        reply["id"] = req.get("id")  # the runner takes only the reply to the run it asked for
        if state.MARKS is not None:
            _mark("replied")
            reply["timings"] = dict(reply.get("timings") or {}, **state.MARKS)
            state.MARKS.clear()
        proto.write(json.dumps(reply) + "\n")
        # The first run did not wait for these two seconds of lazy imports (the learner's first verdict
        # comes at torch's import plus a run); every later child is forked from the warmed worker.
        warmup.warm(torch)
        _tidy()


# The next run's child, forked ahead (pid, request pipe, stdout, stderr and result pipes): between runs, while
# the learner types, it does all that does not depend on the request (fds, folder, Landlock), then waits for it.
_NEXT: list = []
_LATE: list = []  # the last run's child: killed, its exit (1.5 ms of unmapping) is waited for after the reply


def _tidy():
    """After a reply: fork the next child, then reap the last one (its exit runs meanwhile on another CPU) and
    empty the run folder. The last run can no longer act: its group was killed and its escapees reaped before
    the reply, and the next child runs nothing of the answer's before its request, read after this."""
    home = _run_home()
    if not _NEXT:
        _NEXT.append(_spawn(home))
    while _LATE:
        _reap(_LATE.pop())
    _empty(home)
    _mark("tidied")


def _spawn(home, loopback=False):
    _mark("spawn")
    req_r, req_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.setpgid(0, 0)
            child.run(req_r, out_w, err_w, res_w, home, loopback)
        finally:
            os._exit(70)
    try:
        os.setpgid(pid, pid)  # here too: a kill of its group must reach it whichever of the two runs first
    except OSError:
        pass
    for fd in (req_r, out_w, err_w, res_w):
        os.close(fd)
    _mark("spawned")
    return pid, req_w, out_r, err_r, res_r


def _reap(pid):
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 9  # SIGKILL: reaped with the escapees


def _discard(forked):
    """A forked child that will not run: killed, reaped, its pipes closed."""
    procs.killpg(forked[0])
    for fd in forked[1:]:
        os.close(fd)
    _reap(forked[0])


def _start(line, token, loopback=False):
    """Hands the request to the waiting child; one that died meanwhile is replaced by a fresh one, never
    reported as the run's verdict. Returns the child and the machine's fork count when the run began. A
    network-loopback run gets a child forked for it (one forked ahead has given up what brings lo up)."""
    for _ in range(3):
        if not _NEXT and not loopback:
            _NEXT.append(_spawn(_run_home()))
        forked = _spawn(_run_home(), loopback=True) if loopback else _NEXT.pop()
        forks = procs.forks()
        try:
            data = memoryview((token + "\n" + line).encode())
            while data:
                data = data[os.write(forked[1], data) :]
            os.close(forked[1])
            return forked, forks
        except OSError:  # EPIPE: it is gone
            _discard(forked)
    raise RuntimeError("no child could be started")


def _isolation() -> dict:
    """What contains a run here, for `quizkit verify -v` (and doctor)."""
    return {
        "subreaper": bool(procs.SUBREAPER),
        "memory": "RLIMIT_AS per process, and the whole run's private memory watched every 0.2 s",
        "processes": "the run's process group, then every orphan reparented to the worker (once the run's own process "
        "is gone, where anything forked), killed after each run",
        "cgroup": "not used",
        "files": "an emptied temporary folder as cwd and HOME",
        "landlock": confine.describe(),
        "namespaces": namespaces.describe(),
        "seccomp": seccomp.describe(),
        "environment": "variables that look like secrets (tokens, keys, passwords, cloud and agent sockets) removed",
    }


@dataclass
class _Collected:
    """What a run's pipes and process gave while it ran."""

    pid: int
    out_r: int
    err_r: int
    res_r: int
    limit: int  # bytes kept of stdout and of stderr
    bufs: dict = field(default_factory=dict)
    open_fds: list = field(default_factory=list)
    status: int | None = None  # the child's wait status, once it is reaped
    flooded: bool = False  # printed past the limit: stopped
    over: bool = False  # its processes together past the memory limit: stopped
    peak: int = 0  # the run's peak mapped memory, as last sampled


def _run(req: wire.Request, line: str, proto) -> dict:
    token = os.urandom(16).hex()  # a result line without it was not written by the child's own code
    (pid, _, out_r, err_r, res_r), forks = _start(line, token, bool(req.get("loopback")))
    _mark("sent")
    # The parent needs the pid to kill the child's process group on a timeout.
    started: wire.Started = {"pid": pid, "id": req.get("id")}
    proto.write(json.dumps(started) + "\n")
    run = _Collected(pid, out_r, err_r, res_r, req.get("output_limit", 65536))
    run.bufs = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray()}
    run.open_fds = [out_r, err_r, res_r]
    memory = req.get("memory_mb") if req.get("device", "cpu") == "cpu" else None
    _collect(run, time.monotonic() + req.get("timeout", 10) + BACKSTOP_S, memory)
    _mark("result")
    _end(run, forks + (req.get("answer") is not None))  # a judged run's own thread is one clone
    stdout, stderr = (_cut(run.bufs[fd], run.limit) for fd in (out_r, err_r))
    result = _result(run, token, memory)
    result.update(stdout=stdout, stderr=stderr)
    if run.status is None:
        _LATE.append(pid)
    return result


def _collect(run: _Collected, deadline: float, memory: int | None) -> None:
    """Reads the run's pipes until its result line is in, or the child is gone (a forked grandchild may keep
    pipes open); kills its group past the deadline, the output limit or the memory limit."""
    pid, res_r, bufs, open_fds = run.pid, run.res_r, run.bufs, run.open_fds
    next_look = next_wait = time.monotonic() + 0.2
    while res_r in open_fds and not bufs[res_r].endswith(b"\n"):
        ready, _, _ = select.select(open_fds, [], [], 0.2)
        if time.monotonic() > deadline:
            procs.killpg(pid)
        if memory and not run.over and time.monotonic() > next_look:
            # RLIMIT_AS is per process: a run that forks is held to its limit all together here. Only
            # runs longer than 0.2 s are looked at: reading /proc costs about a millisecond.
            next_look = time.monotonic() + 0.2
            run.peak = max(run.peak, procs.vm_peak(pid))
            if procs.run_memory(pid) > memory * 1024 * 1024:
                run.over = True
                procs.killpg(pid)
                procs.kill_escapees(pid)
        if not ready or run.flooded or time.monotonic() > next_wait:
            # An escapee may keep the pipes busy (and open) after the child is gone: look at the child too.
            next_wait = time.monotonic() + 0.1
            try:
                done, code = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # reaped already
                done, code = pid, 9
            if done:
                run.status = code
                return
        for fd in ready:
            _read(run, fd)


def _read(run: _Collected, fd: int) -> None:
    chunk = os.read(fd, 65536)
    if not chunk:
        run.open_fds.remove(fd)
        return
    buf = run.bufs[fd]
    cap = RESULT_LIMIT if fd == run.res_r else run.limit + 1
    if len(buf) < cap:  # past its cap a stream is drained, not kept
        buf += chunk[: cap - len(buf)]
    if fd != run.res_r and len(buf) > run.limit and not run.flooded:
        run.flooded = True
        procs.killpg(run.pid)
    if fd == run.res_r and len(buf) >= RESULT_LIMIT:
        procs.killpg(run.pid)
        run.open_fds.remove(fd)


def _end(run: _Collected, forks: int) -> None:
    """Whatever the snippet left behind in its group (a fork, a sleeping subprocess) goes now, and so does
    anything that left the group (setsid): as orphans they came back to the worker. Then what the killed group
    had written is drained, without waiting on escapees, and the pipes closed."""
    procs.killpg(run.pid)
    # The run (or anything on the machine) forked: look for orphans. `forks`: the count the run itself explains.
    forked = procs.forks() != forks
    if run.status is None and (not run.bufs[run.res_r].endswith(b"\n") or (forked and procs.has_children(run.pid))):
        # No result: how the child ended is the verdict. Children left: they come back to the worker only once
        # it is gone, so it is waited for before they are looked for (killed, it can make no more).
        run.status = _reap(run.pid)
    if forked:
        procs.kill_escapees(run.pid)
    _mark("scanned")
    # A child that wrote its result had flushed its output first: all of it is in the pipes now, and its exit
    # need not be waited for.
    for fd in run.open_fds:
        while len(run.bufs[fd]) <= run.limit and select.select([fd], [], [], 0.05 if run.status is not None else 0)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            run.bufs[fd] += chunk
    for fd in (run.out_r, run.err_r, run.res_r):
        os.close(fd)
    _mark("cleaned")


def _result(run: _Collected, token: str, memory: int | None) -> dict:
    """The child's own result line (with its token), else how it ended; a run stopped for its memory or its
    output is reported as such."""
    try:
        result = json.loads(bytes(run.bufs[run.res_r]).decode())
        if (
            not isinstance(result, dict)
            or result.pop("token", None) != token
            or result.get("status") not in wire.CHILD_STATUSES
        ):
            raise ValueError("not the child's own result")
    except ValueError:
        if run.status is None:
            run.status = _reap(run.pid)
        result = procs.death(run.status)
        if memory and run.peak >= state.WORKER_VM + memory * 1024 * 1024 * 0.95:
            result = {"status": "memory", "error": f"MemoryError: the run used up its {memory} MiB"}
    if run.over:
        result = {"status": "memory", "error": f"MemoryError: the run's processes together used more than {memory} MiB"}
    if run.flooded:
        result = {
            "status": "error",
            "error": f"OutputLimit: printed more than {run.limit // 1024} KiB; the run was stopped",
        }
    return result


_HOME: list = []


def _run_home() -> str:
    """The folder a run starts in (and its HOME): one per worker, emptied after every run, so each run
    starts in an empty folder without paying for a new one each time (mkdtemp + rmtree cost ~1 ms)."""
    given = os.environ.get("QUIZKIT_RUN_HOME", "")  # made by the runner, which removes it when it stops us
    if not _HOME and given and os.path.isdir(given):
        _HOME[:] = [given]
    if not _HOME or not os.path.isdir(_HOME[0]):
        _HOME[:] = [tempfile.mkdtemp(prefix="quizkit-run-")]
        atexit.register(shutil.rmtree, _HOME[0], True)
    return _HOME[0]


def _empty(home):
    try:
        names = os.listdir(home)
    except OSError:
        return
    for name in names:
        path = os.path.join(home, name)
        try:
            os.chmod(path, 0o700)
        except OSError:
            pass
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


def _cut(buf, limit):
    text = bytes(buf[:limit]).decode("utf-8", "replace")
    if len(buf) > limit:
        text += f"\n… [output cut at {limit // 1024} KiB]"
    return text
