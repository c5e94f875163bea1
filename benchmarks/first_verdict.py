"""The first verdict after launch, beside what it must wait for: `python -c "import torch"`.

`quizkit drill` on one output question and on one code question, the answer piped in at once (as a learner
who types fast): the time from launch to the verdict line on screen. The worker starts importing torch
when the session starts, while the question is read and answered, so the verdict should come no later
than torch's import plus a little (goal: + 0.3 s).
Usage: python benchmarks/first_verdict.py [--repeat N]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import median_time

ROOT = Path(__file__).resolve().parent.parent

BANK = """bank: fv
questions:
  - id: out
    type: output
    prompt: What does it print?
    code: print(torch.tensor([1, 2]).sum())
    expected: tensor(3)
  - id: add
    type: code
    prompt: Write add(a, b).
    starter: "def add(a, b):\\n    pass\\n"
    solution: "def add(a, b):\\n    return a + b\\n"
    tests: "assert torch.equal(add(torch.ones(2), torch.ones(2)), torch.full((2,), 2.0))\\n"
"""
ANSWERS = {"output": "tensor(3)\n", "code": "def add(a, b):\n    return a + b\n.\n"}


def first_verdict(bank: Path, kind: str, home: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QUIZKIT_HOME=str(home), NO_COLOR="1")
    env.pop("EDITOR", None)
    env.pop("VISUAL", None)
    start = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "drill", "--bank", str(bank), "--type", kind, "-n", "1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    p.stdin.write((ANSWERS[kind] + "q\n").encode())
    p.stdin.flush()
    seen = b""
    while b"right" not in seen and b"wrong" not in seen:
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            raise SystemExit(f"no verdict: {seen.decode()[-500:]}")
        seen += chunk
    elapsed = time.perf_counter() - start
    p.communicate(timeout=60)
    if b"right" not in seen:
        raise SystemExit(f"the right answer was not judged right: {seen.decode()[-500:]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    torch_s = median_time(lambda: subprocess.run([sys.executable, "-c", "import torch"], check=True), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        bank = Path(tmp) / "fv.yaml"
        bank.write_text(BANK)
        rows = []
        for kind in ("output", "code"):
            runs = sorted(first_verdict(bank, kind, Path(tmp) / f"home{i}") for i in range(args.repeat))
            rows.append((kind, runs[len(runs) // 2]))
    print(f"medians of {args.repeat} runs")
    print(f"{'measure':52} {'seconds':>8}")
    label = 'fresh python -c "import torch"'
    print(f"{label:52} {torch_s:8.3f}")
    for kind, s in rows:
        label = f"quizkit drill: launch to the first verdict ({kind})"
        verdict = "met" if s <= torch_s + 0.3 else "NOT met"
        print(f"{label:52} {s:8.3f}   {s - torch_s:+.3f} s vs import torch (goal <= +0.3 s: {verdict})")


if __name__ == "__main__":
    main()
