"""`quizkit mcp`: the verdict latency an assistant sees, and start-up, side by side with drill and a fresh run.

Prints, in one run:
  - check_answer's round trip on a warm server (the SDK's stdio client -> quizkit mcp -> the judge -> the
    store -> back; goal: within 2x of drill's warm verdict), beside drill's warm verdict (the same answer
    judged in-process by a warm runner, as benchmarks/drill.py measures it) and beside running the answer +
    tests in a fresh interpreter (what an assistant's own code tool would do)
  - start-up: launch to the first tool answer (list_questions), and to the first verdict (torch imported
    by the worker meanwhile)
  - why the SDK is an extra: importing it, beside `quizkit --help` (what every command would pay on top)
Usage: python benchmarks/mcp.py [--repeat N]   (needs the extra: pip install 'quizkit[mcp]')
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import median_time

ROOT = Path(__file__).resolve().parent.parent
# This file is named mcp.py: with its folder first on sys.path, `import mcp` would find it, not the SDK.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
BANK = ROOT / "tests" / "data" / "banks" / "mini.yaml"
QID = "mini/softmax"
ANSWER = (
    "def softmax(x, dim=-1):\n    z = x - x.amax(dim=dim, keepdim=True)\n"
    "    return z.exp() / z.exp().sum(dim=dim, keepdim=True)\n"
)


def _params(home):
    from mcp import StdioServerParameters

    env = {"QUIZKIT_HOME": home, "QUIZKIT_LANG": "en", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    return StdioServerParameters(command=sys.executable, args=["-m", "quizkit", "mcp", "--bank", str(BANK)],
                                 env=env, cwd=str(ROOT))  # fmt: skip


async def _session(home, work):
    """Start a server, hand `work` a session and the launch time; stderr is dropped."""
    from mcp import ClientSession, stdio_client

    with open(os.devnull, "w") as errlog:
        start = time.perf_counter()
        async with stdio_client(_params(home), errlog=errlog) as (read, write):
            async with ClientSession(read, write) as s:
                await s.initialize()
                return await work(s, start)


async def _check(s):
    r = await s.call_tool("check_answer", {"id": QID, "answer": ANSWER})
    assert not r.is_error and r.structured_content["verdict"] == "pass", r.content
    return r.structured_content


def startup(repeat):
    """(launch to the first list_questions answer, launch to the first verdict), medians over fresh servers."""

    async def work(s, start):
        r = await s.call_tool("list_questions", {"limit": 1})
        assert not r.is_error
        listed = time.perf_counter() - start
        await _check(s)
        return listed, time.perf_counter() - start

    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as home:
            runs.append(asyncio.run(_session(home, work)))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def warm_check(repeat):
    """(median round trip of check_answer on a warm server, median judge time inside it)."""

    async def work(s, _start):
        await _check(s)  # the worker is warm from here on
        times, judged = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            out = await _check(s)
            times.append(time.perf_counter() - t)
            judged.append(out["judge_seconds"])
        return statistics.median(times), statistics.median(judged)

    with tempfile.TemporaryDirectory() as home:
        return asyncio.run(_session(home, work))


def drill_warm(repeat):
    """drill's warm verdict: the answer judged in-process by a ready runner (benchmarks/drill.py's figure)."""
    from quizkit import catalog, types
    from quizkit.runner import Runner

    _, questions, _ = catalog.load([BANK])
    q = catalog.find(questions, QID)
    with Runner() as runner:
        runner.ready()
        ctx = types.Ctx(runner)
        assert types.of(q).judge(q, ANSWER, ctx).correct
        return median_time(lambda: types.of(q).judge(q, ANSWER, ctx), repeat)


def fresh_run(repeat):
    from quizkit import catalog

    _, questions, _ = catalog.load([BANK])
    q = catalog.find(questions, QID)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write("import torch\ntorch.manual_seed(0)\n" + ANSWER + q.body.tests)
    try:
        return median_time(lambda: subprocess.run([sys.executable, f.name], check=True), repeat)
    finally:
        os.unlink(f.name)


def imports(repeat):
    """(import of the SDK's server, `quizkit --help`), each a fresh interpreter."""

    def run(*args):
        return median_time(
            lambda: subprocess.run([sys.executable, *args], check=True, capture_output=True, cwd=ROOT), repeat
        )

    return run("-c", "import mcp.server"), run("-m", "quizkit", "--help")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))

    mcp_warm, judged = warm_check(args.repeat * 4)
    drill = drill_warm(args.repeat * 4)
    fresh = fresh_run(args.repeat)
    listed, first_verdict = startup(args.repeat)
    sdk, helped = imports(args.repeat)
    ratio = mcp_warm / drill if drill else float("inf")
    print("verdict latency, code answer (mini/softmax), warm")
    print(
        f"  quizkit mcp check_answer, round trip  {mcp_warm * 1000:8.1f} ms   (judge + store inside: {judged * 1000:.1f} ms)"
    )
    print(
        f"  drill's warm verdict (in-process)     {drill * 1000:8.1f} ms   -> mcp / drill = {ratio:.2f}x (goal <= 2x: {'met' if ratio <= 2 else 'NOT met'})"
    )
    print(f"  fresh interpreter (python file.py)    {fresh * 1000:8.1f} ms")
    print("start-up of quizkit mcp (fresh server, launch to ...)")
    print(f"  first tool answer (list_questions)    {listed * 1000:8.1f} ms")
    print(
        f"  first verdict (check_answer)          {first_verdict * 1000:8.1f} ms   (the worker imports torch meanwhile)"
    )
    print("the SDK as a dependency")
    print(f"  import mcp.server                     {sdk * 1000:8.1f} ms   (an extra: quizkit[mcp])")
    print(f"  quizkit --help                        {helped * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
