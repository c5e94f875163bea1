"""A run's child, forked ahead by the worker (supervise): its fds and folder, its confinement, then the
request, its seed, and the pieces: the answer and its tests in a judged thread of their own (see
quizkit/offmain.py), the verdict written by the main thread, which runs nothing of the answer's.

Everything the main thread calls after the answer ran is bound before it ran (in `run`, and handed on as
a plain tuple), or is put back by the restore first: an answer can rebind any name of any module here."""

import _thread
import builtins
import gc
import json
import linecache
import math
import os
import random
import resource
import sys
import tempfile
import time

from quizkit import asserts, confine, namespaces, seccomp
from quizkit.worker import judge, procs, snapshot, state
from quizkit.worker.state import mark as _mark

_EXEC, _COMPILE = exec, compile  # the judge's own references, whatever an answer rebinds
_LEFT_THREAD = b'{"status": "error", "error": "the answer left a thread running", "seconds": 0.0, "token": "'


def _bind() -> tuple:
    """The judge's own functions, bound before any answer runs: an answer can rebind the modules' names
    (the first restore puts them back, but it has to be the real one that does it). A plain tuple, read by
    unpacking: no attribute of a class of ours (which an answer could replace) is looked up on it."""
    return (snapshot.restore, judge.judge_state, judge.guard, _EXEC, _COMPILE, state.now, judge.code_names,
            judge.refuse_libraries, judge.failure_values, bool(state.WARMED))  # fmt: skip


def run(req_r, out_w, err_w, res_w, home, loopback=False):
    bound, verdict, left, restore = _bind(), judge.verdict, _LEFT_THREAD, snapshot.restore
    gc_disable, sleep, write, exit_now, count = gc.disable, time.sleep, os.write, os._exit, _thread._count
    res_w, token, req = _prepare(req_r, out_w, err_w, res_w, home, loopback)
    answer_at = req.get("answer")
    torch, namespace, dtype = _setup(req)
    judged, done, box, sources, threads = _pieces(req, namespace, torch, dtype, bound)
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
        write(res_w, left + token.encode() + b'"}\n')
        exit_now(0)
    if answer_at is not None:
        restore(torch)
    _mark("c_restored")
    result = verdict(box, sources)
    result["token"] = token
    if state.MARKS is not None:
        _mark("c_written")  # as good as: only the write itself comes after
        usage = resource.getrusage(resource.RUSAGE_SELF)  # the child's CPU: its own code (user), its faults (sys)
        marks = {k: v for k, v in state.MARKS.items() if type(k) is str and type(v) in (int, float)}
        result["timings"] = dict(marks, c_minflt=usage.ru_minflt, c_utime=usage.ru_utime, c_stime=usage.ru_stime)
    os.write(res_w, json.dumps(result).encode() + b"\n")
    os._exit(0)


def _prepare(req_r, out_w, err_w, res_w, home, loopback):
    """Before the request: fds, folder, the Landlock ruleset. Then the request (its token, then the runner's
    line), and the layers that depend on it. Returns the result pipe, the token and the request."""
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
    rules = confine.ruleset(home, state.LANDLOCK)  # in force after the request, which names the bank's folder
    if not loopback and not namespaces.network_isolated():  # no namespace cuts INET off: seccomp does
        seccomp.install(inet=False)
    _mark("c_landlock")
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")
    # Ready: the request comes now. Its end, empty: the worker is gone.
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
    confine.restrict(rules, state.LANDLOCK, req.get("reads") or (), tcp=loopback)
    _mark("c_layers")
    return res_w, token, req


def _setup(req):
    """The run's memory limit, seed and threads, and the namespace its pieces start in."""
    import torch

    device_name = req.get("device", "cpu")
    memory = req.get("memory_mb")
    if memory and device_name == "cpu":
        # RLIMIT_AS counts what the worker already mapped (torch is large): the limit is on top of it.
        resource.setrlimit(resource.RLIMIT_AS, ((state.WORKER_VM or procs.vm_bytes()) + memory * 1024 * 1024,) * 2)
    seed = int(req.get("seed", 0))
    random.seed(seed)
    if device_name == "cpu":
        torch.default_generator.manual_seed(seed)  # what torch.manual_seed does for the CPU, without 1.5 ms
    else:
        torch.manual_seed(seed)
    torch.set_num_threads(1)
    namespace = {
        "__name__": "__main__",
        "torch": torch,
        "nn": torch.nn,
        "F": torch.nn.functional,
        "math": math,
        "device": torch.device(device_name),
        "assert_close": torch.testing.assert_close,
    }
    return torch, namespace, torch.get_default_dtype()


