"""The room's start-up and a run's verdict, side by side with the line-prompt drill.

Prints, in one run:
  - launch to the room's first screen painted (headless), for a flashcard (goal <= 0.3 s, torch not
    imported) and for a code task (its worker is started once the screen is up), beside the launch of
    `quizkit drill` to its first question and of a bare Textual app (one Static) to its first paint
  - a code answer's verdict in the room (ctrl+r's action until the results pane has rendered it: the answer
    judged in the warm worker, stored, and its Markdown laid out), beside the same answer judged and stored by the engine as `drill`
    does it with the worker warm (goal: the room within 1.5x)
Usage: python benchmarks/room.py [--repeat N]
"""

import argparse
import asyncio
import os
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "tests" / "data" / "banks" / "mini.yaml"
WRONG = "def softmax(x, dim=-1):\n    return x.exp() / x.exp().sum()\n"

CHILD = """
import os, sys
from quizkit import room
from quizkit.app import App
ui, backend = room.make(App.default(), ids=[{qid!r}], banks=[{bank!r}])
async def painted(pilot):
    await pilot.pause()
    os.write(2, ("ready torch=%s\\n" % ("torch" in sys.modules)).encode())
    ui.exit()
try:
    ui.run(headless=True, size=(80, 24), auto_pilot=painted)
finally:
    backend.close()
"""

BARE = """
import os
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
async def painted(pilot):
    await pilot.pause()
    os.write(2, b"ready\\n")
    app.exit()
app = Bare()
app.run(headless=True, size=(80, 24), auto_pilot=painted)
"""


def launch(args: list, marker: bytes, home: str, stream: str = "stdout") -> tuple:
    """Seconds from launch until `marker` is written, what was written, and the CPU seconds the process used
    in all (on a loaded machine, wall time measures the others too; the CPU time does not)."""
    env = dict(os.environ, QUIZKIT_HOME=home, NO_COLOR="1", QUIZKIT_LANG="en")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.Popen([sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)  # fmt: skip
    pipe = getattr(p, stream)
    seen = b""
    while marker not in seen:
        if select.select([pipe], [], [], 30)[0]:
            chunk = os.read(pipe.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
    elapsed = time.perf_counter() - start
    p.stdin.close()
    p.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    return elapsed, seen.decode(errors="replace"), used


def room_start(qid: str, home: str) -> tuple:
    """(wall seconds, torch imported?, CPU seconds) of the room's launch to its first screen."""
    t, out, cpu = launch(["-c", CHILD.format(qid=qid, bank=str(BANK))], b"ready", home, "stderr")
    return t, "torch=True" in out, cpu


def drill_start(home: str) -> tuple:
    t, _out, cpu = launch(["-m", "quizkit", "drill", "--bank", str(BANK), "--type", "flashcard", "-n", "1"],
                          b"Enter to reveal", home)  # fmt: skip
    return t, cpu


def verdicts(repeat: int) -> tuple:
    """(room, engine): median seconds of a failing code answer's verdict, the worker warm, the two measured
    in turn (this machine's load changes from second to second: each pair is taken under the same)."""
    sys.path.insert(0, str(ROOT))
    from quizkit import room
    from quizkit.app import App
    from quizkit.app import questions as qs
    from quizkit.app.interview import Interview, plan
    from quizkit.runner import Runner
    from quizkit.settings import now

    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as other, Runner() as runner:
        runner.ready()
        app = App(home=Path(home), clock=now, runner_factory=lambda *a: runner)
        banks, questions, _ = qs.load([str(BANK)])
        ui, backend = room.make(app, ids=["mini/softmax"], banks=[str(BANK)])
        times: list = []
        engine: list = []

        async def run(store: object) -> None:
            # drill's path: Session.answer (judged in the worker, stored), on a store of its own
            drill = App(home=Path(other), clock=now, runner_factory=lambda *a: runner)
            iv = Interview(drill, plan(drill, store, banks, questions, ids=["mini/softmax"]), store, runner)
            iv.next()
            async with ui.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                await pilot.app.workers.wait_for_complete()
                s = pilot.app.screen
                s.query_one("#editor").load_text(WRONG)
                for _ in range(repeat + 1):
                    t = time.perf_counter()
                    iv.check(WRONG)
                    engine.append(time.perf_counter() - t)
                    before = s.checked
                    t = time.perf_counter()
                    s.action_run()  # what ctrl+r calls (Pilot's press adds its own waits for the test)
                    while s.checked is before or s.busy:  # busy until the verdict is in the results pane
                        await asyncio.sleep(0.0005)
                    times.append(time.perf_counter() - t)

        try:
            with App(home=Path(other), clock=now, runner_factory=None).store() as store:
                asyncio.run(run(store))
        finally:
            backend.close()
    return statistics.median(times[1:]), statistics.median(engine[1:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        card, code, drill, bare = [], [], [], []
        for _ in range(args.repeat):  # in turn: each round is taken under the same load
            card.append(room_start("mini/card", home))
            code.append(room_start("mini/softmax", home))
            drill.append(drill_start(home))
            bare.append(launch(["-c", BARE], b"ready", home, "stderr"))
    in_room, engine = verdicts(args.repeat * 3)

    def ms(rows: list, i: int) -> str:
        return f"{statistics.median(r[i] for r in rows) * 1000:7.0f} ms"

    print(f"{'measure (medians; wall time, and the CPU time the process used)':62} {'wall':>10} {'CPU':>10}")
    print(f"{'room: launch to first screen, a flashcard':62} {ms(card, 0)} {ms(card, 2)}   (goal <= 300 ms)")
    print(f"{'  torch imported by then?':62} {str(any(r[1] for r in card)):>10}")
    print(f"{'room: launch to first screen, a code task':62} {ms(code, 0)} {ms(code, 2)}")
    print(f"{'  for comparison: quizkit drill, launch to first question':62} {ms(drill, 0)} {ms(drill, 1)}")
    print(f"{'  the floor: a bare Textual app with one Static, launch to paint':62} {ms(bare, 0)} {ms(bare, 2)}")
    print(f"{'room: a code answer verdict, ctrl+r to results shown (median)':62} {in_room * 1000:7.1f} ms")
    print(f"{'  drill: the same answer judged and stored, warm worker':62} {engine * 1000:7.1f} ms")
    print(f"{'  room / drill':62} {in_room / engine:7.2f} x   (goal <= 1.5 x)")


if __name__ == "__main__":
    main()
