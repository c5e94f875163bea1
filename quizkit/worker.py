"""The torch worker: imports torch once, then forks one fresh child per run.

Started by runner.py as `python -m quizkit.worker`. This is the only module that imports torch.
It never touches CUDA itself, so each forked child may initialise CUDA on its own.
Protocol: one JSON object per line on stdin (requests) and on the saved stdout (replies).
"""

import _thread
import functools
import gc
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
import types

from quizkit import asserts, confine, namespaces, offmain, seccomp

PIECE_FILE = "<{}>"  # the pseudo file name of each piece of code, e.g. <tests>
_WORKER_VM = 0  # the worker's mapped bytes after warm-up; a run's memory limit comes on top
_PRISTINE: list = []  # (object, its attributes) of what tests rely on, as the worker imported them
_LANDLOCK = 0  # the kernel's Landlock ABI: each run is confined with it where it is there
_EXEC, _COMPILE = exec, compile  # the judge's own references, whatever an answer rebinds
_LEFT_THREAD = b'{"status": "error", "error": "the answer left a thread running", "seconds": 0.0, "token": "'
RESULT_LIMIT = 1 << 20  # a result line longer than this is not a result
PR_SET_CHILD_SUBREAPER = 36
# QUIZKIT_TIMINGS=1: each reply carries monotonic marks of a run's stages (benchmarks/runcost.py); off, a mark
# is one test of None.
_MARKS: dict | None = {} if os.environ.get("QUIZKIT_TIMINGS") == "1" else None


def _mark(name, since=None):
    """Records when a stage ended; with `since`, adds the time since then to a running total instead."""
    if _MARKS is not None:
        now = time.monotonic()
        _MARKS[name] = _MARKS.get(name, 0.0) + now - since if since is not None else now


def _now():
    return time.monotonic() if _MARKS is not None else None


def main():
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints of the worker itself must not corrupt the protocol
    namespaces.enter_worker()  # no network for any run; before torch, while there is one thread
    import torch  # the whole point: paid once, shared by every fork
    import torch.nn  # noqa: F401
    import torch.nn.functional  # noqa: F401

    _become_subreaper()
    global _LANDLOCK
    _LANDLOCK = confine.abi()
    confine.prepare()
    seccomp.prepare()
    # Once for every run: no AF_UNIX socket, no io_uring (a filter per run costs ~0.2 ms), and of the user
    # namespace's capabilities only the two that bring a network-loopback run's lo up.
    seccomp.install(inet=True)
    namespaces.drop_capabilities(keep_network=True)
    if os.environ.get("QUIZKIT_WARM_FIRST") == "1":  # a batch (verify): every run's child forked warm
        _warm(torch)
    else:
        _settle(torch, pages=False)  # the first run comes sooner; its child is one of many
    sys.addaudithook(_audit)
    offmain.install(os.getpid())
    proto.write(json.dumps({"ready": True, "torch": torch.__version__, "isolation": _isolation()}) + "\n")
    _tidy()
    for line in sys.stdin:
        _mark("request")
        req = json.loads(line)
        reply = _run(req, line, proto)
        if reply.get("status") == "unready":  # the run needed torch.func's registrations: warm up, run again
            _warm(torch)
            _tidy()
            reply = _run(req, line, proto)
        reply["id"] = req.get("id")  # the runner takes only the reply to the run it asked for
        if _MARKS is not None:
            _mark("replied")
            reply["timings"] = dict(reply.get("timings") or {}, **_MARKS)
            _MARKS.clear()
        proto.write(json.dumps(reply) + "\n")
        # The first run did not wait for these two seconds of lazy imports (the learner's first verdict
        # comes at torch's import plus a run); every later child is forked from the warmed worker.
        _warm(torch)
        _tidy()


_WARMED: list = []


def _warm(torch):
    if not _WARMED:
        _register(torch)
        _warm_up(torch)
        _settle(torch)
        _WARMED.append(True)


def _settle(torch, pages=True):
    """What every child is forked from: the snapshot the judge restores, the worker's own memory size (the
    base of a run's limit), everything imported moved out of the GC's reach (a child's collection would
    touch every object and copy the worker's memory page by page), and 2 MiB pages."""
    import gc

    global _WORKER_VM
    _WORKER_VM = _vm_bytes()  # reading /proc/self/status costs ~1.5 ms: here, not per run
    _PRISTINE.clear()
    _snapshot(torch)
    gc.freeze()
    if pages:
        _huge_pages()


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
            _child(req_r, out_w, err_w, res_w, home, loopback)
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


def _discard(child):
    """A forked child that will not run: killed, reaped, its pipes closed."""
    _killpg(child[0])
    for fd in child[1:]:
        os.close(fd)
    _reap(child[0])


def _start(line, token, loopback=False):
    """Hands the request to the waiting child; one that died meanwhile is replaced by a fresh one, never
    reported as the run's verdict. Returns the child and the machine's fork count when the run began. A
    network-loopback run gets a child forked for it (one forked ahead has given up what brings lo up)."""
    for _ in range(3):
        if not _NEXT and not loopback:
            _NEXT.append(_spawn(_run_home()))
        child = _spawn(_run_home(), loopback=True) if loopback else _NEXT.pop()
        forks = _forks()
        try:
            data = memoryview((token + "\n" + line).encode())
            while data:
                data = data[os.write(child[1], data) :]
            os.close(child[1])
            return child, forks
        except OSError:  # EPIPE: it is gone
            _discard(child)
    raise RuntimeError("no child could be started")


