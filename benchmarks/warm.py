"""One-shot `quizkit check ID FILE` (an editor's "check this file" key) with the warm worker, without it, and
beside `python -c "import torch"`, in one run; then where a warm check's time goes (python -X importtime).

Prints, side by side:
  - `python -c "import torch"` (median)
  - check without the warm worker (QUIZKIT_WORKER_IDLE=0: every call starts a torch worker; median)
  - check with it: the first call (starts the daemon), then later calls (median; goal <= 0.15 s, <= 0.15x torch)
  - the floor: `python -c pass`, `quizkit --help`
  - the warm check's imports by top-level module (ms), and the rest of its time
Bytecode is compiled first and written (PYTHONDONTWRITEBYTECODE is dropped), as in an installed package.
Usage: python benchmarks/warm.py [--repeat N]
"""

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWER = (
    "def one_hot(labels, num_classes):\n"
    "    classes = torch.arange(num_classes, device=labels.device)\n"
    "    return (labels.unsqueeze(-1) == classes).long()\n"
)
QUESTION = "tensors/one-hot-without-f"


def run(env, *args):
    p = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    return p


def check(env, answer):
    p = run(env, "-m", "quizkit", "check", QUESTION, answer)
    assert p.returncode == 0 and "PASS" in p.stdout, (p.stdout, p.stderr)


CPU: dict = {}  # label -> CPU seconds (user + sys) of each call, the command's own and its waited-for children


def timed(fn, label=None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if label:
        CPU.setdefault(label, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def median_of(fn, repeat, label) -> float:
    return statistics.median(timed(fn, label) for _ in range(repeat))


def imports(env, answer) -> tuple[dict, float]:
    """(ms by top-level module imported, total ms) of one warm check, from python -X importtime."""
    p = run(env, "-X", "importtime", "-m", "quizkit", "check", QUESTION, answer)
    groups: dict = {}
    total = 0.0
    for line in p.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m or len(m.group(3)) != 1:
            continue  # only top-level imports: their cumulative time holds their children's
        us, name = int(m.group(2)), m.group(4)
        key = name if name.startswith("quizkit") else name.split(".")[0]
        groups[key] = groups.get(key, 0) + us / 1000
        total += us / 1000
    return groups, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    runtime = tempfile.mkdtemp(prefix="qkb", dir="/tmp")  # a socket's path is at most 107 bytes
    home = tempfile.mkdtemp(prefix="qkh")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(QUIZKIT_HOME=home, XDG_RUNTIME_DIR=runtime, NO_COLOR="1", QUIZKIT_WORKER_IDLE="600")
    cold_env = dict(env, QUIZKIT_WORKER_IDLE="0")
    answer = os.path.join(home, "answer.py")
    Path(answer).write_text(ANSWER)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "quizkit")], check=True)
    try:
        check(cold_env, answer)  # the bank cache and the store made: every measure below finds them
        torch_s = median_of(lambda: run(env, "-c", "import torch"), args.repeat, "torch")
        bare = median_of(lambda: run(env, "-c", "pass"), args.repeat, "pass")
        helps = median_of(lambda: run(env, "-m", "quizkit", "--help"), args.repeat, "help")
        cold = median_of(lambda: check(cold_env, answer), max(3, args.repeat // 2), "cold")
        first = timed(lambda: check(env, answer), "first")
        time.sleep(3)  # the worker warms up after its first run, while the learner edits
        warm_times = []
        for _ in range(args.repeat):
            warm_times.append(timed(lambda: check(env, answer), "warm"))
            time.sleep(0.3)
        warm = statistics.median(warm_times)
        groups, total = imports(env, answer)
    finally:
        run(env, "-m", "quizkit", "worker", "stop")
        shutil.rmtree(runtime, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)

    print(f"{'one-shot quizkit check ' + QUESTION:60} {'seconds':>8} {'x import torch':>15} {'CPU s':>7}")
    rows = [
        ('python -c "import torch" (median)', torch_s, "torch"),
        ("check, no warm worker (QUIZKIT_WORKER_IDLE=0; median)", cold, "cold"),
        ("check, warm worker: the first call (starts it)", first, "first"),
        ("check, warm worker: later calls (median; goal <= 0.15 s)", warm, "warm"),
        ("  floor: python -c pass (median)", bare, "pass"),
        ("  floor: quizkit --help (median)", helps, "help"),
    ]
    for label, s, key in rows:
        print(f"{label:60} {s:8.3f} {s / torch_s:14.2f}x {statistics.median(CPU[key]):7.3f}")
    print("  (CPU s: user + sys of the command and the children it waited for; a daemon's is not counted)")
    print(f"{'  warm calls, min / max':60} {min(warm_times):8.3f} / {max(warm_times):.3f}")
    print(f"{'  speed-up of a warm check over no warm worker':60} {cold / warm:8.1f}x")
    print(f"\nwhere a warm check's time goes (python -X importtime, one call): imports {total:.0f} ms")
    for name, ms in sorted(groups.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {name:40} {ms:7.1f} ms")
    print(f"  {'the rest (parse, banks, store, the run)':40} {warm * 1000 - total:7.0f} ms (of the median)")
    print(f"\nload average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
