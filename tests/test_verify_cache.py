"""verify remembers a pass by everything its verdict depends on: an unchanged question is not run again, and
a change to any part of it (or to torch, the packages, quizkit, the device, the memory limit) runs it again."""
import json
import os
import textwrap

import pytest
from typer.testing import CliRunner

from quizkit.cli import app

from conftest import DATA, write_bank

cli = CliRunner()

BANK = (DATA / "vc.yaml").read_text()  # (one question of each kind that runs, and a card)


@pytest.fixture
def counted(monkeypatch, runner):
    """The CLI's runner, counting the runs it makes and whether it was asked to start torch."""
    from quizkit import cli as cli_module

    seen = {"runs": 0, "ready": 0}

    class Counting:
        def __getattr__(self, name):
            return getattr(runner, name)

        def run(self, *args, **kwargs):
            seen["runs"] += 1
            return runner.run(*args, **kwargs)

        def ready(self, *args, **kwargs):
            seen["ready"] += 1
            return runner.ready(*args, **kwargs)

        def close(self):
            pass

    monkeypatch.setattr(cli_module, "_default_runner", lambda workers=1, memory_mb=None: Counting())
    return seen


def _verify(*args):
    r = cli.invoke(app, ["verify", "--json", *map(str, args)])
    return r.exit_code, json.loads(r.output)


def test_an_unchanged_bank_runs_nothing_the_second_time(tmp_path, counted):
    bank = write_bank(tmp_path, BANK)
    code, first = _verify(bank)
    assert code == 0 and first["passed"] == 3 and first["cached"] == 0
    runs = counted["runs"]
    assert runs >= 4  # solution, starter, wrong answer, output
    code, second = _verify(bank)
    assert code == 0 and second["passed"] == 3 and second["cached"] == 2
    assert counted["runs"] == runs and counted["ready"] == 1  # torch was not even started again
    cached = {r["id"]: r["cached"] for r in second["results"]}
    assert cached == {"vc/double": True, "vc/prints": True, "vc/card": False}


def test_an_edited_question_runs_again_and_a_failure_is_never_remembered(tmp_path, counted):
    bank = write_bank(tmp_path, BANK)
    assert _verify(bank)[0] == 0
    # The tests weakened so the wrong answer passes: only this question runs, and it fails, twice.
    bank.write_text(BANK.replace("torch.tensor([0.0, 2.0, 4.0])", "double(torch.arange(3.0))"))
    for _attempt in range(2):
        code, data = _verify(bank)
        rows = {r["id"]: r for r in data["results"]}
        assert code == 1 and rows["vc/double"]["status"] == "fail" and "wrong answer 1 passes" in rows["vc/double"]["reason"]
        assert not rows["vc/double"]["cached"] and rows["vc/prints"]["cached"]
    bank.write_text(BANK)  # put back: remembered from the first run, nothing runs
    runs = counted["runs"]
    code, data = _verify(bank)
    assert code == 0 and data["cached"] == 2 and counted["runs"] == runs


def test_fresh_runs_everything_and_the_table_says_what_was_remembered(tmp_path, counted):
    bank = write_bank(tmp_path, BANK)
    r = cli.invoke(app, ["verify", "--fresh", str(bank)])  # its passes are remembered all the same
    runs = counted["runs"]
    assert r.exit_code == 0 and runs >= 4 and "remembered" not in r.output
    r = cli.invoke(app, ["verify", "--fresh", str(bank)])
    assert r.exit_code == 0 and counted["runs"] == 2 * runs and "remembered" not in r.output
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 0 and counted["runs"] == 2 * runs
    rows = {line.split("│")[1].strip(): line for line in r.output.splitlines() if line.count("│") > 4}
    assert "remembered" in rows["vc/double"] and "remembered" not in rows["vc/card"]
    assert "2 passes are remembered" in r.output and "--fresh" in r.output


def test_a_few_questions_to_run_take_one_worker(tmp_path, monkeypatch):
    """verify sizes its workers by the questions that will run, not by all it was given."""
    from quizkit import cli as cli_module

    seen = []
    real = cli_module._default_runner
    monkeypatch.setattr(cli_module, "_default_runner", lambda workers=1, memory_mb=None: seen.append(workers) or real(workers, memory_mb))
    monkeypatch.setattr("quizkit.runner.max_workers", lambda: 2)
    many = "questions:\n" + "".join(
        f"  - id: q{i}\n    type: output\n    prompt: p\n    code: print({i})\n    expected: '{i}'\n" for i in range(40))
    bank = write_bank(tmp_path, many)
    assert _verify(bank)[0] == 0
    bank.write_text(many.replace("print(39)", "print(39 + 0)"))
    assert _verify(bank)[0] == 0 and seen == [2, 1]


def test_without_a_cache_folder_nothing_is_remembered(tmp_path, counted, monkeypatch):
    monkeypatch.setenv("QUIZKIT_CACHE", "off")
    bank = write_bank(tmp_path, BANK)
    _verify(bank)
    runs = counted["runs"]
    code, data = _verify(bank)
    assert code == 0 and data["cached"] == 0 and counted["runs"] == 2 * runs


HELPER = textwrap.dedent("""\
    bank: vh
    questions:
      - id: uses
        type: output
        prompt: What does it print?
        requires: [vc_helper]
        code: |
          import vc_helper
          print(vc_helper.K * 3)
        expected: "6"
""")


@pytest.mark.slow
@pytest.mark.own_runner
def test_a_question_importing_a_module_outside_the_installed_packages_runs_every_time(tmp_path, monkeypatch):
    """A module on PYTHONPATH (or in the current folder, or an editable install) can change with no version
    to show it: the question's verdict is never taken from memory."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "vc_helper.py").write_text("K = 2\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(lib), os.environ.get("PYTHONPATH")])))
    monkeypatch.syspath_prepend(str(lib))
    bank = write_bank(tmp_path, HELPER)
    code, data = _verify(bank)
    assert code == 0 and data["passed"] == 1, data
    (lib / "vc_helper.py").write_text("K = 3\n")  # edited: the question no longer passes
    code, data = _verify(bank)
    assert code == 1 and data["results"][0]["status"] == "fail" and data["cached"] == 0
    # Not named in `requires` either: an import in any of its code is enough.
    bank.write_text(HELPER.replace("    requires: [vc_helper]\n", "").replace('"6"', '"9"'))
    assert _verify(bank)[1]["passed"] == 1
    (lib / "vc_helper.py").write_text("K = 4\n")
    code, data = _verify(bank)
    assert code == 1 and data["cached"] == 0


@pytest.mark.torch_free
def test_the_runner_benchmark_times_runs_not_remembered_passes(monkeypatch, capsys):
    """benchmarks/runner.py times the same verify several times: without --fresh every repeat after the first
    would run nothing, and the per-run overhead it prints would be that of reading the cache."""
    import importlib.util
    from pathlib import Path

    folder = Path(__file__).parent.parent / "benchmarks"
    monkeypatch.syspath_prepend(str(folder))
    spec = importlib.util.spec_from_file_location("bench_runner", folder / "runner.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    commands = []
    monkeypatch.setattr(bench, "timed", lambda cmd, repeat, cwd=None: commands.append(cmd) or float(len(commands)))
    monkeypatch.setattr("sys.argv", ["runner.py", "--repeat", "1", "--n", "3", "--code-n", "3"])
    bench.main()
    verifies = [cmd for cmd in commands if "verify" in cmd]
    assert len(verifies) == 4 and all("--fresh" in cmd for cmd in verifies)