def _snapshot(torch):
    """What the tests (and the worker's own judging) rely on, as imported: put back after the answer runs,
    before the tests do, and again before the result is written."""
    import builtins
    import json.encoder
    import math

    import torch.testing._comparison

    for obj in (
        torch,
        torch.nn,
        torch.nn.functional,
        torch.testing,
        torch.testing._comparison,
        torch.autograd,
        math,
        builtins,
        torch.Tensor,
        torch.nn.Module,
        torch.nn.Parameter,
        json,
        json.encoder,
        os,
        asserts,
        sys.modules[__name__],  # the worker itself (it runs as __main__): its exec, its helpers
    ):
        _PRISTINE.append((obj, dict(vars(obj))))
    _TAGS[:] = _version_tags()
    defaults = list(_restore.__defaults__ or ())
    defaults[2] = _freeze()  # the third default: judge
    _restore.__defaults__ = tuple(defaults)
    judged = {f for _, attrs in _PRISTINE for f in attrs.values() if isinstance(f, types.FunctionType)}
    judged |= {f for f in vars(sys.modules[__name__]).values() if isinstance(f, types.FunctionType)}
    _audit.__defaults__ = (*(_audit.__defaults__ or ())[:-1], frozenset(judged))


def _freeze() -> tuple:
    """The snapshot as _restore reads it: tuples and read-only views, held in its own default argument. An
    answer can reach this module's globals (sys.modules['__main__']) and empty or rebind a list there; it
    cannot change a tuple, and the audit hook refuses it a new __defaults__ or __code__ for _restore."""
    pristine = tuple(
        (obj, tuple(attrs.items()), isinstance(obj, type) or getattr(obj, "__name__", "") in _STRICT)
        for obj, attrs in _PRISTINE
    )
    return pristine, tuple((view.toreadonly(), value) for view, value in _TAGS), _handlers()


def _handlers() -> tuple:
    """(signal, its handler) as the worker set them: put back by _restore. A handler the answer installs runs
    between any two bytecodes of the tests (an interval timer, or a process of its own that keeps signalling)
    and could patch what the restore had just put back."""
    import _signal
    import signal

    return tuple((s, _signal.getsignal(s)) for s in signal.valid_signals() if _signal.getsignal(s) is not None)


def _signal_calls():
    import _signal

    timers = (_signal.ITIMER_REAL, _signal.ITIMER_VIRTUAL, _signal.ITIMER_PROF)
    return _signal.getsignal, _signal.signal, _signal.setitimer, timers


# (a view of the version tag of each snapshotted dict, its value then): CPython's PEP 509 counter, changed by
# every write to that dict. _restore skips a dict whose tag is unchanged instead of touching each value, which
# copies the pages under them into the child (3.5 ms of a judged run). Empty where tags cannot be read.
_TAGS: list = []


def _dict_of(obj) -> dict:
    d = vars(obj)
    if not isinstance(d, dict):  # a class's mappingproxy: the dict behind it
        import gc

        d = next(r for r in gc.get_referents(d) if isinstance(r, dict))
    return d


def _version_tags() -> list:
    """See _TAGS: where this CPython keeps them where 3.10-3.13 do (after the header and the size), and they
    are seen to change on a write; else []. A memoryview reads them later without any Python-level call that
    an answer could patch."""
    import ctypes

    if sys.implementation.name != "cpython" or not (3, 10) <= sys.version_info[:2] <= (3, 13):
        return []

    def view(d, offset):
        return memoryview((ctypes.c_ubyte * 8).from_address(id(d) + offset)).cast("B").cast("Q")

    probe: dict = {}
    before = view(probe, 24)[0]
    probe["x"] = object()
    if view(probe, 24)[0] == before or view(probe, 16)[0] != 1:
        return []
    dicts = [_dict_of(obj) for obj, _ in _PRISTINE]
    if any(view(d, 16)[0] != len(d) for d in dicts):
        return []
    return [(view(d, 24), view(d, 24)[0]) for d in dicts]


_STRICT = ("json", "json.encoder", "os", "quizkit.asserts", "__main__", "quizkit.worker")


def _modes(torch):
    return torch._C._len_torch_function_stack(), torch._C._len_torch_dispatch_stack()


def _pop_modes(torch, depth=(0, 0)):
    """Torch function and dispatch modes above `depth` (what the tests themselves entered stays): a mode
    left on by the answer would see, and could answer, every comparison the tests make."""
    from torch.utils._python_dispatch import _pop_mode

    while torch._C._len_torch_function_stack() > depth[0]:
        torch._C._pop_torch_function_stack()
    while torch._C._len_torch_dispatch_stack() > depth[1]:
        _pop_mode()


