"""drill, list and export through typer's CliRunner, answering from input as a learner would."""
import json
import os
import signal
import subprocess
import sys
import time

from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.store import Store

from conftest import BANKS

cli = CliRunner()


def drill(qtype, answers, *extra):
    return cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", qtype, "-n", "1", "--seed", "0", *extra],
                      input=answers)


def attempts():
    with Store() as s:
        return s.attempts()


def test_flashcard_reveal_and_self_grade():
    r = drill("flashcard", "\n3\n")
    assert r.exit_code == 0, r.output
    assert "Records operations for autograd." in r.output  # the answer was revealed
    assert "✓ 1" in r.output or "│     1 │     0 │" in r.output
    [a] = attempts()
    assert a["question"] == "mini/card" and a["answer"] == "3" and a["correct"] is True


def test_a_piped_answer_is_echoed_cut_and_stored_whole():
    """The input loop reads the line (cli/prompt.py) and ui echoes it: from a pipe a session reads like a
    typed one, and a pasted megabyte is stored whole but not printed back whole."""
    long = "float32 " + "x" * 500
    r = drill("short", long + "\n")
    assert r.exit_code == 0, r.output
    shown = r.output.replace("\n", "")  # rich wraps the echo at the console's width
    assert "> float32 " + "x" * 292 + " …" in shown and "x" * 293 not in shown
    assert attempts()[0]["answer"] == long


def test_flashcard_again_counts_wrong():
    drill("flashcard", "\n1\n")
    assert attempts()[0]["correct"] is False


def test_flashcard_in_chinese():
    r = drill("flashcard", "\n2\n", "--lang", "zh")
    assert "`requires_grad` 有什么作用" in r.output or "requires_grad 有什么作用" in r.output
    assert "让 autograd 记录运算" in r.output


def test_short_right_and_wrong():
    r = drill("short", "  INT64 \n")
    assert "✓ right" in r.output
    r = drill("short", "float32\n")
    assert "✗ wrong" in r.output and "answer: torch.int64" in r.output and "long" not in r.output  # accept patterns stay hidden
    assert [a["correct"] for a in attempts()] == [True, False]


def test_output_right_wrong_and_the_real_run():
    r = drill("output", "tensor([6., 6.])\n")
    assert "✓ right" in r.output and "Advanced" not in r.output
    assert "run just now on this machine" in r.output  # the code was run for real, not only compared
    r = drill("output", "tensor([3., 3.])\n")
    assert "✗ wrong" in r.output and ".grad accumulates" in r.output
    assert [a["correct"] for a in attempts()] == [True, False]


def test_mcq_letters_follow_the_shuffle():
    """The right letter depends on the shown order; picking by text must be graded right."""
    r = drill("mcq", "q\n", "--tag", "tensors")
    shown = [line.strip("│ ").strip() for line in r.output.splitlines() if ") " in line and "x" in line]
    letter = next(s[0] for s in shown if "x[[0, 1]]" in s)
    wrong = next(s[0] for s in shown if "x.t()" in s)
    r = drill("mcq", f"{letter}\n", "--tag", "tensors")
    assert "✓ right" in r.output
    r = drill("mcq", f"{wrong}\n", "--tag", "tensors")
    assert "✗ wrong" in r.output and "answer: " in r.output


def test_mcq_several_right_and_bad_letters():
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--tag", "fixture", "--type", "mcq", "-n", "2",
                         "--seed", "0"], input="z\nb\na, c\n")
    assert "pick letters a-c" in r.output
    assert r.output.count("✓ right") + r.output.count("✗ wrong") == 2
    by_q = {a["question"]: a for a in attempts()}
    assert by_q["mini/pick-two"]["correct"] is (by_q["mini/pick-two"]["answer"] == "a, c")


def test_code_right_wrong_retry():
    good = "def softmax(x, dim=-1):\n    z = x - x.amax(dim=dim, keepdim=True)\n    return z.exp() / z.exp().sum(dim=dim, keepdim=True)\n.\n"
    bad = "def softmax(x, dim=-1):\n    return x.exp() / x.exp().sum(dim=dim, keepdim=True)\n.\n"
    r = drill("code", good)
    assert "✓ right" in r.output and "tests passed" in r.output
    r = drill("code", bad + "r\n" + good)
    assert "✗ wrong" in r.output
    assert "tests line 2: torch.testing.assert_close(softmax(x, -1), torch.softmax(x, -1))" in r.output
    assert "passed on a retry" in r.output
    assert [a["correct"] for a in attempts()] == [True, False, True]
    assert "│     0 │     1 │" in r.output  # the summary keeps the first try


def test_skipping_code_shows_a_reference_solution():
    r = drill("code", "s\n")
    assert "↷ skipped" in r.output and "a reference solution:" in r.output and "amax" in r.output


