from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
BANKS = DATA / "banks"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Every test gets its own data folder and a fixed terminal width."""
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("QUIZKIT_NOW", raising=False)


@pytest.fixture(scope="session")
def runner():
    from quizkit.runner import Runner
    r = Runner(memory_mb=1024)
    yield r
    r.close()


def write_bank(tmp_path, text, name="b.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p
