"""Landlock (Linux 5.13+, unprivileged): a run may write only inside its own folder (and /dev/null), may read
and execute only what Python and torch need (SYSTEM_READS, Python's prefixes, sys.path, the run's folder and
its bank's folder: never the rest of the home folder), may not signal any process outside itself (Linux
6.12+), and, from ABI 4, may not bind or connect a TCP socket unless its question declares
network-loopback. So an answer can neither stop quizkit, rewrite a bank, the bank cache or the progress
database, nor read an SSH key. Where the kernel has no Landlock, runs go on without it and `quizkit verify
-v` says so. Pure ctypes: no dependency; the rules are gathered in the worker's child before its request
and put in force after it (the bank's folder comes with the request).
"""

from __future__ import annotations

import ctypes
import os
import stat
import struct

_CREATE, _ADD_RULE, _RESTRICT = 444, 445, 446  # x86-64 and arm64 share these numbers
_VERSION = 1  # LANDLOCK_CREATE_RULESET_VERSION
_PATH_BENEATH = 1
_NO_NEW_PRIVS = 38

# LANDLOCK_ACCESS_FS_*: executing and reading, then everything that creates, changes or removes a file.
EXECUTE, READ_FILE, READ_DIR = 1 << 0, 1 << 2, 1 << 3
READ = EXECUTE | READ_FILE | READ_DIR
WRITE_FILE, REMOVE_DIR, REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
MAKE = sum(1 << b for b in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
REFER, TRUNCATE = 1 << 13, 1 << 14
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
FILE_RIGHTS = EXECUTE | READ_FILE | WRITE_FILE | TRUNCATE  # what a rule on a file (not a folder) may grant

# What a run reads outside Python's own folders, measured (strace -f of torch's import, first ops, autograd,
# assert_close, a gloo group): the dynamic loader's files, libraries, locale and time zone data, name
# resolution (gloo resolves the host name), /sys (torch and OpenMP read the CPUs, gloo lists the PCI devices
# and network interfaces; nothing there is the user's), /proc (a process of another Landlock domain stays
# out of reach: its environ, maps and memory need ptrace rights), and random bytes. The home folder is not here; Python's prefixes and sys.path come on top (see reads()).
SYSTEM_READS = (
    "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin",
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
    "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/resolv.conf",
    "/etc/gai.conf", "/etc/protocols", "/etc/services",
    "/proc", "/sys",
    "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random",
)  # fmt: skip
GPU_READS = ("/etc/nvidia", "/run/nvidia-persistenced")  # where a GPU's device file is there


def _listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


_LIBC: list = []


def _syscall():
    """libc's syscall and prctl, looked up once (a fork inherits them: no cost per run)."""
    if not _LIBC:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            _LIBC.append((libc.syscall, libc.prctl))
        except (OSError, AttributeError):
            _LIBC.append((None, None))
    return _LIBC[0]


_DEVICES: list = []


def gpu_file(name: str) -> bool:
    """A file in /dev through which torch reaches a GPU: NVIDIA's (nvidia*), a Jetson's Tegra driver's
    (nvhost-*, nvmap, nvgpu), ROCm's (kfd) and WSL's (dxg)."""
    return name.startswith(("nvidia", "nvhost")) or name in ("nvmap", "nvgpu", "kfd", "dxg")


def _devices() -> list:
    """/dev/null and a GPU's device files (and /dev/dri, whose render nodes ROCm opens after kfd), listed
    once: a CUDA run opens them for writing."""
    if not _DEVICES:
        gpu = [n for n in _listdir("/dev") if gpu_file(n)]
        gpu += ["dri"] if "kfd" in gpu else []
        _DEVICES.extend(["/dev/null"] + sorted(os.path.join("/dev", n) for n in gpu))
    return _DEVICES


def abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none."""
    syscall, _ = _syscall()
    if syscall is None or os.uname().machine not in ("x86_64", "aarch64"):
        return 0
    version = syscall(_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    return max(0, version)


_READS: list = []
_HOME: list = []


def _home() -> str:
    """The user's home folder, as the worker found it (a run's HOME is its own folder)."""
    if not _HOME:
        try:
            _HOME.append(os.path.realpath(os.path.expanduser("~")))
        except (OSError, RuntimeError):
            _HOME.append("")
    return _HOME[0]


def allowed_read(path: str, home: str) -> bool:
    """A folder that may be granted: never the root nor the home folder or one above it (that would grant
    all of it: a bank kept in the home folder itself gets no folder rule, only its own file is sent)."""
    real = os.path.realpath(path)
    if real == "/":
        return False
    return not (home and (home == real or home.startswith(real.rstrip("/") + "/")))


def reads() -> list:
    """Every path a run may read: SYSTEM_READS, Python's prefixes, sys.path (and, with a GPU, GPU_READS)."""
    if not _READS:
        import sys

        home = _home()
        paths = list(SYSTEM_READS) + [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
        paths += [p for p in sys.path if p and os.path.isabs(p)]
        paths += list(GPU_READS) if len(_devices()) > 1 else []
        # A path beneath another one granted is left out: each rule costs the child of every run ~10 us.
        for real in sorted({os.path.realpath(p) for p in paths}):
            if os.path.exists(real) and allowed_read(real, home) and not _beneath(real, _READS):
                _READS.append(real)
    return _READS


def _beneath(path: str, folders) -> bool:
    return any(path.startswith(f.rstrip("/") + "/") for f in folders)


def prepare():
    """Look up what every run needs once, in the worker, before it forks."""
    _home()
    _syscall()
    _devices()
    reads()


def describe() -> str:
    v = abi()
    if not v:
        return (
            "not available in this kernel: a run may read and write files anywhere this user may "
            "(the home folder included), and signal quizkit"
        )
    parts = ["writes only in the run's own folder (and /dev/null, a GPU's device files)"]
    parts.append(f"reads only Python's and the system's files, its own folder and its bank's ({len(reads())} rules)")
    parts.append("no signals to processes outside the run" if v >= 6 else "signals not confined (Landlock ABI < 6)")
    parts.append("no TCP bind or connect" if v >= 4 else "TCP not confined (Landlock ABI < 4)")
    return f"Landlock ABI {v}: " + "; ".join(parts)


def _handled(version: int) -> int:
    handled = READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE
    if version >= 2:
        handled |= REFER
    if version >= 3:
        handled |= TRUNCATE
    return handled


def _add(fd: int, path: str, rights: int) -> None:
    syscall, _ = _syscall()
    try:
        dfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(dfd).st_mode):
            rights &= FILE_RIGHTS
        rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, dfd), 12)
        syscall(_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(_PATH_BENEATH), rule, ctypes.c_uint32(0))
    finally:
        os.close(dfd)


