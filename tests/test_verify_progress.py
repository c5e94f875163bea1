"""Issue 13, item 5: verify runs in parallel by default, and shows a progress bar on a run over a second."""
import io
import json
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from quizkit import ui
from quizkit.cli import app
from quizkit.cli.common import Context
from quizkit.ui import verify as verify_screen  # the bar, its console and its delay live here

pytestmark = pytest.mark.torch_free

cli = CliRunner()


class FakeRunner:
    """Enough of a Runner for these banks (every run prints `yes`): it records how many workers it got."""

    def __init__(self, workers):
        self.workers = workers

    def ready(self, eager=False):
        pass

    def run(self, pieces, device="cpu", timeout=10.0, answer=None, seeds=1, question=None):
        from quizkit.model import RunResult

        return RunResult("pass", stdout="yes\n")

    def close(self):
        pass


def flashcards(tmp_path, n, runs=False) -> Path:
    """n flashcards, or (`runs`) n output questions whose code prints yes."""
    lines = ["bank: cards", "questions:"]
    for i in range(n):
        lines += [f"  - id: c{i}", f"    prompt: card {i}?"]
        lines += ["    type: output", "    code: print('yes')", "    expected: 'yes'"] if runs else [
            "    type: flashcard", "    answer: yes"]
    path = tmp_path / "cards.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def verify(tmp_path, monkeypatch, n, cpus, *args, runs=True):
    made = []
    monkeypatch.setattr("quizkit.runner.max_workers", lambda: cpus)
    ctx = Context(home=tmp_path / "home", clock=None, runner_factory=lambda w, m: made.append(FakeRunner(w)) or made[-1])
    r = cli.invoke(app, ["verify", "--fresh", str(flashcards(tmp_path, n, runs)), "--json", *args], obj=ctx)
    assert json.loads(r.stdout)["passed"] == n, r.output
    return made[0].workers, r


def test_verify_is_parallel_by_default_on_a_large_bank(tmp_path, monkeypatch):
    assert verify(tmp_path, monkeypatch, 100, 4)[0] == 4  # one worker per CPU
    assert verify(tmp_path, monkeypatch, 45, 4)[0] == 2  # a worker per 20 questions at most
    assert verify(tmp_path, monkeypatch, 5, 4)[0] == 1  # a few questions: one worker, no torch imported twice
    assert verify(tmp_path, monkeypatch, 100, 4, runs=False)[0] == 1  # nothing runs code: one, never started


def test_more_jobs_than_cpus_are_capped_with_a_warning(tmp_path, monkeypatch):
    workers, r = verify(tmp_path, monkeypatch, 5, 2, "-j", "8")
    assert workers == 2 and "-j 8: this machine has 2 CPUs; using 2" in r.stderr


@pytest.fixture
def terminal(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(verify_screen, "err", Console(file=buf, force_terminal=True, width=80))
    monkeypatch.setattr(verify_screen, "PROGRESS_AFTER", 0.1)
    return buf


def test_a_long_verify_shows_a_bar_even_before_any_question_ends(terminal):
    update, stop = ui.verify_progress(3)
    time.sleep(0.6)  # torch importing, or one long question: nothing has ended yet
    shown = terminal.getvalue()
    update(None)
    stop()
    assert "verifying" in shown and "0/3" in shown


def test_a_short_verify_shows_no_bar(terminal):
    update, stop = ui.verify_progress(3)
    for _ in range(3):
        update(None)
    stop()
    time.sleep(0.3)  # past PROGRESS_AFTER: the stopped run's timer must not start the bar
    assert terminal.getvalue() == ""


def test_no_bar_where_stderr_is_not_a_terminal(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(verify_screen, "err", Console(file=buf, force_terminal=False))
    monkeypatch.setattr(verify_screen, "PROGRESS_AFTER", 0.0)
    update, stop = ui.verify_progress(3)
    time.sleep(0.1)
    update(None)
    stop()
    assert buf.getvalue() == ""
