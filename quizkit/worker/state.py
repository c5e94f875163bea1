"""What the worker's jobs share: set by the supervisor before any child is forked, read in the child (and
snapshotted with the rest of the package: an answer that rebinds a name here has it put back)."""

import os
import time

PIECE_FILE = "<{}>"  # the pseudo file name of each piece of code, e.g. <tests>
WORKER_VM = 0  # the worker's mapped bytes after warm-up; a run's memory limit comes on top
LANDLOCK = 0  # the kernel's Landlock ABI: each run is confined with it where it is there
WARMED: list = []  # [True] once the worker warmed up (torch.func registered): children forked after see it
# QUIZKIT_TIMINGS=1: each reply carries monotonic marks of a run's stages (benchmarks/runcost.py); off, a mark
# is one test of None.
MARKS: dict | None = {} if os.environ.get("QUIZKIT_TIMINGS") == "1" else None


def mark(name, since=None):
    """Records when a stage ended; with `since`, adds the time since then to a running total instead."""
    if MARKS is not None:
        now = time.monotonic()
        MARKS[name] = MARKS.get(name, 0.0) + now - since if since is not None else now


def now():
    return time.monotonic() if MARKS is not None else None
