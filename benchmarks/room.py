"""The room's start-up and a run's verdict, side by side with the line-prompt drill.

Prints, in one run:
  - launch of `quizkit room` (the command, typer included) to its first screen painted with the question's
    input (headless, 80x24): a flashcard (goal <= 0.3 s, torch not imported), a code task (its worker is
    started once the screen is up), a 30-minute mock over every shipped bank; beside the launch of `quizkit
    drill` to its first question and of a bare Textual app (one Static) to its first paint (Textual's floor).
    Wall time, and the CPU time the process had used by then (on a loaded machine wall time measures the
    others too; the CPU time much less so). Children run with bytecode cached, as an installed package
    does (a first round, not counted, writes it).
  - with --before DIR (a checkout of an older quizkit, e.g. `git worktree add /tmp/before main`): the same
    launches of that tree's room, in turn with this one's, side by side
  - a code answer's verdict in the room (ctrl+r's action until the results pane has rendered it: the answer
    judged in the warm worker, stored, and laid out), beside the same answer judged and stored by the
    engine as `drill` does it with the worker warm (goal: the room within 1.5x)
Usage: python benchmarks/room.py [--repeat N] [--before DIR]
"""

import argparse
import asyncio
import os
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

# `quizkit room ...` as the command runs it, with Textual's run made headless at 80x24: at the first frame
# that shows the question with its input (the prompt, and the editor, choices or card mounted beside it), the
# time and the CPU time used are written to stderr and the room quits. (Pilot's pause is no such mark: it
# waits until the process is idle, and the backend's thread starting the worker keeps it busy.)
CHILD = """
import os, resource, sys, time
start = time.perf_counter()
import textual.app
display = textual.app.App._display
def shown(self, screen, renderable):
    display(self, screen, renderable)
    right = screen.query("#right")
    if renderable is None or getattr(screen, "shown", None) is None or not right or not right.first().children:
        return
    if not getattr(self, "marked", False):
        self.marked = True
        used = resource.getrusage(resource.RUSAGE_SELF)
        os.write(2, ("ready %f %f torch=%s\\n" % (time.perf_counter() - start, used.ru_utime + used.ru_stime,
                                                  "torch" in sys.modules)).encode())
        self.exit()
textual.app.App._display = shown
run = textual.app.App.run
textual.app.App.run = lambda self, *a, **kw: run(self, headless=True, size=(80, 24))
sys.argv = ["quizkit", *sys.argv[1:]]
from quizkit import main
main()
"""

BARE = """
import os, resource, time
start = time.perf_counter()
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if renderable is not None and not getattr(self, "marked", False):
            self.marked = True
            used = resource.getrusage(resource.RUSAGE_SELF)
            os.write(2, ("ready %f %f\\n" % (time.perf_counter() - start, used.ru_utime + used.ru_stime)).encode())
            self.exit()
Bare().run(headless=True, size=(80, 24))
"""


def child_env(home: str, tree: str | None = None) -> dict:
    env = dict(os.environ, QUIZKIT_HOME=home, NO_COLOR="1", QUIZKIT_LANG="en")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode; so does each child here
    if tree:  # before the installed (editable) quizkit on the path; the children run in `home`, so that the
        env["PYTHONPATH"] = tree  # current folder (first on the path with -c and -m) holds no quizkit
    return env


def painted(args: list, env: dict) -> tuple:
    """(wall seconds, CPU seconds, torch imported?) of a launch to its first screen, as the child says."""
    p = subprocess.run([sys.executable, "-c", *args], env=env, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=120, cwd=env["QUIZKIT_HOME"])  # fmt: skip
    line = next((x for x in p.stderr.splitlines() if x.startswith("ready ")), None)
    if line is None:
        raise SystemExit(f"no first screen: {p.stderr.strip()[-400:]}")
    f = line.split()
    return float(f[1]), float(f[2]), f[3:] == ["torch=True"]


def drill_start(env: dict) -> tuple:
    """(wall seconds, CPU seconds of the process and its children) of `quizkit drill` to its first question."""
    before = os.times()
    start = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "drill", "--bank", str(BANK), "--type", "flashcard",
                          "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=env, cwd=env["QUIZKIT_HOME"])  # fmt: skip
    seen = b""
    while b"Enter to reveal" not in seen:
        if not select.select([p.stdout], [], [], 30)[0]:
            break
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        seen += chunk
    elapsed = time.perf_counter() - start
    p.stdin.close()
    p.wait(timeout=60)
    after = os.times()
    return elapsed, after.children_user + after.children_system - before.children_user - before.children_system


ROOMS = {  # what `quizkit room` is asked, by row
    "a flashcard (--id, the mini bank)": ["room", "--id", "mini/card", "--bank", str(BANK)],
    "a code task (--id, the mini bank)": ["room", "--id", "mini/softmax", "--bank", str(BANK)],
    "a 30-minute mock over every shipped bank": ["room", "--mock", "30", "--seed", "1"],
}


def startups(repeat: int, before: str | None) -> dict:
    """Every launch, in turn, `repeat` rounds after one not counted (it writes the bytecode and the bank
    cache): under this machine's changing load, each round's launches are taken under the same."""
    trees = {"now": None, **({"before": before} if before else {})}
    rows: dict = {}
    with tempfile.TemporaryDirectory() as home:
        for n in range(repeat + 1):
            for name, args in ROOMS.items():
                for tree, path in trees.items():
                    r = painted([CHILD, *args], child_env(home, path))
                    if n:
                        rows.setdefault((name, tree), []).append(r)
            r = drill_start(child_env(home))
            b = painted([BARE], child_env(home))
            if n:
                rows.setdefault(("drill", "now"), []).append(r)
                rows.setdefault(("bare", "now"), []).append(b)
    return rows


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
    ap.add_argument("--before", metavar="DIR", help="a checkout of an older quizkit, measured beside this one")
    args = ap.parse_args()
    rows = startups(args.repeat, args.before)
    in_room, engine = verdicts(args.repeat * 3)

    def ms(key: tuple, i: int) -> str:
        return f"{statistics.median(r[i] for r in rows[key]) * 1000:7.0f} ms" if key in rows else f"{'':10}"

    print(f"{'launch to first screen (medians of ' + str(args.repeat) + '; wall, CPU used)':58} {'now':>21}"
          f"   {'before' if args.before else '':>21}")  # fmt: skip
    for name in ROOMS:
        now, old = (name, "now"), (name, "before")
        print(f"{'room: ' + name:58} {ms(now, 0)} {ms(now, 1)}   {ms(old, 0)} {ms(old, 1)}")
    print(f"{'  goal: a flashcard <= 300 ms; torch imported by then?':58} "
          f"{str(any(r[2] for k, v in rows.items() if k[0] in ROOMS for r in v)):>10}")  # fmt: skip
    print(f"{'  for comparison: quizkit drill, launch to first question':58} {ms(('drill', 'now'), 0)} "
          f"{ms(('drill', 'now'), 1)}")  # fmt: skip
    print(f"{'  the floor: a bare Textual app with one Static, to its paint':58} {ms(('bare', 'now'), 0)} "
          f"{ms(('bare', 'now'), 1)}")  # fmt: skip
    print(f"{'room: a code answer verdict, ctrl+r to results shown (median)':58} {in_room * 1000:7.1f} ms")
    print(f"{'  drill: the same answer judged and stored, warm worker':58} {engine * 1000:7.1f} ms")
    print(f"{'  room / drill':58} {in_room / engine:7.2f} x   (goal <= 1.5 x)")


if __name__ == "__main__":
    main()