def _restore(torch=None, depth=(0, 0), judge=((), (), ()), _vars=vars, _setattr=setattr, _delattr=delattr,
             _signals=_signal_calls()):  # fmt: skip
    """The judge's objects as the worker imported them (`judge`: see _freeze; builtins bound here, so an
    answer that patched them changes nothing), and its signal handlers, with every interval timer disarmed.
    No trace or profile function can be on: the audit hook refuses them in a run."""
    getsignal, setsignal, setitimer, timers = _signals
    for timer in timers:  # first: a timer must not fire into a default handler that ends the run
        setitimer(timer, 0)
    pristine, tags, handlers = judge
    for sig, handler in handlers:
        if getsignal(sig) is not handler:
            setsignal(sig, handler)
    if torch is not None:
        _pop_modes(torch, depth)
    for i, (obj, attrs, strict) in enumerate(pristine):
        if tags and tags[i][0][0] == tags[i][1]:
            continue  # unchanged since the snapshot
        now = _vars(obj)
        for key, value in attrs:
            if now.get(key, attrs) is not value:
                try:
                    _setattr(obj, key, value)
                except (AttributeError, TypeError):
                    pass
        if strict:  # a method added to a class (or a name to these modules) shadows the real one: remove it
            known = {key for key, _value in attrs}
            for key in [k for k in now if k not in known]:
                try:
                    _delattr(obj, key)
                except (AttributeError, TypeError):
                    pass


_SUBREAPER: list = []