def test_code_forbidden_and_editor(tmp_path, monkeypatch):
    r = drill("code", "def softmax(x, dim=-1):\n    return F.softmax(x, dim)\n.\n\n")
    assert "not allowed here: F.softmax" in r.output
    editor = tmp_path / "editor.sh"  # an "editor" that writes a right answer into the file it is given
    editor.write_text("#!/bin/sh\ncat > \"$1\" <<'EOF'\ndef softmax(x, dim=-1):\n"
                      "    return torch.exp(x - torch.logsumexp(x, dim, keepdim=True))\nEOF\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    r = drill("code", "\n")
    assert "✓ right" in r.output, r.output


def test_hint_skip_quit_and_end_of_input():
    r = drill("short", "?\ns\n")
    assert "hint: Python ints." in r.output
    assert "↷ skipped" in r.output and "answer: torch.int64" in r.output  # a skip still teaches
    assert "skipped" in r.output and not attempts()
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "-n", "6", "--seed", "3", "--type", "short",
                         "--type", "output"], input="int64\nq\n")
    assert r.exit_code == 0 and "session summary" in r.output
    assert len(attempts()) == 1
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "-n", "6"], input="")
    assert r.exit_code == 0 and "nothing answered" in r.output


def test_no_match_is_one_line():
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--tag", "nope"])
    assert r.exit_code == 1 and "no questions match" in r.output and r.output.count("\n") == 1
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--difficulty", "9"])
    assert r.exit_code == 1 and "--difficulty" in r.output


def test_never_seen_questions_come_first():
    first = drill("short", "int64\n")
    assert "dtype-short" in first.output
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--tag", "tensors", "-n", "1", "--seed", "0",
                         "--type", "short", "--type", "mcq"], input="q\n")
    assert "view-mcq" in r.output  # the answered one waits


def test_list_counts_and_progress():
    drill("short", "int64\n")
    r = cli.invoke(app, ["list", "--bank", str(BANKS)])
    assert r.exit_code == 0 and "mini" in r.output and "1/6" in r.output
    data = json.loads(cli.invoke(app, ["list", "--bank", str(BANKS), "--json"]).stdout)
    q = {x["id"]: x for x in data["questions"]}
    assert q["mini/dtype-short"] == {"id": "mini/dtype-short", "type": "short", "tags": ["fixture", "tensors"],
                                     "difficulty": 1, "topic": "tensors"}  # the topic: issue 9's counts
    assert len(q) == 6


def test_export_jsonl_and_csv(tmp_path):
    drill("short", "int64\n")
    drill("output", "tensor([1.])\n")
    lines = cli.invoke(app, ["export"]).stdout.splitlines()
    rows = [json.loads(x) for x in lines]
    assert [r["question"] for r in rows] == ["mini/dtype-short", "mini/grad-output"]
    assert rows[0]["correct"] is True and rows[1]["correct"] is False
    assert rows[0]["time"].endswith("+00:00") and isinstance(rows[0]["seconds"], float)
    out = tmp_path / "a.csv"
    cli.invoke(app, ["export", "--format", "csv", "-o", str(out)])
    import csv
    table = list(csv.DictReader(out.open()))
    assert table[1]["answer"] == "tensor([1.])" and table[1]["correct"] == "False"
    assert cli.invoke(app, ["export", "--format", "xml"]).exit_code == 1


def test_kill_9_after_one_answer_keeps_it(tmp_path):
    """A real process, killed without warning right after the first verdict: that answer is saved."""
    env = {**os.environ, "QUIZKIT_HOME": str(tmp_path / "k"), "NO_COLOR": "1"}
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "drill", "--bank", str(BANKS), "--type", "short",
                          "--type", "flashcard", "-n", "2", "--seed", "0"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    p.stdin.write(b"\n3\n")  # the flashcard comes first with seed 0? either way one answer is given
    p.stdin.flush()
    out = b""
    deadline = time.monotonic() + 30
    while b"how well" not in out and b"\xe2\x9c" not in out and time.monotonic() < deadline:
        out += os.read(p.stdout.fileno(), 4096)
    db = tmp_path / "k" / "quizkit.db"
    while time.monotonic() < deadline:  # poll until the answer is committed, then kill -9 at once
        if db.exists():
            with Store(db) as s:
                if s.attempts():
                    break
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    with Store(db) as s:
        assert len(s.attempts()) == 1


def test_drill_without_code_never_imports_torch():
    """Flashcards, short and mcq start at once: no worker, no torch (checked in a fresh process)."""
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom quizkit.cli import app\n"
            f"r = CliRunner().invoke(app, ['drill', '--bank', {str(BANKS)!r}, '--type', 'flashcard', '--type', 'short',"
            " '--type', 'mcq', '-n', '4'], input='\\n3\\nint64\\na\\na\\n')\n"
            "assert r.exit_code == 0, r.output\nprint('torch' in sys.modules, r.output.count('✓') + r.output.count('✗'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "QUIZKIT_HOME": os.environ["QUIZKIT_HOME"]})
    assert out.stdout.split()[0] == "False", out.stderr


def test_a_bad_option_value_or_command_is_one_line_and_exit_1():
    """Usage errors are errors a user makes like any other: click printed three lines and exited 2."""
    cases = [(["drill", "-n", "0"], "drill: invalid value for '-n' / '--count': 0 is not in the range x>=1"),
             (["drill", "--bogus"], "drill: no such option: --bogus"),
             (["nosuch"], "no such command: nosuch"),
             (["check"], "check: missing argument: ID"),
             (["--bogus"], "no such option: --bogus")]
    for args, message in cases:
        r = cli.invoke(app, args)
        assert r.exit_code == 1, (args, r.output)
        assert r.output.count("\n") == 1 and r.output.startswith("error: ") and message in r.output, r.output
        assert "--help shows what it takes" in r.output and "Usage:" not in r.output
    r = cli.invoke(app, ["drill", "--help"])  # help is not an error
    assert r.exit_code == 0 and "Usage:" in r.output
