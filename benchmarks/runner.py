"""Runner overhead, side by side: a fresh interpreter per run vs quizkit's forked warm worker.

Prints, in one run:
  - median wall time of `python -c "import torch"` (what a run would cost without a warm worker)
  - quizkit's per-run overhead: (verify of 201 trivial snippets - verify of 1) / 200
  - their ratio (goal: <= 15 ms a run, >= 100x faster)
  - `quizkit --help` against `import torch` (goal: <= 0.10 of it: torch is not imported at start-up)
Usage: python benchmarks/runner.py [--repeat N]
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_time


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    quizkit = [sys.executable, "-m", "quizkit"]
    torch_s = timed([sys.executable, "-c", "import torch"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        one, many = bank(Path(tmp), 1), bank(Path(tmp), 201)
        t1 = timed(quizkit + ["verify", str(one)], args.repeat)
        t201 = timed(quizkit + ["verify", str(many)], args.repeat)
    per_run = (t201 - t1) / 200
    help_s = timed(quizkit + ["--help"], args.repeat)
    print(f"{'measure':44} {'seconds':>10}")
    label = 'fresh python -c "import torch" (median)'
    print(f"{label:44} {torch_s:10.3f}")
    print(f"{'quizkit verify, 1 snippet (median)':44} {t1:10.3f}")
    print(f"{'quizkit verify, 201 snippets (median)':44} {t201:10.3f}")
    print(f"{'quizkit per-run overhead':44} {per_run * 1000:9.1f} ms   (goal <= 15 ms)")
    print(f"{'speed-up vs a fresh interpreter per run':44} {torch_s / per_run:9.0f} x    (goal >= 100 x)")
    print(f"{'quizkit --help':44} {help_s:10.3f}")
    print(f"{'quizkit --help / import torch':44} {help_s / torch_s:10.3f}   (goal <= 0.10)")


if __name__ == "__main__":
    main()
