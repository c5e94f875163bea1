"""Linux namespaces for runs (no privileges needed where the kernel allows unprivileged user namespaces).

- The worker, first thing (before torch starts any thread), enters a user namespace of its own that maps the
  user to itself, with a network namespace in which the only interface, `lo`, is down: no run of this worker
  can reach any address, the host's loopback included. One per worker: a network namespace costs ~1 ms to
  make and more to tear down, too dear per run.
- No pid namespace per run: a process that unshares one can no longer start threads (clone with
  CLONE_THREAD fails with EINVAL while its children's pid namespace is not its own), and gloo, DataLoader
  and answers need threads; a pid namespace whose init is the run's child itself needs the worker to be the
  init of a pid namespace of its own (see the README). Processes are contained by the process group and the
  subreaper scan (worker.py).
- A question that declares `requires: [network-loopback]` gets a network namespace of its own, whose `lo` is
  brought up: loopback inside the run (gloo with several local processes), still nothing outside.
Where the kernel refuses, runs go on without it and `quizkit verify -v` says so. Pure ctypes.
"""

from __future__ import annotations

import ctypes
import os
import socket
import struct

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_STATE = {"user": "", "net": ""}  # what the worker got: "" where refused, the reason in _WHY
_WHY: dict = {}


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> str:
    """'' on success, else why not."""
    try:
        if _libc().unshare(ctypes.c_int(flags)) == 0:
            return ""
        return os.strerror(ctypes.get_errno())
    except (OSError, AttributeError) as e:
        return str(e)


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter_worker() -> None:
    """A user namespace (the user mapped to itself) and a network namespace with only a down `lo`, for this
    worker and every run it forks. Must run while the process has one thread."""
    if os.environ.get("QUIZKIT_NAMESPACES") == "0":  # for the tests of the fallback, and measurements
        _WHY["user"] = _WHY["net"] = "turned off (QUIZKIT_NAMESPACES=0)"
        return
    uid, gid = os.getuid(), os.getgid()
    why = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if why:
        _WHY["user"] = why
        why = _unshare(CLONE_NEWNET)  # a privileged user needs no user namespace for it
        _STATE["net"] = "" if why else "yes"
        _WHY["net"] = why
    else:
        _STATE["user"] = _STATE["net"] = "yes"
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError as e:
            _STATE["user"], _WHY["user"] = "", f"its uid map was refused ({e.strerror})"


def network_isolated() -> bool:
    return bool(_STATE["net"])


def loopback() -> str:
    """A network namespace of the run's own with `lo` up (127.0.0.1, ::1); '' on success, else why not."""
    why = _unshare(CLONE_NEWNET)
    if why:
        return why
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            import fcntl

            req = struct.pack("16sH14x", b"lo", 0)
            flags = struct.unpack("16sH14x", fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, req))[1]
            fcntl.ioctl(s.fileno(), _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))
    except OSError as e:
        return f"lo not brought up ({e.strerror})"
    # The host's name may resolve to an address this namespace has not: gloo and tensorpipe take lo's.
    for name in ("GLOO_SOCKET_IFNAME", "TP_SOCKET_IFNAME"):
        os.environ.setdefault(name, "lo")
    return ""


_SECUREBITS = 0x2F  # NOROOT and NO_SETUID_FIXUP, each locked: a uid 0 in the namespace gains nothing by exec
_PR_SET_SECUREBITS = 28


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


def drop_capabilities(keep_network: bool = False) -> None:
    """Give up the capabilities the user namespace gave (or a root user has), and, as uid 0, never get them
    back by exec. `keep_network` (the worker, once): CAP_NET_ADMIN and CAP_SYS_ADMIN stay, which a run could
    use only to bring up the `lo` of the worker's namespace or make namespaces of its own (no host's address
    in either; Landlock refuses mounts); a network-loopback run drops them too once its lo is up. Outside a
    user namespace of its own (a root user) nothing is kept."""
    if not (_STATE["user"] or os.getuid() == 0):
        return
    try:
        libc = _libc()
        libc.prctl(_PR_SET_SECUREBITS, ctypes.c_ulong(_SECUREBITS), 0, 0, 0)
        kept = (1 << 12 | 1 << 21) if keep_network and _STATE["user"] else 0  # never a real root's
        data = (ctypes.c_uint32 * 6)(kept, kept, 0, 0, 0, 0)  # effective, permitted, inheritable; x2 (64 bits)
        libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), data)  # _LINUX_CAPABILITY_VERSION_3
    except (OSError, AttributeError):
        pass


def describe() -> str:
    parts = []
    if _STATE["user"]:
        parts.append("a user namespace per worker")
    else:
        parts.append(f"no user namespace ({_WHY.get('user', 'refused')})")
    if _STATE["net"]:
        parts.append("no network (a network namespace per worker, lo down; network-loopback questions: lo only)")
    else:
        parts.append(
            f"no network namespace ({_WHY.get('net', 'refused')}): seccomp refuses sockets, Landlock (ABI 4+) TCP"
        )
    return "; ".join(parts)
