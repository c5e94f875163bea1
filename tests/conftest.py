import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

# Before any test module is collected: a module that imports quizkit.ui at its top (test_ui) builds rich's
# consoles then, and they keep the width they saw (80, not the 120 every test sets).
os.environ["COLUMNS"] = "120"

DATA = Path(__file__).parent / "data"
BANKS = DATA / "banks"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Every test gets its own data folder and a fixed terminal width."""
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QUIZKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("QUIZKIT_NOW", raising=False)
    monkeypatch.setenv("QUIZKIT_LANG", "en")  # the interface's language is never the machine's locale here
    monkeypatch.setenv("QUIZKIT_WORKER_IDLE", "0")  # no warm daemon outlives a test (tests/test_warm.py turns it on)
    from quizkit import i18n
    monkeypatch.setattr(i18n, "_translation", None)  # chosen afresh: a zh test leaves nothing behind


@pytest.fixture(scope="session")
def runner():
    from quizkit.runner import Runner
    r = Runner(memory_mb=1024)
    yield r
    r.close()


class _Shared:
    """The session's warm runner, handed to every CLI command through its context's runner factory:
    commands close it as they always do, and it stays warm (one torch import for the whole suite)."""

    def __init__(self, runner):
        self._runner = runner

    def close(self):
        pass

    def __getattr__(self, name):
        return getattr(self._runner, name)


@pytest.fixture(autouse=True)
def _shared_runner(request, monkeypatch):
    """CLI tests get the shared warm runner, unless they mark themselves `own_runner`."""
    if "own_runner" in request.keywords or "torch_free" in request.keywords:
        return
    from quizkit import cli
    shared = request.getfixturevalue("runner")
    monkeypatch.setattr(cli, "_default_runner", lambda workers=1, memory_mb=None: _Shared(shared))


def write_bank(tmp_path, text, name="b.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def read_until(p, lines: list, text: str, seconds: float = 60) -> bool:
    """Read a running process's output line by line into `lines` until one holds `text` (True), or the
    deadline passes (False): polling, no fixed sleeps."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        lines.append(p.stdout.readline())
        if text in lines[-1]:
            return True
    return False


class Clock:
    """A stopped clock for the app-layer tests: a test moves `t` itself."""

    def __init__(self):
        self.t = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.t


@pytest.fixture
def app(tmp_path, runner):
    """The app layer on the suite's warm runner and a stopped clock."""
    from quizkit.app import App

    return App(home=tmp_path / "home", clock=Clock(), runner_factory=lambda *a: runner)


@pytest.fixture
def mini():
    from quizkit.app import questions as qs

    banks, questions, errors = qs.load([str(BANKS / "mini.yaml")])
    assert not errors
    return banks, questions
