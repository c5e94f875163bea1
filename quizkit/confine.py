"""Landlock (Linux 5.13+, unprivileged): a run may write only inside its own folder (and /dev/null), and may not
signal any process outside itself (Linux 6.12+), so an answer can neither stop quizkit nor rewrite a bank,
the bank cache or the progress database. Where the kernel has no Landlock, runs go on without it and
`quizkit verify -v` says so. Pure ctypes: no dependency; used by the worker's child just before a run.
"""

from __future__ import annotations

import ctypes
import os
import struct

_CREATE, _ADD_RULE, _RESTRICT = 444, 445, 446  # x86-64 and arm64 share these numbers
_VERSION = 1  # LANDLOCK_CREATE_RULESET_VERSION
_PATH_BENEATH = 1
_NO_NEW_PRIVS = 38

# LANDLOCK_ACCESS_FS_*: everything that creates, changes or removes a file; reading and executing stay free.
WRITE_FILE, REMOVE_DIR, REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
MAKE = sum(1 << b for b in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
REFER, TRUNCATE = 1 << 13, 1 << 14
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1


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


def prepare():
    """Look up what every run needs once, in the worker, before it forks."""
    _syscall()
    _devices()


def describe() -> str:
    v = abi()
    if not v:
        return "not available in this kernel: a run may write files anywhere this user may, and signal quizkit"
    parts = ["writes only in the run's own folder (and /dev/null, a GPU's device files)"]
    parts.append("no signals to processes outside the run" if v >= 6 else "signals not confined (Landlock ABI < 6)")
    return f"Landlock ABI {v}: " + "; ".join(parts)


def confine(home: str, version: int) -> bool:
    """Restrict this process and its future children; True when in force."""
    if version < 1:
        return False
    syscall, prctl = _syscall()
    handled = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE
    if version >= 2:
        handled |= REFER
    if version >= 3:
        handled |= TRUNCATE
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    attr = struct.pack("QQQ", handled, 0, scoped) if version >= 6 else struct.pack("QQ", handled, 0)
    buf = ctypes.create_string_buffer(attr, len(attr))
    fd = syscall(_CREATE, buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if fd < 0:
        return False
    try:
        # Devices one by one: /dev/null and a GPU's device files, not the terminal (/dev/pts: a run could
        # draw a fake verdict on it) nor /dev/shm (memory outside every limit, left after the run).
        dev_rights = WRITE_FILE | (TRUNCATE if version >= 3 else 0)
        for path, rights in [(home, handled)] + [(d, dev_rights) for d in _devices()]:
            try:
                dfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, dfd), 12)
                syscall(_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(_PATH_BENEATH), rule, ctypes.c_uint32(0))
            finally:
                os.close(dfd)
        if prctl(_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return syscall(_RESTRICT, ctypes.c_int(fd), ctypes.c_uint32(0)) == 0
    finally:
        os.close(fd)