def _isolation() -> dict:
    """What contains a run here, for `quizkit verify -v` (and doctor)."""
    return {
        "subreaper": bool(_SUBREAPER),
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


_REFUSED = (
    ("sys.addaudithook", "audit hooks are"),  # one would run inside the judge's own attribute reads
    ("sys.settrace", "trace functions are"),  # a tracer can rewrite the judge's local variables as it runs
    ("sys.setprofile", "profile functions are"),
    ("gc.get_objects", "gc.get_objects is"),  # the way to the judge's objects from an answer that has none
    ("gc.get_referrers", "gc.get_referrers is"),
)
_REFUSED_NAMES = frozenset(name for name, _what in _REFUSED)
_CODE_ATTRS = frozenset(("__code__", "__defaults__", "__kwdefaults__"))


def _audit(event, args, _worker=os.getpid(), _getpid=os.getpid, _refused=_REFUSED,
           _names=_REFUSED_NAMES, _code=_CODE_ATTRS,
           _function=types.FunctionType, _type=type, _judged=frozenset()):  # fmt: skip
    """The worker's audit hook, added before any run; what it reads is bound here, where an answer cannot
    rebind it. In a run's child it refuses what an answer could use to reach into the judge and rewrite the
    verdict: another audit hook, trace and profile functions, the garbage collector's object lists, and a
    new __code__, __defaults__ or __kwdefaults__ for a function the tests or the judge rely on (`_judged`,
    bound at the snapshot: every function of the snapshotted objects, and this module's)."""
    # Every audited event of every run comes here: the cheap test of the event's name goes first, the
    # getpid system call only for the few that matter.
    if event in _names:
        if _getpid() != _worker:
            what = next(what for name, what in _refused if name == event)
            raise RuntimeError(f"{what} not allowed in a run")
    elif (
        event == "object.__setattr__"
        and args[1] in _code
        and _type(args[0]) is _function  # (an unhashable object with such an attribute must not fail here)
        and args[0] in _judged
        and _getpid() != _worker
    ):
        raise RuntimeError(f"setting {args[1]} of {args[0].__qualname__} is not allowed in a run")


class _Unready(BaseException):
    """A judged run before the worker's warm-up met torch.func's first registration: run it again warm."""


def _refuse_libraries(torch, warm):
    """torch.library replaces aten kernels (aten::equal, eq, isclose) in the C++ dispatcher, which no
    restore of Python objects reaches: in a judged run, creating a library is refused. torch.func makes its
    own on first use: the worker does that in its warm-up, and a run forked before it is run again after."""

    def refused(*args, **kwargs):
        if not warm:
            raise _Unready()
        raise RuntimeError("torch.library registrations are not allowed in a judged run")

    torch._C._dispatch_library = refused


def _become_subreaper():
    """Orphans of a run (a child that called setsid and outlived its parent) come back to the worker,
    which kills them after the run, instead of to init, where they would outlive quizkit."""
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0:
            _SUBREAPER.append(True)
    except (OSError, AttributeError):
        pass


MADV_COLLAPSE = 25  # Linux 6.1+
_HUGE = 1 << 21


def _huge_pages():
    """Back the worker's private memory (about 200 MB after warm-up) with 2 MiB pages: a fork then copies
    one page-table entry per 2 MiB instead of 512, and a child's exit frees as few. Forking plus reaping a
    child falls from about 10 ms to 3. Where the kernel cannot (older, THP off), nothing changes."""
    try:
        import ctypes

        madvise = ctypes.CDLL(None, use_errno=True).madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps") as f:
            rows = [row.split() for row in f]
    except (OSError, AttributeError):
        return
    for row in rows:
        if row[1] != "rw-p" or (len(row) > 5 and row[5] != "[heap]"):  # the heap and anonymous mappings
            continue
        lo, hi = (int(x, 16) for x in row[0].split("-"))
        lo = (lo + _HUGE - 1) & -_HUGE
        hi &= -_HUGE
        if hi > lo:
            madvise(lo, hi - lo, MADV_COLLAPSE)  # best effort: a range it cannot collapse stays as it is


def _register(torch):
    """torch.func registers its kernels with torch.library on first use: done in the warm-up, since a
    judged run may not register any (see _refuse_libraries). CPU only, one thread: the worker stays safe
    to fork."""
    torch.set_num_threads(1)
    m = torch.nn.Linear(2, 1)
    square = lambda t: (t * t).sum()  # noqa: E731
    torch.func.vmap(torch.func.grad(square))(torch.ones(2, 2))
    torch.func.jacrev(torch.sin)(torch.ones(2))
    torch.func.jacfwd(torch.sin)(torch.ones(2))
    torch.func.hessian(square)(torch.ones(2))
    torch.func.functional_call(m, dict(m.named_parameters()), (torch.ones(1, 2),))


def _warm_up(torch):
    """First calls that import a lot lazily (assert_close, gradcheck and optimizers pull in sympy and
    dynamo: 0.3-1 s each). Paid here once, after the first run's reply, instead of in every child. CPU
    only, one thread, so the worker stays safe to fork; children reset seed and settings."""
    import warnings

    torch.testing.assert_close(torch.ones(2), torch.ones(2))
    x = torch.ones(2, dtype=torch.double, requires_grad=True)
    torch.autograd.gradcheck(lambda t: t.exp(), x)
    m = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    m(torch.ones(1, 2)).sum().backward()
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.trace(lambda t: t * 2, torch.ones(2))


def _run(req, line, proto):
    token = os.urandom(16).hex()  # a result line without it was not written by the child's own code
    (pid, _, out_r, err_r, res_r), forks = _start(line, token, bool(req.get("loopback")))
    _mark("sent")
    # The parent needs the pid to kill the child's process group on a timeout.
    proto.write(json.dumps({"pid": pid, "id": req.get("id")}) + "\n")
    limit = req.get("output_limit", 65536)
    bufs = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray()}
    flooded = False
    open_fds = [out_r, err_r, res_r]
    # Done when the result line is in, or when the child is gone (a forked grandchild may keep pipes open).
    status = None
    # A backstop in case the parent died without killing the run (kill -9 of quizkit): never an orphan loop.
    deadline = time.monotonic() + req.get("timeout", 10) + req.get("grace", 5)
    memory = req.get("memory_mb") if req.get("device", "cpu") == "cpu" else None
    next_look = next_wait = time.monotonic() + 0.2
    over = False
    peak = 0  # the run's peak mapped memory, as last sampled
    while res_r in open_fds and not bufs[res_r].endswith(b"\n"):
        ready, _, _ = select.select(open_fds, [], [], 0.2)
        if time.monotonic() > deadline:
            _killpg(pid)
        if memory and not over and time.monotonic() > next_look:
            # RLIMIT_AS is per process: a run that forks is held to its limit all together here. Only
            # runs longer than 0.2 s are looked at: reading /proc costs about a millisecond.
            next_look = time.monotonic() + 0.2
            peak = max(peak, _vm_peak(pid))
            if _run_memory(pid) > memory * 1024 * 1024:
                over = True
                _killpg(pid)
                _kill_escapees(pid)
        if not ready or flooded or time.monotonic() > next_wait:
            # An escapee may keep the pipes busy (and open) after the child is gone: look at the child too.
            next_wait = time.monotonic() + 0.1
            try:
                done, code = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # reaped already
                done, code = pid, 9
            if done:
                status = code
                break
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.remove(fd)
                continue
            cap = RESULT_LIMIT if fd == res_r else limit + 1
            if len(bufs[fd]) < cap:  # past its cap a stream is drained, not kept
                bufs[fd] += chunk[: cap - len(bufs[fd])]
            if fd != res_r and len(bufs[fd]) > limit and not flooded:
                flooded = True
                _killpg(pid)
            if fd == res_r and len(bufs[fd]) >= RESULT_LIMIT:
                _killpg(pid)
                open_fds.remove(fd)
    _mark("result")
    # Whatever the snippet left behind in its group (a fork, a sleeping subprocess) goes now,
    # and so does anything that left the group (setsid): as orphans they came back to the worker.
    _killpg(pid)
    # The run (or anything on the machine) forked: look for orphans. A judged run's own thread is one clone.
    forked = _forks() != forks + (req.get("answer") is not None)
    if status is None and (not bufs[res_r].endswith(b"\n") or (forked and _has_children(pid))):
        # No result: how the child ended is the verdict. Children left: they come back to the worker only once
        # it is gone, so it is waited for before they are looked for (killed, it can make no more).
        status = _reap(pid)
    if forked:
        _kill_escapees(pid)
    _mark("scanned")
    # Drain what the killed group had written, without waiting on escapees. A child that wrote its result had
    # flushed its output first: all of it is in the pipes now, and its exit need not be waited for.
    for fd in open_fds:
        while len(bufs[fd]) <= limit and select.select([fd], [], [], 0.05 if status is not None else 0)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            bufs[fd] += chunk
    for fd in (out_r, err_r, res_r):
        os.close(fd)
    _mark("cleaned")
    stdout, stderr = (_cut(bufs[fd], limit) for fd in (out_r, err_r))
    try:
        result = json.loads(bytes(bufs[res_r]).decode())
        if not isinstance(result, dict) or result.pop("token", None) != token or result.get("status") not in STATUSES:
            raise ValueError("not the child's own result")
    except ValueError:
        if status is None:
            status = _reap(pid)
        result = _death(status)
        memory = req.get("memory_mb")
        if memory and req.get("device", "cpu") == "cpu" and peak >= _WORKER_VM + memory * 1024 * 1024 * 0.95:
            result = {"status": "memory", "error": f"MemoryError: the run used up its {memory} MiB"}
    if over:
        result = {"status": "memory", "error": f"MemoryError: the run's processes together used more than {memory} MiB"}
    if flooded:
        result = {
            "status": "error",
            "error": f"OutputLimit: printed more than {limit // 1024} KiB; the run was stopped",
        }
    result.update(stdout=stdout, stderr=stderr)
    if status is None:
        _LATE.append(pid)
    return result


