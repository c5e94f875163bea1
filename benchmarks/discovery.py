"""Finding the installed bank packages, side by side: quizkit's own reading of entry_points.txt (with the
editable-install lookup) and importlib.metadata's entry_points(group=...), each in a fresh interpreter
(what every quizkit start pays), plus the judge's cost of sharing the tests' names with the answer.

Prints, in one run:
  - median wall time of a fresh `python -c` that finds the group's entry points, both ways, and what each
    found (the same distributions)
  - median time of a judged run whose tests call the answer 2,000 times, with 50 names at the top of the
    tests (shared before every call) and with none: the per-call cost of the original contract
Usage: python benchmarks/discovery.py [--repeat N]
"""
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OURS = ("import time; t = time.perf_counter(); from quizkit import packages; "
        "found = packages.discover(); print(time.perf_counter() - t, sorted(p.name for p in found))")
METADATA = ("import time; t = time.perf_counter(); import importlib.metadata as m; "
            "found = m.entry_points(group='quizkit.banks'); "
            "print(time.perf_counter() - t, sorted({e.dist.name for e in found}))")


def fresh(code, repeat):
    times, names = [], None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                             check=True).stdout.split(" ", 1)
        times.append(float(out[0]))
        names = out[1].strip()
    return statistics.median(times), names


def judged(runner, names, repeat):
    helpers = "".join(f"h{i} = {i}\n" for i in range(names))
    tests = helpers + "for _ in range(2000):\n    assert f(1) == 2\n"
    answer = "def f(x):\n    return x + 1\n"
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        r = runner.run([("answer", answer), ("tests", tests)], answer=0)
        assert r.ok, r
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    ours, found_ours = fresh(OURS, args.repeat)
    theirs, found_theirs = fresh(METADATA, args.repeat)
    print(f"medians of {args.repeat} fresh interpreters")
    print(f"{'finding bank packages':44} {'time':>9}  found")
    print(f"{'quizkit (entry_points.txt, meta_path finders)':44} {ours * 1000:7.1f} ms  {found_ours}")
    print(f"{'importlib.metadata.entry_points(group=...)':44} {theirs * 1000:7.1f} ms  {found_theirs}")
    from quizkit.runner import Runner

    with Runner() as runner:
        judged(runner, 0, 1)  # warm
        none, fifty = judged(runner, 0, args.repeat), judged(runner, 50, args.repeat)
    print(f"{'a judged run, 2,000 calls into the answer':44} {'time':>9}")
    print(f"{'  tests define no names':44} {none * 1000:7.1f} ms")
    print(f"{'  tests define 50 names (shared every call)':44} {fifty * 1000:7.1f} ms"
          f"  (+{(fifty - none) / 2000 * 1e6:.1f} us a call)")


if __name__ == "__main__":
    main()
