"""The warm worker: a background process that keeps a runner.Runner (its torch worker) warm for later commands.

Started by quizkit/warm.py as `python -m quizkit.daemon SOCKET FINGERPRINT IDLE`; it forks itself away from
its launcher (nobody's child, its own session, stdio to a log file) and serves one JSON request per connection
on a Unix socket in the user's private folder: run, status, stop, cuda, isolation, ready. It only relays: every
run goes to the runner as a local command's would (a fresh fork per run, so nothing of one run reaches the
next), and each request and result is checked field by field. It never imports torch (its worker does).

It stops after IDLE seconds without a request, on `stop`, on SIGTERM, and on a request whose fingerprint
(quizkit's source, torch's install) is not its own: a newer quizkit is talking to it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from dataclasses import asdict

REQUEST_LIMIT = 16 << 20
READ_TIMEOUT = 10.0  # a client sends its request at once; one that does not is dropped
DRAIN = 60.0  # at stop, runs in flight finish first (their clients would otherwise see a crash)


class Server:
    def __init__(self, path: str, fp: str, idle: float):
        from .runner import Runner

        self.path, self.fp, self.idle = path, fp, idle
        self.runner = Runner(workers=1)
        self.started = time.time()
        self.last = time.monotonic()
        self.busy = 0
        self.runs = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.ino = 0

    def bind(self) -> socket.socket:
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is 0600 from the start, in a folder that is 0700 already
        try:
            srv.bind(self.path)
        finally:
            os.umask(old)
        self.ino = os.stat(self.path).st_ino
        srv.listen(16)
        return srv

    def serve(self, srv: socket.socket):
        srv.settimeout(0.5)  # torch is imported on the first run (a daemon asked only its status never pays it)
        try:
            while not self.stopping.is_set():
                try:
                    conn, _ = srv.accept()
                except TimeoutError:
                    with self.lock:
                        if self.busy == 0 and time.monotonic() - self.last > self.idle:
                            break
                    continue
                with self.lock:
                    self.busy += 1  # counted before the thread starts: an idle check cannot slip in between
                threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
        finally:
            self.let_go()
            srv.close()
            end = time.monotonic() + DRAIN
            while self.busy and time.monotonic() < end:
                time.sleep(0.05)
            self.runner.close()

    def let_go(self):
        """Remove our socket, only if it is still ours (a replacement may have bound the same name)."""
        try:
            if os.stat(self.path).st_ino == self.ino:
                os.unlink(self.path)
        except OSError:
            pass

    def _handle(self, conn: socket.socket):
        try:
            uid, pid = _peer(conn)
            if uid not in (None, os.getuid()):
                return  # another user reached the socket (the folder should have stopped them): no word
            if pid is not None and self._from_a_run(pid):
                return  # a run asking for runs (or to stop us): it gets nothing, not even an answer
            request = _read(conn)
            try:
                reply = self._answer(request) if request is not None else {"error": "bad request"}
            except Exception as e:  # torch missing, say: the command runs it locally and says so in its words
                reply = {"error": f"{type(e).__name__}: {e}"}
            conn.sendall(json.dumps(reply).encode() + b"\n")
        except OSError:
            pass  # the client went away (Ctrl-C): the run, if any, has ended anyway
        finally:
            conn.close()
            with self.lock:
                self.busy -= 1
                self.last = time.monotonic()

    def _from_a_run(self, pid: int) -> bool:
        """Whether `pid` descends from one of our workers: a run's process (the worker is a subreaper, so
        one that double-forked or left its session is still below it)."""
        workers = {w.proc.pid for w in self.runner._all if w.proc is not None}
        for _ in range(64):
            if pid in workers:
                return True
            parent = _parent(pid)
            if parent is None or parent <= 1 or parent == os.getpid():
                return False
            pid = parent
        return True  # deeper than any client: a fork bomb's, not a command's

    def _answer(self, req: dict) -> dict:
        op = req.get("op")
        if req.get("fp") != self.fp:
            self.let_go()  # before the reply: the client starts a fresh daemon on this very name
            self.stopping.set()
            return {"stale": True}
        idle = req.get("idle")
        if isinstance(idle, (int, float)) and not isinstance(idle, bool) and idle > 0:
            self.idle = float(idle)  # the setting as the latest command has it
        if op == "run":
            args = _run_args(req)
            if args is None:
                return {"error": "bad run request"}
            pieces, device, timeout, answer, seeds, memory_mb, reach = args
            result = self.runner.run(pieces, device, timeout, answer, seeds, memory_mb, reach=reach)
            with self.lock:
                self.runs += 1
            return {"result": asdict(result)}
        if op == "status":
            w = self.runner._all[0]
            return {"pid": os.getpid(), "started": self.started, "runs": self.runs, "idle": self.idle,
                    "torch": w.torch_version, "socket": self.path}  # fmt: skip
        if op == "stop":
            self.let_go()
            self.stopping.set()
            return {"pid": os.getpid()}
        if op == "cuda":
            return {"cuda": self.runner.cuda_available()}
        if op == "isolation":
            return {"isolation": self.runner.isolation(), "pid": os.getpid()}
        if op == "ready":
            self.runner.ready(eager=req.get("eager") is True)
            return {"ok": True}
        return {"error": "unknown op"}


def _peer(conn: socket.socket) -> tuple[int | None, int | None]:
    """(uid, pid) of the connecting process (Linux: SO_PEERCRED); None where the system cannot say."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None, None
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", creds)
    return uid, pid


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2 :].split()[1])  # after "(comm)": state, then ppid


