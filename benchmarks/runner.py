"""Runner overhead, side by side: a fresh interpreter per run vs quizkit's forked warm worker.

Prints, in one run:
  - median wall time of `python -c "import torch"` (what a run would cost without a warm worker)
  - quizkit's per-run overhead: (verify of N trivial snippets - verify of 1) / (N - 1), N = 1001
  - the same for judged code answers (answer + tests: verify runs each question's solution and starter)
  - their ratio to a fresh interpreter (goals: <= 5 ms a run, >= 250x faster)
  - `quizkit --help` against `import torch` (goal: <= 0.10 of it: torch is not imported at start-up)
Where the time of one run goes, stage by stage: benchmarks/runcost.py.
With --against DIR (another checkout of quizkit, e.g. `git archive main | tar -x -C /tmp/qk-main`), every
figure is measured for both trees in turn, in the same run, and printed side by side.
Usage: python benchmarks/runner.py [--repeat N] [--n N] [--code-n N] [--against DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_time

GOAL_MS, GOAL_SPEEDUP = 5.0, 250


def timed(cmd, repeat, cwd=None):
    return median_time(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, cwd=cwd), repeat)


def bank(folder: Path, n: int) -> Path:
    lines = ["bank: bench", "questions:"]
    for i in range(n):
        lines += [f"  - id: q{i}", "    type: output", "    prompt: p", f"    code: print({i} + 1)",
                  f"    expected: '{i + 1}'"]
    path = folder / f"bench{n}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def code_bank(folder: Path, n: int) -> Path:
    """n code questions: verify runs each one's solution (passes) and its starter (must fail): 2 judged runs."""
    lines = ["bank: benchcode", "questions:"]
    for i in range(n):
        lines += [f"  - id: c{i}", "    type: code", "    prompt: p",
                  "    starter: \"def f(x):\\n    return x\"",
                  f"    solution: \"def f(x):\\n    return x + {i + 1}\"",
                  f"    tests: \"assert f(1) == {i + 2}\\nassert f(2) == {i + 3}\""]
    path = folder / f"benchcode{n}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def row(label, value, unit="s", goal=""):
    values = value if isinstance(value, tuple) else (value,)
    print(f"{label:48} " + " ".join(f"{v:10.3f}" for v in values) + f" {unit:3} {goal}")


def figures(quizkit, args, tmp, trees) -> list:
    """The verify timings of each tree (a folder where `python -m quizkit` runs that tree; None: this one),
    measure by measure, tree after tree: a load that changes meanwhile falls on both."""
    banks = {"t1": bank(Path(tmp), 1), "tn": bank(Path(tmp), args.n), "c1": code_bank(Path(tmp), 1),
             "cn": code_bank(Path(tmp), args.code_n)}
    out = [{} for _ in trees]
    for key, path in banks.items():
        for t, cwd in zip(out, trees):
            t[key] = timed(quizkit + ["verify", "--fresh", str(path)], args.repeat, cwd)
    for t, cwd in zip(out, trees):
        t["help"] = timed(quizkit + ["--help"], args.repeat, cwd)
        t["per_run"] = (t["tn"] - t["t1"]) / (args.n - 1)
        t["per_code"] = (t["cn"] - t["c1"]) / ((args.code_n - 1) * 2)
    return out


def main():
    # Every verify starts its own workers: with the warm worker (one job) the 1-snippet verify skips the
    # worker's start that the 1001-snippet one pays, and the per-run figure would carry it.
    os.environ["QUIZKIT_WORKER_IDLE"] = "0"
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n", type=int, default=1001, help="snippets in the big output bank")
    ap.add_argument("--code-n", type=int, default=501, help="questions in the big code bank (2 runs each)")
    ap.add_argument("--against", help="another quizkit checkout, measured in the same run, side by side")
    args = ap.parse_args()
    quizkit = [sys.executable, "-m", "quizkit"]  # verify --fresh: every repeat runs, none is remembered
    torch_s = timed([sys.executable, "-c", "import torch"], args.repeat)
    trees = [None] + ([str(Path(args.against).resolve())] if args.against else [])
    with tempfile.TemporaryDirectory() as tmp:
        f = figures(quizkit, args, tmp, trees)

    def both(key, scale=1.0):
        return tuple(x[key] * scale for x in f)

    head = "this tree" + (f" | {args.against}" if args.against else "")
    print(f"{'measure (medians of ' + str(args.repeat) + ')':48} {head}")
    row('fresh python -c "import torch"', torch_s)
    row("quizkit verify, 1 snippet", both("t1"))
    row(f"quizkit verify, {args.n} snippets", both("tn"))
    row("quizkit per-run overhead", both("per_run", 1000), "ms", f"(goal <= {GOAL_MS:g} ms)")
    row("speed-up vs a fresh interpreter per run", tuple(torch_s / x["per_run"] for x in f), "x",
        f"(goal >= {GOAL_SPEEDUP} x)")
    row("quizkit verify, 1 code question", both("c1"))
    row(f"quizkit verify, {args.code_n} code questions", both("cn"))
    row("per judged code run (answer + tests)", both("per_code", 1000), "ms", f"(goal <= {GOAL_MS:g} ms)")
    row("quizkit --help", both("help"))
    row("quizkit --help / import torch", tuple(x["help"] / torch_s for x in f), "", "(goal <= 0.10)")


if __name__ == "__main__":
    main()
