"""drill start-up and verdict latency, side by side with the obvious alternatives.

Prints, in one run:
  - launch to first question shown, for a flashcard-only drill (goal <= 0.3 s, torch not imported),
    beside the cost of `import torch` that a tool importing it at start-up would pay first
  - verdict latency of a code answer with the worker warm (goal <= 100 ms), beside running the
    same answer + tests in a fresh interpreter (the obvious way to isolate a run)
Usage: python benchmarks/drill.py [--repeat N]
"""
import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import median_time

ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "tests" / "data" / "banks"
ANSWER = ("def softmax(x, dim=-1):\n    z = x - x.amax(dim=dim, keepdim=True)\n"
          "    return z.exp() / z.exp().sum(dim=dim, keepdim=True)\n")


def first_question(home):
    """Seconds from launch until the flashcard's prompt is on stdout."""
    env = dict(os.environ, QUIZKIT_HOME=home, NO_COLOR="1")
    start = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "drill", "--bank", str(BANKS), "--type", "flashcard",
                          "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=env)
    seen = b""
    while b"Enter to reveal" not in seen:
        if select.select([p.stdout], [], [], 10)[0]:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
    elapsed = time.perf_counter() - start
    p.stdin.close()
    p.wait()
    return elapsed


def torch_free_drill(home):
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom quizkit.cli import app\n"
            f"CliRunner().invoke(app, ['drill', '--bank', {str(BANKS)!r}, '--type', 'flashcard', '-n', '1'], input='\\n3\\n')\n"
            "print('torch' in sys.modules)")
    env = dict(os.environ, QUIZKIT_HOME=home)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from quizkit import catalog, types
    from quizkit.runner import Runner

    with tempfile.TemporaryDirectory() as home:
        launch = statistics.median(first_question(home) for _ in range(args.repeat))
        imported = torch_free_drill(home)
        torch_s = median_time(lambda: subprocess.run([sys.executable, "-c", "import torch"], check=True), args.repeat)

        _, questions, _ = catalog.load([BANKS])
        q = catalog.find(questions, "mini/softmax")
        with Runner() as runner:
            runner.ready()
            ctx = types.Ctx(runner)
            assert types.of(q).judge(q, ANSWER, ctx).correct
            warm = median_time(lambda: types.of(q).judge(q, ANSWER, ctx), args.repeat * 3)
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write("import torch, math\nimport torch.nn as nn, torch.nn.functional as F\ntorch.manual_seed(0)\n"
                    + ANSWER + q.body.tests)
        try:
            fresh = median_time(lambda: subprocess.run([sys.executable, f.name], check=True), args.repeat)
        finally:
            os.unlink(f.name)

    print(f"{'measure':58} {'value':>12}")
    print(f"{'flashcard drill: launch to first question (median)':58} {launch * 1000:9.0f} ms   (goal <= 300 ms)")
    print(f"{'  torch imported by that drill?':58} {imported:>12}")
    label = '  for comparison: python -c "import torch" (median)'
    print(f"{label:58} {torch_s * 1000:9.0f} ms")
    print(f"{'code answer verdict, warm worker (median)':58} {warm * 1000:9.1f} ms   (goal <= 100 ms)")
    print(f"{'  same answer + tests in a fresh interpreter (median)':58} {fresh * 1000:9.0f} ms")
    print(f"{'  speed-up':58} {fresh / warm:9.0f} x")


if __name__ == "__main__":
    main()
