"""A small seccomp-bpf filter for runs (Linux 3.5+, no privileges needed once no_new_privs is set).

socket() for AF_UNIX is refused (EPERM) in every run: a path socket (an ssh or gpg agent, a desktop bus,
a database in the home folder) is reachable from any network namespace. socketpair() stays (an unnamed pair
reaches nothing: the multiprocessing Pipe uses it), and so does every other call. io_uring_setup is refused:
its socket operation would go round the filter. A system call of another architecture (32-bit int 0x80) is
refused whole. That filter is installed once, in the worker (a filter costs ~0.2 ms to install: not per
run). Where no network namespace cuts the network off, each run's child adds one that refuses AF_INET and
AF_INET6 as well, unless its question declares `requires: [network-loopback]`. Both are installed with the
flag that keeps the kernel from slowing the run down with speculative-store mitigations. Pure ctypes.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import struct

_NO_NEW_PRIVS, _SET_SECCOMP, _GET_SECCOMP = 38, 22, 21
_MODE_FILTER, _FLAG_SPEC_ALLOW = 2, 1 << 2
# machine: (AUDIT_ARCH, socket, io_uring_setup, seccomp); x86-64's x32 calls carry bit 30 and are refused too.
_ARCH = {"x86_64": (0xC000003E, 41, 425, 317), "aarch64": (0xC00000B7, 198, 425, 277)}
_LD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
_ALLOW, _EPERM, _KILL = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x80000000
_PROGRAMS: dict = {}


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _op(code, k, jt=0, jf=0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def program(inet: bool) -> bytes:
    """The filter's instructions: `inet` lets AF_INET and AF_INET6 sockets be made (loopback questions)."""
    arch, sock, uring, _ = _ARCH[os.uname().machine]
    refused = [socket.AF_UNIX] + ([] if inet else [socket.AF_INET, socket.AF_INET6])
    tail = [_op(_RET, _ALLOW), _op(_RET, _EPERM)]
    checks = [_op(_JEQ, d, len(refused) - i, 0) for i, d in enumerate(refused)]  # each: to the EPERM at the end
    body = [
        _op(_LD, 4),  # seccomp_data.arch
        _op(_JEQ, arch, 1, 0),
        _op(_RET, _EPERM),
        _op(_LD, 0),  # seccomp_data.nr
        _op(_JGE, 0x40000000, len(checks) + 5, 0),  # x32: refused
        _op(_JEQ, uring, len(checks) + 4, 0),
        _op(_JEQ, sock, 1, 0),
        _op(_RET, _ALLOW),
        _op(_LD, 16),  # seccomp_data.args[0], low half: the domain
    ]
    return b"".join(body + checks + tail)


def available() -> bool:
    """Whether this kernel has seccomp filters (and this machine's system call numbers are known here)."""
    if os.uname().machine not in _ARCH:
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_GET_SECCOMP, 0, 0, 0, 0) >= 0
    except (OSError, AttributeError):
        return False


def prepare() -> None:
    """Both filters built once, in the worker: a run's child only hands one to the kernel."""
    if available():
        for inet in (False, True):
            code = program(inet)
            _PROGRAMS[inet] = (ctypes.create_string_buffer(code, len(code)), len(code) // 8)


def install(inet: bool) -> bool:
    """Filter this process and its future children; True when in force."""
    if inet not in _PROGRAMS:
        return False
    buf, n = _PROGRAMS[inet]
    prog = _Prog(n, ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    call = _ARCH[os.uname().machine][3]
    if (
        libc.syscall(
            ctypes.c_long(call), ctypes.c_long(_MODE_FILTER), ctypes.c_long(_FLAG_SPEC_ALLOW), ctypes.byref(prog)
        )
        == 0
    ):
        return True
    return libc.prctl(_SET_SECCOMP, _MODE_FILTER, ctypes.byref(prog), 0, 0) == 0


def describe() -> str:
    if not available():
        return "not available: a run may open sockets (AF_UNIX paths too) where namespaces do not stop it"
    return (
        "socket() refused for AF_UNIX, io_uring refused (once, in the worker); where no network namespace is, "
        "for AF_INET/AF_INET6 too but in network-loopback questions"
    )