STATUSES = ("pass", "fail", "error", "timeout", "memory", "crashed", "unready")  # unready: see _Unready
_HOME: list = []


def _run_home() -> str:
    """The folder a run starts in (and its HOME): one per worker, emptied after every run, so each run
    starts in an empty folder without paying for a new one each time (mkdtemp + rmtree cost ~1 ms)."""
    given = os.environ.get("QUIZKIT_RUN_HOME", "")  # made by the runner, which removes it when it stops us
    if not _HOME and given and os.path.isdir(given):
        _HOME[:] = [given]
    if not _HOME or not os.path.isdir(_HOME[0]):
        _HOME[:] = [tempfile.mkdtemp(prefix="quizkit-run-")]
        import atexit

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


def _vm_peak(pid) -> int:
    """The run's peak of mapped memory: a run stopped at its timeout that had reached its memory limit
    (allocating slowly, or catching MemoryError) is reported as a memory run."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for row in f:
                if row.startswith("VmPeak:"):
                    return int(row.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _processes():
    """(pid, parent pid, process group) of every process on the machine, from /proc; every pid, since a
    run can fork until pids wrap around below its own."""
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return
    for p in pids:
        try:
            with open(f"/proc/{p}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            yield p, int(fields[1]), int(fields[2])
        except (OSError, IndexError, ValueError):
            continue


def _run_memory(run_pid) -> int:
    """Bytes the run's processes hold privately (what they wrote on top of the worker's shared pages):
    its group, and its orphans that came back to the worker."""
    me, total = os.getpid(), 0
    for p, parent, group in _processes():
        if p != run_pid and group != run_pid and parent != me:
            continue
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for row in f:
                    if row.startswith(("Private_Clean:", "Private_Dirty:")):
                        total += int(row.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


def _has_children(pid) -> bool:
    """Whether the run's process has children now (True where the kernel cannot say)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as f:
            return bool(f.read().strip())
    except FileNotFoundError:
        return os.path.exists(f"/proc/{pid}")  # gone: its children came to the worker; no such file: unknown
    except OSError:
        return True


def _forks() -> int:
    """Processes created on this machine since boot (/proc/stat): unchanged but for the run's own fork
    means the run forked nothing, and the ~1 ms scan for its orphans can be skipped."""
    try:
        with open("/proc/stat", "rb") as f:
            for row in f:
                if row.startswith(b"processes "):
                    return int(row.split()[1])
    except (OSError, ValueError):
        pass
    return -1  # unknown: always scan


