"""Runner overhead, side by side: a fresh interpreter per run vs quizkit's forked warm worker.

Prints, in one run:
  - median wall time of `python -c "import torch"` (what a run would cost without a warm worker)
  - quizkit's per-run overhead: (verify of N trivial snippets - verify of 1) / (N - 1), N = 1001
  - the same for judged code answers (answer + tests: verify runs each question's solution and starter)
  - their ratio to a fresh interpreter (goals: <= 5 ms a run, >= 250x faster)
  - `quizkit --help` against `import torch` (goal: <= 0.10 of it: torch is not imported at start-up)
Where the time of one run goes, stage by stage: benchmarks/runcost.py.
Usage: python benchmarks/runner.py [--repeat N] [--n N] [--code-n N]
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_time

GOAL_MS, GOAL_SPEEDUP = 5.0, 250


def timed(cmd, repeat):
    return median_time(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL), repeat)


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
    print(f"{label:48} {value:10.3f} {unit:3} {goal}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n", type=int, default=1001, help="snippets in the big output bank")
    ap.add_argument("--code-n", type=int, default=501, help="questions in the big code bank (2 runs each)")
    args = ap.parse_args()
    quizkit = [sys.executable, "-m", "quizkit"]  # verify --fresh: every repeat runs, none is remembered
    torch_s = timed([sys.executable, "-c", "import torch"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        t1 = timed(quizkit + ["verify", "--fresh", str(bank(Path(tmp), 1))], args.repeat)
        tn = timed(quizkit + ["verify", "--fresh", str(bank(Path(tmp), args.n))], args.repeat)
        c1 = timed(quizkit + ["verify", "--fresh", str(code_bank(Path(tmp), 1))], args.repeat)
        cn = timed(quizkit + ["verify", "--fresh", str(code_bank(Path(tmp), args.code_n))], args.repeat)
    per_run = (tn - t1) / (args.n - 1)
    per_code = (cn - c1) / ((args.code_n - 1) * 2)
    help_s = timed(quizkit + ["--help"], args.repeat)
    print(f"{'measure (medians of ' + str(args.repeat) + ')':48} {'value':>10}")
    row('fresh python -c "import torch"', torch_s)
    row("quizkit verify, 1 snippet", t1)
    row(f"quizkit verify, {args.n} snippets", tn)
    row("quizkit per-run overhead", per_run * 1000, "ms", f"(goal <= {GOAL_MS:g} ms)")
    row("speed-up vs a fresh interpreter per run", torch_s / per_run, "x", f"(goal >= {GOAL_SPEEDUP} x)")
    row("quizkit verify, 1 code question", c1)
    row(f"quizkit verify, {args.code_n} code questions", cn)
    row("per judged code run (answer + tests)", per_code * 1000, "ms", f"(goal <= {GOAL_MS:g} ms)")
    row("speed-up vs a fresh interpreter per code run", torch_s / per_code, "x", f"(goal >= {GOAL_SPEEDUP} x)")
    row("quizkit --help", help_s)
    row("quizkit --help / import torch", help_s / torch_s, "", "(goal <= 0.10)")


if __name__ == "__main__":
    main()