def _steps(namespace, torch, dtype, bound: tuple, threads: int):
    """The answer's piece and the tests' pieces, as the judged thread runs them: (answer, tests)."""
    restore, judge_state, guard, execute, build, clock, names_of, refuse_libraries, _failure, warm = bound
    answer_ns: dict = {}
    tests_base: dict = {}  # the tests' namespace as they began: what is not in it (or changed) they bound
    saved_names: set = set()  # the run's names before the answer: never shared, the answer has its own
    wanted: list = []  # the global names the answer's code refers to, less the run's own: all share() looks at
    share = _sharing(namespace, answer_ns, tests_base, wanted)
    saved: tuple = ()
    rng: tuple = ()

    def answer(code, filename):
        """The answer runs in globals of its own: its functions cannot reach the tests' names (assert_close,
        the rewriter's temporaries) through globals()."""
        nonlocal saved, rng
        saved = tuple(namespace.items())  # torch, nn, F, ..., and what setup defined (a tuple)
        saved_names.update(namespace)
        rng = (torch.get_rng_state(), random.getstate())
        refuse_libraries(torch, warm)
        answer_ns.update(namespace)
        compiled = build(code, filename, "exec")
        wanted.extend(n for n in names_of(compiled) if n not in saved_names and n[:5] != "_qk_v")
        execute(compiled, answer_ns)
        restore(torch)  # what the answer patched (builtins, the worker's modules) is back before the judge
        before = dict(saved)
        for key, value in answer_ns.items():
            if key != "__builtins__" and (key not in before or before[key] is not value):
                namespace[key] = guard(value, torch, restore, share)

    def tests(code, filename):
        """The judge: what the answer patched or left running is put back before the tests, and again after
        each call into the answer's code; asserts report their values."""
        since = clock()
        judge_state(torch, rng, dtype, restore, threads + 1)
        _mark("c_judge_state", since)
        namespace.update(saved)
        namespace[asserts.EXPLAIN] = asserts.explain
        namespace["__builtins__"] = builtins
        if not tests_base:
            tests_base.update(namespace)
        execute(build(asserts.rewrite(code, filename), filename, "exec"), namespace)

    return answer, tests


def _sharing(namespace: dict, answer_ns: dict, tests_base: dict, wanted: list):
    """share(), over the run's namespaces (see its docstring)."""

    def share(before=None, _list=list):
        """Around each call from the tests into the answer's code (see judge._called). Before it (`before`
        None): the original contract, where the tests ran "in the same namespace" as the answer, so an answer's
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

    return share


def _pieces(req, namespace, torch, dtype, bound: tuple):
    """The judged thread's body, and what it hands back: (judged, the lock it releases when done, the box of
    plain values it fills, the pieces' sources, the threads before it). Made before the answer runs."""
    restore, execute, build, failure_values, warm = bound[0], bound[3], bound[4], bound[8], bound[9]
    answer_at = req.get("answer")  # the index of the answer's piece; the pieces after it judge it
    sources: dict = {}
    box: list = []  # what the judged thread hands back: plain values, checked again here
    done = _thread.allocate_lock()
    done.acquire()
    threads = _thread._count()
    answer, tests = _steps(namespace, torch, dtype, bound, threads)
    timer = time.perf_counter
    _mark("c_ready")

    def judged():
        """The pieces, the answer and its tests, in a thread of their own: the audit hook refuses every
        thread but the main one the frames, ctypes and new programs that would reach the judge's own state
        (quizkit/offmain.py). Nothing of the main thread's (the result pipe, the token) is bound here."""
        start = timer()
        failure = None
        try:
            for i, (name, code) in enumerate(req["pieces"]):
                filename = state.PIECE_FILE.format(name)
                sources[filename] = code.splitlines()
                # inspect.getsource (torch.jit.script needs it) reads from linecache.
                linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
                if answer_at is not None and i == answer_at:
                    answer(code, filename)
                elif answer_at is not None and i > answer_at:
                    tests(code, filename)
                else:
                    execute(build(code, filename, "exec"), namespace)
        except BaseException as e:  # noqa: BLE001  (SystemExit and KeyboardInterrupt are the snippet's too)
            failure = e
        seconds = timer() - start
        _mark("c_ran")
        if answer_at is not None:
            restore(torch)
        try:
            box.extend((seconds, *failure_values(failure, warm)))
        except BaseException:  # noqa: BLE001  (a message that cannot be read is the answer's doing)
            box.extend((seconds, "error", "the error could not be described", None, None, None))
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        done.release()

    return judged, done, box, sources, threads