def _kill_escapees(run_pid):
    """Kill every process that is now a child of the worker: a run's orphans, reparented here because the
    worker is a subreaper."""
    me = os.getpid()
    for _ in range(100):
        found = [p for p, parent, _ in _processes() if parent == me and p != run_pid]
        if not found:
            break
        for p in found:
            for kill in (os.killpg, os.kill):
                try:
                    kill(p, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        # Reaped in any order: a run's pid namespace's init exits only once the worker has reaped the processes
        # of that namespace that came back to it (waiting for the init alone would wait forever).
        left = set(found)
        while left:
            try:
                left.discard(os.waitpid(-1, 0)[0])
            except ChildProcessError:
                break
    while True:  # reap whatever else ended
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if not done:
            break


def _death(status):
    """A child that sent no result: it crashed, was killed, or left through os._exit."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return {"status": "crashed", "error": f"the run was killed by {name}", "signal": sig}
    return {"status": "crashed", "error": f"the run exited with status {os.WEXITSTATUS(status)} before finishing"}


def _cut(buf, limit):
    text = bytes(buf[:limit]).decode("utf-8", "replace")
    if len(buf) > limit:
        text += f"\n… [output cut at {limit // 1024} KiB]"
    return text


def _killpg(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _child(req_r, out_w, err_w, res_w, home, loopback=False):
    # The judge's own functions, bound before any answer runs: an answer can rebind this module's names
    # (the first restore puts them back, but it has to be the real one that does it).
    restore, judge_state, guard, execute, build, clock = _restore, _judge_state, _guard, _EXEC, _COMPILE, _now
    names_of = _code_names
    gc_disable, sleep, write, exit_now = gc.disable, time.sleep, os.write, os._exit  # bound before any answer
    import builtins
    import linecache
    import math
    import resource

    _mark("c_start")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    # Only the run's own pipe ends stay open: not the worker's protocol, not another run's result pipe.
    os.dup2(res_w, 3)
    os.dup2(req_r, 4)
    res_w, req_r = 3, 4
    os.closerange(5, 1 << 16)
    os.chdir(home)
    os.environ["HOME"] = home
    os.environ["TMPDIR"] = home
    tempfile.tempdir = None
    _mark("c_fds")
    rules = confine.ruleset(home, _LANDLOCK)  # in force after the request, which names the bank's folder
    if not loopback and not namespaces.network_isolated():  # no namespace cuts INET off: seccomp does
        seccomp.install(inet=False)
    _mark("c_landlock")
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")
    # Ready: the request (its token, then the runner's line) comes now. Its end, empty: the worker is gone.
    chunks = []
    while chunk := os.read(req_r, 1 << 16):
        chunks.append(chunk)
    os.close(req_r)
    if not chunks:
        os._exit(0)
    token, line = b"".join(chunks).decode().split("\n", 1)
    req = json.loads(line)
    _mark("c_request")
    if loopback:  # a child forked for this run, which asked for it
        namespaces.loopback()
        namespaces.drop_capabilities()
    confine.restrict(rules, _LANDLOCK, req.get("reads") or (), tcp=loopback)
    _mark("c_layers")
    device_name = req.get("device", "cpu")
    memory = req.get("memory_mb")
    if memory and device_name == "cpu":
        # RLIMIT_AS counts what the worker already mapped (torch is large): the limit is on top of it.
        resource.setrlimit(resource.RLIMIT_AS, ((_WORKER_VM or _vm_bytes()) + memory * 1024 * 1024,) * 2)

    import random

    import torch

    seed = int(req.get("seed", 0))
    random.seed(seed)
    if device_name == "cpu":
        torch.default_generator.manual_seed(
            seed
        )  # what torch.manual_seed does for the CPU, without 1.5 ms of other backends
    else:
        torch.manual_seed(seed)
    torch.set_num_threads(1)
    dtype = torch.get_default_dtype()
    namespace = {
        "__name__": "__main__",
        "torch": torch,
        "nn": torch.nn,
        "F": torch.nn.functional,
        "math": math,
        "device": torch.device(device_name),
        "assert_close": torch.testing.assert_close,
    }
    answer_at = req.get("answer")  # the index of the answer's piece; the pieces after it judge it
    answer_ns = {}
    tests_base = {}  # the tests' namespace as they began: what is not in it (or changed) they bound
    saved_names = set()  # the run's names before the answer: never shared, the answer has its own
    wanted = []  # the global names the answer's code refers to, less the run's own: all share() looks at

    def share(before=None, _list=list):
        """Around each call from the tests into the answer's code (see _called). Before it (`before` None):
        the original contract, where the tests ran "in the same namespace" as the answer, so an answer's
        function sees the names the tests bound at their top level (a helper, a constant): those its code
        refers to are copied into the answer's own globals (a name reached only through globals()[...] is
        not), and rebinding them there leaves the tests' names as they were. The run's own names (torch,
        assert_close, ..., what setup defined) and the assert rewriter's temporaries stay the tests' own, also
        where the tests rebind them. Returns the tests' namespace as it was. After the call (`before`: that
        copy): the tests' namespace is put back as it was, so an answer that reached it anyway (through a
        frame's f_globals) rebinds nothing of the tests'. (Defined before the answer runs: it uses only dict
        methods and what it binds here, which no answer can patch; it runs after the call's restore.)"""
        if before is None:
            for key in wanted:
                value = namespace.get(key, tests_base)
                if value is not tests_base and tests_base.get(key, tests_base) is not value:
                    answer_ns[key] = value
            return namespace.copy()
        if namespace.keys() != before.keys():
            for key in _list(namespace):
                if key not in before:
                    del namespace[key]
        for key, value in before.items():
            if namespace.get(key, before) is not value:
                namespace[key] = value
        return None

    _mark("c_ready")
    saved = {}
    sources = {}
    box = []  # what the judged thread hands back: plain values, checked again here
    done = _thread.allocate_lock()
    done.acquire()
    count, left_thread = _thread._count, _LEFT_THREAD  # (the main thread reads no global before its restore)
    threads = count()
    timer = time.perf_counter

    def judged():
        """The pieces, the answer and its tests, in a thread of their own: the audit hook refuses every
        thread but the main one the frames, ctypes and new programs that would reach the judge's own state
        (quizkit/offmain.py). Nothing of the main thread's (the result pipe, the token) is bound here."""
        nonlocal saved
        start = timer()
        failure = None
        try:
            for i, (name, code) in enumerate(req["pieces"]):
                filename = PIECE_FILE.format(name)
                sources[filename] = code.splitlines()
                # inspect.getsource (torch.jit.script needs it) reads from linecache.
                linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
                if answer_at is not None and i == answer_at:
                    # The answer runs in globals of its own: its functions cannot reach the tests' names
                    # (assert_close, the rewriter's temporaries) through globals().
                    saved = tuple(namespace.items())  # torch, nn, F, ..., and what setup defined (a tuple)
                    saved_names.update(namespace)
                    rng = (torch.get_rng_state(), random.getstate())
                    _refuse_libraries(torch, bool(_WARMED))
                    answer_ns.update(namespace)
                    compiled = build(code, filename, "exec")
                    wanted.extend(n for n in names_of(compiled) if n not in saved_names and n[:5] != "_qk_v")
                    execute(compiled, answer_ns)
                    restore(torch)  # what the answer patched (builtins, this module) is back before the judge
                    before = dict(saved)
                    for key, value in answer_ns.items():
                        if key != "__builtins__" and (key not in before or before[key] is not value):
                            namespace[key] = guard(value, torch, restore, share)
                    continue
                if answer_at is not None and i > answer_at:
                    # The judge: what the answer patched or left running is put back before the tests, and
                    # again after each call into the answer's code; asserts report their values.
                    since = clock()
                    judge_state(torch, rng, dtype, restore, threads + 1)
                    _mark("c_judge_state", since)
                    namespace.update(saved)
                    namespace[asserts.EXPLAIN] = asserts.explain
                    namespace["__builtins__"] = builtins
                    if not tests_base:
                        tests_base.update(namespace)
                    tree = asserts.rewrite(code, filename)
                    execute(build(tree, filename, "exec"), namespace)
                    continue
                execute(build(code, filename, "exec"), namespace)
        except BaseException as e:  # noqa: BLE001  (SystemExit and KeyboardInterrupt are the snippet's too)
            failure = e
        seconds = timer() - start
        _mark("c_ran")
        if answer_at is not None:
            restore(torch)
        try:
            box.extend((seconds, *_failure_values(failure, bool(_WARMED))))
        except BaseException:  # noqa: BLE001  (a message that cannot be read is the answer's doing)
            box.extend((seconds, "error", "the error could not be described", None, None, None))
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        done.release()

    if answer_at is None:  # the bank's own snippet, judging no one's answer: here (torch.compile reads frames)
        judged()
    else:
        _thread.start_new_thread(judged, ())
    done.acquire()
    # From here on nothing of the answer's may run in this thread (frames are not refused here): no collection
    # (a finaliser), no answer thread left, everything patched put back, and only exact types read.
    gc_disable()
    pause, waited = 0.00005, 0.0  # the judged thread is ending (microseconds); one the answer started may not
    while count() > threads and waited < 2.0:
        sleep(pause)
        waited += pause
        pause = pause * 2 if pause < 0.01 else 0.02  # (no builtin: the answer may have patched them)
    if count() > threads:  # still running: only bytes and the functions bound above from here
        write(res_w, left_thread + token.encode() + b'"}\n')
        exit_now(0)
    if answer_at is not None:
        restore(torch)
    _mark("c_restored")
    result = _verdict(box, sources)
    result["token"] = token
    if _MARKS is not None:
        _mark("c_written")  # as good as: only the write itself comes after
        usage = resource.getrusage(resource.RUSAGE_SELF)  # the child's CPU: its own code (user), its faults (sys)
        marks = {k: v for k, v in _MARKS.items() if type(k) is str and type(v) in (int, float)}
        result["timings"] = dict(marks, c_minflt=usage.ru_minflt, c_utime=usage.ru_utime, c_stime=usage.ru_stime)
    os.write(res_w, json.dumps(result).encode() + b"\n")
    os._exit(0)


def _code_names(code) -> set:
    """Every name a compiled piece and the functions and classes in it refer to (co_names: globals and
    attributes alike), read before the piece runs."""
    names, todo = set(), [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return names


class JudgeTampered(Exception):
    """The answer left something running that could change the tests' verdict (a thread)."""


def _judge_state(torch, rng, dtype, restore, threads=1):
    """Before the tests: the judge's objects put back, and the global state an answer could use to steer
    the tests: trace and profile hooks, Python threads, the default dtype, the random generators (the
    tests draw what they would have drawn had the answer used none), torch's global module hooks."""
    import random
    import threading

    restore(torch)
    threading.settrace(None)
    threading.setprofile(None)
    if _thread._count() > threads:  # (threads from _thread count too, not threading's alone)
        raise JudgeTampered("the answer left a thread running; answers must not start threads")
    torch.set_default_dtype(dtype)
    torch.set_rng_state(rng[0])
    random.setstate(rng[1])
    import torch.nn.modules.module as modules

    for name, hooks in vars(modules).items():
        if name.startswith("_global_") and isinstance(hooks, dict):
            hooks.clear()


def _called(f, args, kwargs, torch, restore, share=None, _modes=_modes, _clock=time.monotonic, _mark=_mark):
    """f(*args, **kwargs), a call from the tests into the answer's code, then the judge's objects put back (the
    modes the tests entered around the call stay on). `share`: first, the names the tests bound are copied
    into the answer's globals, and afterwards the tests' namespace is put back as it was (see _child). What it
    uses is bound here: the call may have rebound this module's names, and they are put back only by the
    restore."""
    before = share() if share is not None else None
    depth = _modes(torch)
    try:
        return f(*args, **kwargs)
    finally:
        since = _clock()
        restore(torch, depth)
        if before is not None:
            share(before)
        _mark("c_guard_restore", since)


def _stepped(gen, torch, restore, share=None, _called=_called):
    """A generator of the answer's, as the tests see it: a generator still (inspect.isgenerator, send, throw,
    close and its return value all work as on the answer's own), but after each step the judge's objects are
    put back, as after a call."""
    how, arg = gen.send, None
    while True:
        try:
            item = _called(how, (arg,), {}, torch, restore, share)
        except StopIteration as stop:
            return stop.value
        try:
            arg = yield item
            how = gen.send
        except GeneratorExit:
            _called(gen.close, (), {}, torch, restore, share)
            raise
        except BaseException as e:  # noqa: BLE001  (thrown in by the tests: the answer's generator gets it)
            how, arg = gen.throw, e


def _guard(value, torch, restore, share=None, _called=_called, _stepped=_stepped, _wraps=functools.wraps,
           _partial=functools.partial, _types=(types.FunctionType, types.GeneratorType, types.MethodType,
           types.BuiltinFunctionType)):  # fmt: skip
    """An answer's function (or class) as the tests see it: after each call, whatever it patched in the
    judge's objects is put back, so a function that patches torch.equal while the tests run gains nothing.
    What a call hands back that can run the answer's code later (a generator, an inner function, an object
    of the answer's class) is guarded the same way, and so is an answer's nn.Module as a whole (its hooks run
    inside its __call__, after forward). Called once the answer's own patches are undone; what it uses is
    bound here, out of the reach of an answer that replaced `functools` or `types` in sys.modules."""
    function, generator, method, builtin = _types

    def mine(f):
        return isinstance(f, function) and f.__code__.co_filename == "<answer>"

    # Types no answer can add a method to for the tests (torch's are put back after each call): what most calls
    # return skips the look at its class (25 us a call on a tensor's).
    plain = {torch.Tensor, torch.nn.Parameter, int, float, complex, bool, str, bytes, tuple, list, dict, type(None)}

    def adopt(result):  # after the call's restore: the answer's patches cannot steer it
        if type(result) in plain:
            return result
        if isinstance(result, generator) and result.gi_code.co_filename == "<answer>":
            return _stepped(result, torch, restore, share)
        if mine(result):
            return wrap(result)
        if not isinstance(result, type) and any(mine(a) for a in vars(type(result)).values()):
            methods(type(result))
        return result

    def wrap(f):
        if getattr(f, "_quizkit_guarded", False):
            return f

        @_wraps(f)
        def guarded(*args, **kwargs):
            return adopt(_called(f, args, kwargs, torch, restore, share))

        guarded._quizkit_guarded = True
        return guarded

    def methods(cls):
        for key, attr in list(vars(cls).items()):
            try:
                if mine(attr):
                    setattr(cls, key, wrap(attr))
                elif isinstance(attr, (staticmethod, classmethod)) and mine(attr.__func__):
                    setattr(cls, key, type(attr)(wrap(attr.__func__)))
                elif isinstance(attr, property) and any(mine(f) for f in (attr.fget, attr.fset, attr.fdel)):
                    setattr(cls, key, property(*(wrap(f) if mine(f) else f for f in (attr.fget, attr.fset, attr.fdel))))
            except (AttributeError, TypeError):
                pass
        if isinstance(cls, type) and issubclass(cls, torch.nn.Module) and "__call__" not in vars(cls):
            cls.__call__ = wrap(cls.__call__)

    if isinstance(value, type):
        methods(value)
        return value
    # Any function the answer binds, not its own alone: a decorator's wrapper (@torch.no_grad()) or a partial runs
    # the answer's code as well.
    if isinstance(value, (function, method, builtin, _partial)):
        return wrap(value)
    methods(type(value))  # an instance: its class's methods, though the class may have no name left
    return value


def _failure_values(e, warm=True) -> tuple:
    """In the judged thread, where the answer's code may still run (an exception's __str__, its class): what
    the verdict needs of the failure, as values the main thread checks again before it uses them."""
    if e is None:
        return "pass", None, None, None, None
    if isinstance(e, _Unready) or (not warm and isinstance(e, offmain.FrameRefused)):
        # (a cold child can meet a library's lazy set-up that reads frames: run it again warm)
        return "unready", None, None, None, None
    kind = type(e).__name__
    message = str(e)
    memory = isinstance(e, MemoryError) or "can't allocate memory" in message or "not enough memory" in message
    status = "memory" if memory else "fail" if isinstance(e, AssertionError) else "error"
    error = f"{kind}: {message}"[:2000] if message else kind
    if isinstance(e, SyntaxError):
        return status, error, e.filename, e.lineno, None
    return status, error, None, None, e.__traceback__


def _verdict(box, sources, _type=type, _str=str, _int=int, _tb=types.TracebackType) -> dict:
    """In the main thread: the result from the judged thread's values, reading only exact built-in types
    (a str subclass or a fake traceback would run the answer's code here, where frames are not refused)."""
    if len(box) != 6:
        return {"status": "error", "error": "the run ended without a verdict", "seconds": 0.0}
    seconds, status, error, where, lineno, tb = box
    if _type(status) is not _str or status not in ("pass", "fail", "error", "memory", "unready"):
        status, error = "error", "the run's verdict was tampered with"
    if _type(error) is not _str:
        error = None if status in ("pass", "unready") else "error"
    if _type(where) is not _str or _type(lineno) is not _int or where not in sources:
        where = lineno = None
    while _type(tb) is _tb:  # the deepest line of a piece: the answer's or the tests'
        filename = tb.tb_frame.f_code.co_filename
        if _type(filename) is _str and filename in sources:
            where, lineno = filename, tb.tb_lineno
        tb = tb.tb_next
    result: dict = {"status": status, "seconds": seconds if _type(seconds) is float else 0.0}
    if status in ("pass", "unready"):
        return result
    line = None
    if where and lineno and 0 < lineno <= len(sources[where]):
        line = sources[where][lineno - 1].strip()
    result.update(
        error=error,
        where=f"{where.strip('<>')} line {lineno}" if where and lineno else None,
        line=line,
    )
    return result


def _vm_bytes():
    with open("/proc/self/status") as f:
        for row in f:
            if row.startswith("VmSize:"):
                return int(row.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
