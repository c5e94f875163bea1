"""verify remembers a pass by everything its verdict depends on: an unchanged question is not run again, and
a change to any part of it (or to torch, the packages, quizkit, the device, the memory limit) runs it again."""
import dataclasses
import json
import os
import textwrap

import pytest
from typer.testing import CliRunner

from quizkit import verifycache
from quizkit.cli import app

from conftest import write_bank

cli = CliRunner()

BANK = textwrap.dedent("""\
    bank: vc
    questions:
      - id: double
        type: code
        prompt: Double x.
        starter: |
          def double(x):
              raise NotImplementedError
        solution: |
          def double(x):
              return 2 * x
        tests: |
          assert torch.equal(double(torch.arange(3.0)), torch.tensor([0.0, 2.0, 4.0]))
        wrong:
          - code: |
              def double(x):
                  return x + 1
            why: adds one
      - id: prints
        type: output
        prompt: What does it print?
        code: print(torch.arange(3).sum().item())
        expected: "3"
      - id: card
        type: flashcard
        prompt: A card.
        answer: No run.
""")


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


def _question(tmp_path):
    from quizkit.bank import load_bank

    return next(q for q in load_bank(write_bank(tmp_path, BANK)).questions if q.id == "double")


def test_the_key_covers_every_field_a_verdict_depends_on(tmp_path):
    q = _question(tmp_path)
    v = verifycache.Verified("cpu", 4096, tmp_path / "c")
    base = v.key(q)
    assert v.key(q) == base
    wrong = q.body.wrong[0]
    changes = [
        dataclasses.replace(q, body=dataclasses.replace(q.body, **{name: q.body.__getattribute__(name) + "\n#"}))
        for name in ("solution", "starter", "tests")
    ] + [
        dataclasses.replace(q, body=dataclasses.replace(q.body, wrong=(dataclasses.replace(wrong, code=wrong.code + "#"),))),
        dataclasses.replace(q, body=dataclasses.replace(q.body, setup="x = 1")),
        dataclasses.replace(q, body=dataclasses.replace(q.body, seeds=3)),
        dataclasses.replace(q, body=dataclasses.replace(q.body, forbid=("torch.mul",))),
        dataclasses.replace(q, timeout=1.0),
        dataclasses.replace(q, requires=("numpy",)),
        dataclasses.replace(q, type="output"),
    ]
    keys = {v.key(c) for c in changes}
    assert base not in keys and len(keys) == len(changes)
    # The prompt, hints and the question's place in the file do not decide the verdict (an edit above a
    # question moves it and its wrong answers down).
    moved = dataclasses.replace(q.body, wrong=(dataclasses.replace(wrong, line=wrong.line + 10),))
    assert v.key(dataclasses.replace(q, line=q.line + 10, prompt={"en": "Other"}, hint=("h",), body=moved)) == base
    # Nor is the same question the same key on another device, memory limit, or torch.
    assert verifycache.Verified("cuda", 4096, tmp_path / "c").key(q) != base
    assert verifycache.Verified("cpu", 1024, tmp_path / "c").key(q) != base


def test_torch_packages_and_quizkit_are_part_of_the_key(tmp_path, monkeypatch):
    q = _question(tmp_path)
    base = verifycache.Verified("cpu", 4096, tmp_path / "c").key(q)
    for name, value in (("_torch_stamp", "other torch"), ("_packages_stamp", "numpy-9.dist-info"),
                        ("_quizkit_stamp", "other judge"), ("_machine_stamp", "another host")):
        with monkeypatch.context() as m:
            m.setattr(verifycache, name, lambda value=value: value)
            assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) != base, name


def test_the_machine_and_the_environment_torch_reads_are_part_of_the_key(tmp_path, monkeypatch):
    q = _question(tmp_path)
    base = verifycache.Verified("cpu", 4096, tmp_path / "c").key(q)
    monkeypatch.setenv("EDITOR_OF_NO_CONCERN", "vi")
    assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) == base
    for name, value in (("CUDA_VISIBLE_DEVICES", "1"), ("ATEN_CPU_CAPABILITY", "default"), ("MKL_CBWR", "AVX")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) != base, name
    monkeypatch.setattr("platform.node", lambda: "another-host")
    assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) != base


def test_a_damaged_file_is_an_empty_cache_and_the_file_is_trimmed_newest_first(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / verifycache.NAME).write_bytes(b"\xff\xfe not ascii\n")
    v = verifycache.Verified("cpu", 4096, folder)
    assert not v.known("anything")
    monkeypatch.setattr(verifycache, "MAX_KEPT", 3)
    for k in ("a", "b", "c"):
        v.add(k)
    v.save()
    v = verifycache.Verified("cpu", 4096, folder)
    assert v.known("a") and not v.known("z")
    v.keep("a")
    v.add("d")
    v.save()  # d is new, a was used again: both kept; of b and c, one goes
    kept = (folder / verifycache.NAME).read_text().split()
    assert kept[:2] == ["a", "d"] and len(kept) == 3


def test_no_gpu_device_file_means_no_cuda_without_starting_torch(monkeypatch):
    from quizkit import runner as runner_module

    r = runner_module.Runner()
    monkeypatch.setattr(runner_module.sys, "platform", "linux")
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: ["null", "tty", "loop0"])
    monkeypatch.setattr(r, "run", lambda *a, **k: pytest.fail("torch was asked"))
    assert r.cuda_available() is False
    asked = []
    r2 = runner_module.Runner()
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: ["null", "nvidia0", "nvidiactl"])
    monkeypatch.setattr(r2, "run", lambda *a, **k: asked.append(1) or runner_module.RunResult("pass", stdout="True\n"))
    assert r2.cuda_available() is True and asked == [1]


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


def test_stdlib_and_installed_imports_are_remembered(tmp_path):
    q = _question(tmp_path)
    v = verifycache.Verified("cpu", 4096, tmp_path / "c")
    for imports in ("import math, collections.abc", "from typing import Any", "import yaml", "import torch.nn"):
        solution = imports + "\n" + q.body.solution
        assert v.key(dataclasses.replace(q, body=dataclasses.replace(q.body, solution=solution))), imports
    for imports in ("import vc_absent_module", "from vc_absent_module import x"):
        tests = imports + "\n" + q.body.tests
        assert v.key(dataclasses.replace(q, body=dataclasses.replace(q.body, tests=tests))) is None, imports


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


def test_a_jetson_gpu_is_not_taken_for_no_gpu(monkeypatch):
    """Jetson boards before Thor reach their GPU through the Tegra driver: /dev/nvhost-*, /dev/nvmap and
    /dev/nvgpu/, no /dev/nvidia*. torch sees CUDA there, so quizkit must ask it."""
    from quizkit import runner as runner_module

    monkeypatch.setattr(runner_module.sys, "platform", "linux")
    jetson = ["null", "nvhost-ctrl", "nvhost-ctrl-gpu", "nvhost-gpu", "nvmap", "nvgpu", "nvme0"]
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: jetson)
    assert runner_module.gpu_devices() is True
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: ["null", "nvme0", "nvme0n1", "dri"])
    assert runner_module.gpu_devices() is False
