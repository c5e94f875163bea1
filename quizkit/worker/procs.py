"""The worker's processes: it is the subreaper of its runs, kills and reaps their escapees, and measures
their memory from /proc. Also its own memory: 2 MiB pages, its mapped size."""

import os
import signal

PR_SET_CHILD_SUBREAPER = 36
SUBREAPER: list = []  # [True] where the worker became its runs' subreaper


def become_subreaper():
    """Orphans of a run (a child that called setsid and outlived its parent) come back to the worker,
    which kills them after the run, instead of to init, where they would outlive quizkit."""
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0:
            SUBREAPER.append(True)
    except (OSError, AttributeError):
        pass


MADV_COLLAPSE = 25  # Linux 6.1+
_HUGE = 1 << 21


def huge_pages():
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


def vm_peak(pid) -> int:
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


def run_memory(run_pid) -> int:
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


def has_children(pid) -> bool:
    """Whether the run's process has children now (True where the kernel cannot say)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as f:
            return bool(f.read().strip())
    except FileNotFoundError:
        return os.path.exists(f"/proc/{pid}")  # gone: its children came to the worker; no such file: unknown
    except OSError:
        return True


def forks() -> int:
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


def kill_escapees(run_pid):
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


def death(status):
    """A child that sent no result: it crashed, was killed, or left through os._exit."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return {"status": "crashed", "error": f"the run was killed by {name}", "signal": sig}
    return {"status": "crashed", "error": f"the run exited with status {os.WEXITSTATUS(status)} before finishing"}


def killpg(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def vm_bytes():
    with open("/proc/self/status") as f:
        for row in f:
            if row.startswith("VmSize:"):
                return int(row.split()[1]) * 1024
    return 0
