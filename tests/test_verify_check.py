"""verify and check through typer's CliRunner, on fixture banks."""
import json
import textwrap

from typer.testing import CliRunner

from quizkit.cli import app

from conftest import BANKS, read_until

cli = CliRunner()

BROKEN = textwrap.dedent("""\
    bank: broken
    questions:
      - id: wrong-output
        type: output
        prompt: p
        code: print(torch.tensor([1, 2]) * 2)
        expected: tensor([2, 5])
      - id: weak-tests
        type: code
        prompt: p
        starter: |
          def f(x):
              return x
        solution: |
          def f(x):
              return x * 2
        tests: |
          assert f(0) == 0
      - id: uses-forbidden
        type: code
        prompt: p
        starter: "def f(x):\\n    raise NotImplementedError"
        solution: "def f(x):\\n    return F.relu(x)"
        tests: "assert f(torch.tensor(-1.)) == 0"
        forbid: [F.relu]
      - id: bad-check
        type: mcq
        prompt: p
        choices: [a, b]
        answer: 0
        check: assert torch.tensor([1, 2]).dtype == torch.float32
      - id: gpu-only
        type: output
        requires: [cuda]
        prompt: p
        code: print(torch.ones(1, device='cuda'))
        expected: "tensor([1.], device='cuda:0')"
      - id: needs-missing-module
        type: code
        requires: [no_such_module_xyz]
        prompt: p
        starter: x = 1
        solution: x = 2
        tests: assert x == 2
      - id: slow
        type: code
        timeout: 0.5
        prompt: p
        starter: "def f():\\n    return 0"
        solution: "def f():\\n    while True:\\n        pass"
        tests: f()
    """)


def test_verify_passes_a_good_bank():
    r = cli.invoke(app, ["verify", str(BANKS)])
    assert r.exit_code == 0, r.output
    assert "6 passed, 0 failed, 0 skipped" in r.output
    assert "mini/softmax" in r.output


def test_verify_json_shape():
    r = cli.invoke(app, ["verify", str(BANKS), "--json", "-j", "2"])
    data = json.loads(r.stdout)
    assert r.exit_code == 0
    assert (data["passed"], data["failed"], data["skipped"]) == (6, 0, 0)
    ids = [x["id"] for x in data["results"]]
    assert ids[0] == "mini/card" and "mini/softmax" in ids
    assert set(data["results"][0]) == {"id", "type", "status", "reason", "seconds", "path", "line", "cached"}
    assert data["cached"] == 0 and not any(x["cached"] for x in data["results"])


def test_verify_reports_each_kind_of_failure(tmp_path):
    (tmp_path / "broken.yaml").write_text(BROKEN)
    r = cli.invoke(app, ["verify", str(tmp_path), "--json"])
    assert r.exit_code == 1
    res = {x["id"].split("/")[1]: x for x in json.loads(r.stdout)["results"]}
    assert res["wrong-output"]["status"] == "fail" and "tensor([2, 4])" in res["wrong-output"]["reason"]
    assert res["weak-tests"]["status"] == "fail" and "starter passes" in res["weak-tests"]["reason"]
    assert res["uses-forbidden"]["status"] == "fail" and "F.relu" in res["uses-forbidden"]["reason"]
    assert res["bad-check"]["status"] == "fail" and "check" in res["bad-check"]["reason"]
    assert res["gpu-only"]["status"] == "skip" and "cuda" in res["gpu-only"]["reason"]
    assert res["needs-missing-module"]["status"] == "skip" and "no_such_module_xyz" in res["needs-missing-module"]["reason"]
    assert res["slow"]["status"] == "fail" and "time limit" in res["slow"]["reason"]


def test_verify_refused_bank_fails_but_others_still_run(tmp_path):
    (tmp_path / "good.yaml").write_text((BANKS / "mini.yaml").read_text())
    (tmp_path / "bad.yaml").write_text("bank: bad\nquestions:\n  - id: a\n    type: flashcard\n    prompt: p\n"
                                       "    answr: x\n")
    r = cli.invoke(app, ["verify", str(tmp_path)])
    assert r.exit_code == 1
    assert "6 passed" in r.output and "1 bank refused" in r.output
    assert "bad.yaml:6: flashcard question 'a': unknown field 'answr'" in r.output
    assert "Traceback" not in r.output


def test_verify_missing_path_is_one_line(tmp_path):
    r = cli.invoke(app, ["verify", str(tmp_path / "nope")])
    assert r.exit_code == 1
    assert r.output.strip().count("\n") == 0 and "nope: no such file, folder or bank" in r.output


def test_verify_cuda_without_gpu_is_one_line():
    from quizkit.runner import Runner
    with Runner() as probe:
        if probe.cuda_available():
            return
    r = cli.invoke(app, ["verify", str(BANKS), "--device", "cuda"])
    assert r.exit_code == 1 and "no CUDA GPU" in r.output and r.output.strip().count("\n") == 0