def ruleset(home: str, version: int) -> int:
    """The run's rules, gathered before its request (-1 where Landlock is not there): its folder may be
    written, the devices one by one, and what reads() lists read."""
    if version < 1:
        return -1
    syscall, _ = _syscall()
    handled = _handled(version)
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    attr = struct.pack("QQQ", handled, 0, scoped) if version >= 6 else struct.pack("QQ", handled, 0)
    buf = ctypes.create_string_buffer(attr, len(attr))
    fd = syscall(_CREATE, buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if fd < 0:
        return -1
    # Devices one by one: /dev/null and a GPU's device files, not the terminal (/dev/pts: a run could draw a
    # fake verdict on it) nor /dev/shm (memory outside every limit, left after the run).
    dev_rights = READ_FILE | WRITE_FILE | (TRUNCATE if version >= 3 else 0)
    _add(fd, home, handled)
    for d in _devices():
        _add(fd, d, dev_rights)
    for path in reads():
        _add(fd, path, READ)
    return fd


def restrict(fd: int, version: int, bank_dirs=(), tcp: bool = False) -> bool:
    """Put the rules in force for this process and its future children, with the bank's folders readable;
    `tcp` False (ABI 4+): a second layer refuses every TCP bind and connect. True when in force."""
    if fd < 0:
        return False
    syscall, prctl = _syscall()
    try:
        home = _home()
        for d in bank_dirs:
            if os.path.isabs(d) and allowed_read(d, home):
                _add(fd, d, READ)
        if prctl(_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        if syscall(_RESTRICT, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
            return False
    finally:
        os.close(fd)
    if version >= 4 and not tcp:
        attr = struct.pack("QQ", 0, NET_BIND_TCP | NET_CONNECT_TCP)
        buf = ctypes.create_string_buffer(attr, len(attr))
        net = syscall(_CREATE, buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
        if net >= 0:
            syscall(_RESTRICT, ctypes.c_int(net), ctypes.c_uint32(0))
            os.close(net)
    return True
