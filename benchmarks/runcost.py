"""Where one run's time goes, stage by stage: a plain snippet and a judged code answer, side by side.

Starts one worker with QUIZKIT_TIMINGS=1 (each reply then carries monotonic marks of its stages, taken in the
worker and in its child) and prints the median milliseconds of each stage over N runs of each kind, the
child's page faults (copy-on-write of the worker's memory), and the worker's own memory, which a fork copies
the page tables of.
Usage: python benchmarks/runcost.py [-n N]
"""

import argparse
import os
import statistics
import time

os.environ["QUIZKIT_TIMINGS"] = "1"

from quizkit import runner as runner_module  # noqa: E402

KINDS = {
    "plain": {"pieces": [["code", "print(1 + 1)"]], "answer": None},
    "code": {
        "pieces": [["answer", "def f(x):\n    return x + 1\n"], ["tests", "assert f(1) == 2\nassert f(2) == 3\n"]],
        "answer": 0,
    },
}

# (label, end mark, start mark): a stage is the time between two marks; the child's marks start with c_.
STAGES = [
    ("request: pipes, folder, token", "prepared", "request"),
    ("fork (parent side: page tables)", "forked", "prepared"),
    ("child scheduled after fork", "c_start", "prepared"),
    ("child: fds, cwd, env", "c_fds", "c_start"),
    ("child: Landlock ruleset", "c_landlock", "c_fds"),
    ("child: rlimit, seed, namespace", "c_ready", "c_landlock"),
    ("child: pieces run", "c_ran", "c_ready"),
    ("  of which _judge_state", "c_judge_state", None),
    ("  of which _restore after calls", "c_guard_restore", None),
    ("child: final _restore", "c_restored", "c_ran"),
    ("child: describe, write result", "c_written", "c_restored"),
    ("parent: result read", "result", "c_written"),
    ("child exit, reaped", "reaped", "result"),
    ("orphan scan", "scanned", "reaped"),
    ("drain, close, empty folder", "cleaned", "scanned"),
    ("reply built", "replied", "cleaned"),
    ("worker total (request to reply)", "replied", "request"),
    ("runner round trip", "roundtrip", None),
]


def worker_memory(pid) -> str:
    with open(f"/proc/{pid}/status") as f:
        rows = {r.split(":")[0]: r.split(":")[1].strip() for r in f if ":" in r}
    return ", ".join(f"{k} {rows.get(k, '?')}" for k in ("VmSize", "RssAnon", "RssFile", "VmPTE"))


def measure(worker, kind, n) -> dict:
    stages: dict = {label: [] for label, _, _ in STAGES}
    faults = []
    for _ in range(n):
        request = dict(KINDS[kind], id=next(runner_module._ids), seed=0, memory_mb=4096, output_limit=65536, timeout=10)
        start = time.monotonic()
        reply = worker.run(request, 10)
        end = time.monotonic()
        assert reply.get("status") == "pass", reply
        marks = dict(reply["timings"], roundtrip=end - start)
        faults.append(marks.get("c_minflt", 0))
        for label, stop, since in STAGES:
            if stop in marks and (since is None or since in marks):
                stages[label].append(marks[stop] - (marks[since] if since else 0.0))
    return {"faults": statistics.median(faults), **{k: statistics.median(v) * 1000 if v else None
                                                     for k, v in stages.items()}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args()
    worker = runner_module._Worker()
    try:
        worker.ensure_ready()
        for kind in KINDS:  # warm the caches and the worker's pipes
            measure(worker, kind, 5)
        results = {kind: measure(worker, kind, args.n) for kind in KINDS}
        print(f"worker: {worker_memory(worker.proc.pid)}")
    finally:
        worker.stop()
    print(f"{'stage (median ms over ' + str(args.n) + ' runs)':40}" + "".join(f"{k:>10}" for k in KINDS))
    for label, _, _ in STAGES:
        cells = [results[k][label] for k in KINDS]
        print(f"{label:40}" + "".join(f"{c:10.2f}" if c is not None else f"{'-':>10}" for c in cells))
    print(f"{'child page faults (minor)':40}" + "".join(f"{results[k]['faults']:10.0f}" for k in KINDS))


if __name__ == "__main__":
    main()
