"""Where one run's time goes, stage by stage: a plain snippet and a judged code answer, side by side.

Starts one worker with QUIZKIT_TIMINGS=1 (each reply then carries monotonic marks of its stages, taken in the
worker and in its child) and prints the median milliseconds of each stage over N runs of each kind, the
child's page faults (copy-on-write of the worker's memory), and the worker's own memory, which a fork copies
the page tables of.
Usage: python benchmarks/runcost.py [-n N]; for another checkout, PYTHONPATH=DIR (its worker lacks
the stages it has not: they print as -).
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
# The child of a run is forked after the reply to the run before, and readies itself before its request.
STAGES = [
    ("after the last reply: fork next child", "spawned", "spawn"),
    ("  reap the last child, empty folder", "tidied", "spawned"),
    ("  child: scheduled after fork", "c_start", "spawn"),
    ("  child: fds, cwd, env", "c_fds", "c_start"),
    ("  child: Landlock ruleset", "c_landlock", "c_fds"),
    ("  child: from fork to ready (all of it)", "c_landlock", "c_start"),
    ("request: handed to the child", "sent", "request"),
    ("child: wakes with the request", "c_request", "sent"),
    ("child: Landlock in force, seccomp, caps", "c_layers", "c_request"),
    ("child: rlimit, seed, namespace", "c_ready", "c_layers"),
    ("child: request to ready (both above)", "c_ready", "c_request"),
    ("child: pieces run", "c_ran", "c_ready"),
    ("  of which _judge_state", "c_judge_state", None),
    ("  of which _restore after calls", "c_guard_restore", None),
    ("child: final _restore", "c_restored", "c_ran"),
    ("child: describe, write result", "c_written", "c_restored"),
    ("parent: result read", "result", "c_written"),
    ("kill the group, orphan scan", "scanned", "result"),
    ("drain, close pipes", "cleaned", "scanned"),
    ("reply built", "replied", "cleaned"),
    ("worker: request to reply", "replied", "request"),
    ("runner round trip", "roundtrip", None),
]
PAUSE = 0.05  # a learner's pause between runs (any pause longer than the fork does the same)


def worker_memory(pid) -> str:
    with open(f"/proc/{pid}/status") as f:
        rows = {r.split(":")[0]: r.split(":")[1].strip() for r in f if ":" in r}
    return ", ".join(f"{k} {rows.get(k, '?')}" for k in ("VmSize", "RssAnon", "RssFile", "VmPTE"))


def measure(worker, kind, n, pause=0.0) -> dict:
    stages: dict = {label: [] for label, _, _ in STAGES}
    faults, cpu = [], []
    began = time.monotonic()
    for _ in range(n):
        time.sleep(pause)
        request = dict(KINDS[kind], id=next(runner_module._ids), seed=0, memory_mb=4096, output_limit=65536, timeout=10)
        start = time.monotonic()
        reply = worker.run(request, 10)
        end = time.monotonic()
        assert reply.get("status") == "pass", reply
        marks = dict(reply["timings"], roundtrip=end - start)
        faults.append(marks.get("c_minflt", 0))
        cpu.append((marks.get("c_utime", 0.0), marks.get("c_stime", 0.0)))
        for label, stop, since in STAGES:
            if stop in marks and (since is None or since in marks):
                stages[label].append(marks[stop] - (marks[since] if since else 0.0))
    wall = (time.monotonic() - began - n * pause) / n
    return {"faults": statistics.median(faults), "wall": wall * 1000,
            # means, not medians: the kernel splits CPU time into user and system by timer ticks, so one
            # short run's split is a sample; the mean over many is the share
            "user": statistics.mean(u for u, _s in cpu) * 1000, "sys": statistics.mean(s for _u, s in cpu) * 1000,
            **{k: statistics.median(v) * 1000 if v else None for k, v in stages.items()}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args()
    worker = runner_module._Worker()
    try:
        worker.ensure_ready()
        for kind in KINDS:  # warm the caches and the worker's pipes
            measure(worker, kind, 5)
        results = {}
        for kind in KINDS:
            results[kind] = measure(worker, kind, args.n)
            results[f"{kind}+pause"] = measure(worker, kind, args.n, PAUSE)
        print(f"worker: {worker_memory(worker.proc.pid)}")
    finally:
        worker.stop()
    print(f"columns: runs back to back (as verify makes them), and with a {PAUSE * 1000:.0f} ms pause before each")
    print(f"{'stage (median ms over ' + str(args.n) + ' runs)':40}" + "".join(f"{k:>12}" for k in results))
    for label, _, _ in STAGES:
        cells = [results[k][label] for k in results]
        print(f"{label:40}" + "".join(f"{c:12.2f}" if c is not None else f"{'-':>12}" for c in cells))
    print(f"{'per run, wall clock (mean, pauses out)':40}" + "".join(f"{results[k]['wall']:12.2f}" for k in results))
    print(f"{'child page faults (minor)':40}" + "".join(f"{results[k]['faults']:12.0f}" for k in results))
    print(f"{'child CPU, user ms, mean (its code)':40}" + "".join(f"{results[k]['user']:12.2f}" for k in results))
    print(f"{'child CPU, system ms, mean (faults)':40}" + "".join(f"{results[k]['sys']:12.2f}" for k in results))


if __name__ == "__main__":
    main()
