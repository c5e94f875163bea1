"""The torch worker: imports torch once, then forks one fresh child per run.

Started by runner.py as `python -m quizkit.worker`. This is the only module that imports torch.
It never touches CUDA itself, so each forked child may initialise CUDA on its own.
Protocol: one JSON object per line on stdin (requests) and on the saved stdout (replies).
"""
import json
import os
import select
import signal
import sys
import time

PIECE_FILE = "<{}>"  # the pseudo file name of each piece of code, e.g. <tests>
_WORKER_VM = 0  # the worker's mapped bytes after warm-up; a run's memory limit comes on top


def main():
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints of the worker itself must not corrupt the protocol
    import torch  # the whole point: paid once, shared by every fork
    import torch.nn  # noqa: F401
    import torch.nn.functional  # noqa: F401
    _warm_up(torch)
    # Move everything imported so far out of the GC's reach: a child's collection would otherwise
    # touch every object and copy the worker's memory page by page.
    import gc
    gc.freeze()
    global _WORKER_VM
    _WORKER_VM = _vm_bytes()  # reading /proc/self/status costs ~1.5 ms: once here, not per run
    proto.write(json.dumps({"ready": True, "torch": torch.__version__}) + "\n")
    for line in sys.stdin:
        reply = _run(json.loads(line), proto)
        proto.write(json.dumps(reply) + "\n")


def _warm_up(torch):
    """First calls that import a lot lazily (assert_close, gradcheck and optimizers pull in sympy and
    dynamo: 0.3-1 s each). Paid here once instead of in every child. CPU only, one thread, so the
    worker stays safe to fork; children reset seed and settings."""
    import warnings
    torch.set_num_threads(1)
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


def _run(req, proto):
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.setpgid(0, 0)
            for fd in (out_r, err_r, res_r):
                os.close(fd)
            _child(req, out_w, err_w, res_w)
        finally:
            os._exit(70)
    for fd in (out_w, err_w, res_w):
        os.close(fd)
    # The parent needs the pid to kill the child's process group on a timeout.
    proto.write(json.dumps({"pid": pid}) + "\n")
    limit = req.get("output_limit", 65536)
    bufs = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray()}
    flooded = False
    open_fds = [out_r, err_r, res_r]
    # Done when the result line is in, or when the child is gone (a forked grandchild may keep pipes open).
    status = None
    # A backstop in case the parent died without killing the run (kill -9 of quizkit): never an orphan loop.
    deadline = time.monotonic() + req.get("timeout", 10) + 5
    while res_r in open_fds and not bufs[res_r].endswith(b"\n"):
        ready, _, _ = select.select(open_fds, [], [], 0.2)
        if time.monotonic() > deadline:
            _killpg(pid)
        if not ready:
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
                break
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.remove(fd)
                continue
            bufs[fd] += chunk
            if fd != res_r and len(bufs[fd]) > limit and not flooded:
                flooded = True
                _killpg(pid)
    # Whatever the snippet left behind in its group (a fork, a sleeping subprocess) goes now.
    _killpg(pid)
    if status is None:
        _, status = os.waitpid(pid, 0)
    for fd in open_fds:  # drain what the killed group had written, without waiting on escapees
        while select.select([fd], [], [], 0.05)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            bufs[fd] += chunk
    for fd in (out_r, err_r, res_r):
        os.close(fd)
    stdout, stderr = (_cut(bufs[fd], limit) for fd in (out_r, err_r))
    try:
        result = json.loads(bytes(bufs[res_r]).decode())
    except ValueError:
        result = _death(status)
    if flooded:
        result = {"status": "error", "error": f"OutputLimit: printed more than {limit // 1024} KiB; the run was stopped"}
    result.update(stdout=stdout, stderr=stderr)
    return result


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


def _child(req, out_w, err_w, res_w):
    import linecache
    import math
    import resource
    import traceback

    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")
    device_name = req.get("device", "cpu")
    memory = req.get("memory_mb")
    if memory and device_name == "cpu":
        # RLIMIT_AS counts what the worker already mapped (torch is large): the limit is on top of it.
        resource.setrlimit(resource.RLIMIT_AS, ((_WORKER_VM or _vm_bytes()) + memory * 1024 * 1024,) * 2)

    import random
    import torch
    random.seed(0)
    if device_name == "cpu":
        torch.default_generator.manual_seed(0)  # what torch.manual_seed does for the CPU, without 1.5 ms of other backends
    else:
        torch.manual_seed(0)
    torch.set_num_threads(1)
    namespace = {
        "__name__": "__main__", "torch": torch, "nn": torch.nn, "F": torch.nn.functional,
        "math": math, "device": torch.device(device_name),
    }
    sources = {}
    result = {"status": "pass"}
    start = time.perf_counter()
    try:
        for name, code in req["pieces"]:
            filename = PIECE_FILE.format(name)
            sources[filename] = code.splitlines()
            # inspect.getsource (torch.jit.script needs it) reads from linecache.
            linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
            exec(compile(code, filename, "exec"), namespace)
    except BaseException as e:  # noqa: BLE001  (SystemExit and KeyboardInterrupt are the snippet's too)
        result = _describe(e, sources, traceback)
    result["seconds"] = time.perf_counter() - start
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os.write(res_w, json.dumps(result).encode() + b"\n")
    os._exit(0)


def _describe(e, sources, traceback):
    kind = type(e).__name__
    message = str(e)
    memory = isinstance(e, MemoryError) or "can't allocate memory" in message or "not enough memory" in message
    status = "memory" if memory else "fail" if isinstance(e, AssertionError) else "error"
    where = line = None
    if isinstance(e, SyntaxError) and e.filename in sources:
        where, lineno = e.filename, e.lineno
    else:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename in sources]
        where, lineno = (frames[-1].filename, frames[-1].lineno) if frames else (None, None)
    if where and lineno and 0 < lineno <= len(sources[where]):
        line = sources[where][lineno - 1].strip()
    return {
        "status": status,
        "error": f"{kind}: {message}"[:2000] if message else kind,
        "where": f"{where.strip('<>')} line {lineno}" if where and lineno else None,
        "line": line,
    }


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