def _answer(tmp_path, body):
    f = tmp_path / "answer.py"
    f.write_text(textwrap.dedent(body))
    return f


def test_check_pass(tmp_path):
    f = _answer(tmp_path, """\
        def softmax(x, dim=-1):
            z = x - x.max(dim=dim, keepdim=True).values
            return z.exp() / z.exp().sum(dim=dim, keepdim=True)
        """)
    r = cli.invoke(app, ["check", "mini/softmax", str(f), "--bank", str(BANKS)])
    assert r.exit_code == 0 and "PASS" in r.output


def test_check_failing_line_and_error(tmp_path):
    f = _answer(tmp_path, """\
        def softmax(x, dim=-1):
            return x.exp() / x.exp().sum(dim=dim, keepdim=True)
        """)
    r = cli.invoke(app, ["check", "softmax", str(f), "--bank", str(BANKS)])
    assert r.exit_code == 1
    assert "FAIL mini/softmax" in r.output
    assert "tests line 2: torch.testing.assert_close(softmax(x, -1), torch.softmax(x, -1))" in r.output
    assert "AssertionError: Tensor-likes are not close!" in r.output


def test_check_forbidden_name(tmp_path):
    f = _answer(tmp_path, "import torch.nn.functional as G\ndef softmax(x, dim=-1):\n    return G.softmax(x, dim)\n")
    r = cli.invoke(app, ["check", "softmax", str(f), "--bank", str(BANKS)])
    assert r.exit_code == 1 and "not allowed here: F.softmax" in r.output


def test_check_unknown_id_and_missing_file(tmp_path):
    r = cli.invoke(app, ["check", "nope", str(tmp_path / "a.py"), "--bank", str(BANKS)])
    assert r.exit_code == 1 and "no question 'nope'" in r.output
    r = cli.invoke(app, ["check", "softmax", str(tmp_path / "a.py"), "--bank", str(BANKS)])
    assert r.exit_code == 1 and "a.py: cannot read" in r.output
    r = cli.invoke(app, ["check", "card", str(tmp_path / "a.py"), "--bank", str(BANKS)])
    assert r.exit_code == 1 and "check takes code questions" in r.output


def test_check_watch_reruns_on_save(tmp_path):
    """--watch in a real process: a save turns FAIL into PASS; Ctrl-C (SIGINT) ends it cleanly.
    Polls the output (no fixed sleeps)."""
    import signal
    import subprocess
    import sys
    f = _answer(tmp_path, "def softmax(x, dim=-1):\n    return x\n")
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "check", "softmax", str(f), "--watch",
                          "--bank", str(BANKS)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env={**__import__("os").environ, "NO_COLOR": "1"})
    lines: list = []

    def until(text):
        return read_until(p, lines, text)

    try:
        assert until("FAIL mini/softmax"), lines
        f.write_text("def softmax(x, dim=-1):\n    return torch.exp(x - torch.logsumexp(x, dim, keepdim=True))\n")
        assert until("PASS mini/softmax"), lines
    finally:
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=20)
    assert p.returncode == 0, out
    assert "Traceback" not in "".join(lines) + out


def test_verify_runs_in_parallel_by_default(monkeypatch):
    from quizkit import cli as cli_module
    seen = []
    real = cli_module._default_runner

    def spy(workers=1, memory_mb=None):
        seen.append(workers)
        return real(workers, memory_mb)
    monkeypatch.setattr(cli_module, "_default_runner", spy)
    monkeypatch.setattr("quizkit.runner.max_workers", lambda: 2)
    many = "questions:\n" + "".join(
        f"  - id: q{i}\n    type: output\n    prompt: p\n    code: print({i})\n    expected: '{i}'\n" for i in range(40))
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        bank = Path(d) / "many.yaml"
        bank.write_text(many)
        r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 0 and seen == [2]


def test_verify_json_streams_each_result_as_it_is_in(tmp_path):
    """The first result reaches a pipe while a later question still runs; the whole is one JSON document."""
    import json
    import os
    import subprocess
    import sys
    import time
    bank = tmp_path / "slow.yaml"
    bank.write_text("questions:\n"
                    "  - {id: fast, type: output, prompt: p, code: 'print(1)', expected: '1'}\n"
                    "  - {id: slow, type: output, prompt: p, code: 'import time; time.sleep(4); print(2)',"
                    " expected: '2'}\n")
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "verify", "--json", "-j", "1", str(bank)],
                         stdout=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    seen = b""
    end = time.monotonic() + 60
    while b"slow/fast" not in seen and time.monotonic() < end:
        seen += os.read(p.stdout.fileno(), 4096)
    still_running = p.poll() is None
    rest, _ = p.communicate(timeout=60)
    assert b'"id": "slow/fast"' in seen and still_running  # written before the slow one was done
    data = json.loads(seen + rest)
    assert [r["id"] for r in data["results"]] == ["slow/fast", "slow/slow"] and data["passed"] == 2