def _read(conn: socket.socket) -> dict | None:
    conn.settimeout(READ_TIMEOUT)
    buf = b""
    while b"\n" not in buf:
        chunk = conn.recv(1 << 16)
        if not chunk or len(buf) > REQUEST_LIMIT:
            return None
        buf += chunk
    conn.settimeout(None)
    try:
        req = json.loads(buf.split(b"\n", 1)[0])
    except ValueError:
        return None
    return req if isinstance(req, dict) else None


def _int(x, lo: int, hi: int) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi


def _run_args(req: dict) -> tuple | None:
    """(pieces, device, timeout, answer, seeds, memory_mb, reach) of a well-formed run request; None otherwise."""
    pieces = req.get("pieces")
    if not isinstance(pieces, list) or not 1 <= len(pieces) <= 64:
        return None
    if not all(isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in pieces):
        return None
    device, timeout, answer = req.get("device"), req.get("timeout"), req.get("answer")
    if device not in ("cpu", "cuda"):
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
        return None
    if answer is not None and not _int(answer, 0, len(pieces) - 1):
        return None
    if not _int(req.get("seeds"), 1, 1000) or not _int(req.get("memory_mb"), 16, 1 << 22):
        return None
    reach = req.get("reach") or {}
    if not isinstance(reach, dict) or set(reach) - {"loopback", "reads"}:
        return None
    reads = reach.get("reads", [])
    if not isinstance(reads, list) or len(reads) > 8 or not all(isinstance(r, str) and os.path.isabs(r) for r in reads):
        return None
    if not isinstance(reach.get("loopback", False), bool):
        return None
    return [tuple(p) for p in pieces], device, float(timeout), answer, req["seeds"], req["memory_mb"], reach


def main(argv: list[str]) -> int:
    path, fp, idle = argv[0], argv[1], float(argv[2])
    server = Server(path, fp, idle)
    try:
        srv = server.bind()  # before the fork: the launcher's exit status says whether it is listening
    except OSError as e:
        sys.stderr.write(f"quizkit daemon: {path}: {e.strerror or e}\n")
        return 1
    if os.fork():  # the launcher returns at once; the daemon is reparented, nobody's zombie
        os._exit(0)
    os.setsid()
    signal.signal(signal.SIGTERM, lambda *_: server.stopping.set())
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    server.serve(srv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
