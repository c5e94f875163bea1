"""The CLI's screens (quizkit/ui/), each given plain values and read back from stdout: no engine, no store,
no CLI. The CLI tests render them too, through whole commands; these pin what each screen says on its own."""

import json
from collections import namedtuple
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

import quizkit.types  # noqa: F401  (registers the built-in types: type_info names them)
from quizkit import ui
from quizkit.model import Asked, Hint, LearningPath, Outcome, Question, RunResult, Verdict, VerifyResult

pytestmark = pytest.mark.torch_free

Q = Question("mini", "dtype", "short", {"en": "What dtype does `torch.arange(3)` have?"}, difficulty=3,
             tags=("tensors",))  # fmt: skip


def test_a_question_panel_shows_id_type_level_and_the_keys(capsys):
    ui.question(Asked(Q, input="line", position="2/5"), "en")
    out = capsys.readouterr().out
    assert "[2/5] mini/dtype · short · ★★★☆☆" in out
    assert "What dtype does" in out and "type your answer · ? hint · s skip · q quit" in out


def test_choices_and_inline_code_are_rendered_as_text(capsys):
    ui.reveal([("choices", [("a", "`int64`"), ("b", "float32")]), ("answer", "`torch.int64`")])
    out = capsys.readouterr().out
    assert "a) int64" in out and "b) float32" in out and "answer: torch.int64" in out
    assert "`" not in out  # code spans are coloured, not shown with their backticks


def test_a_wrong_code_answer_names_its_failing_line_and_what_it_printed(capsys):
    run = RunResult("fail", stdout="tensor([1])\n", error="AssertionError: no", where="tests line 3",
                    line="assert f(1) == 2")  # fmt: skip
    code = Question("mini", "softmax", "code", {"en": "Write softmax."})
    ui.verdict(Outcome(code, Verdict(False, "failed", run)))
    out = capsys.readouterr().out
    assert "✗ wrong" in out and "tests line 3: assert f(1) == 2" in out
    assert "AssertionError: no" in out and "it printed:" in out and "tensor([1])" in out


def test_the_hint_label_counts_hints_and_marks_the_last(capsys):
    ui.hint(Hint("think of integers", 2, 2))
    ui.hint(Hint(""))
    out = capsys.readouterr().out
    assert "hint 2/2: think of integers (the last one)" in out and "no hint for this one" in out


def test_show_reads_the_progress_it_is_given_by_name(capsys, tmp_path):
    Progress = namedtuple("Progress", "attempts right last_right")
    ui.show(Q, [], ["first"], 2, "missed", Progress(3, 1, False), tmp_path / "work.py", "en")
    out = capsys.readouterr().out.replace("\n", "")  # rich wraps the long workspace line
    assert "hint 1/2: first" in out and "1 hint left: quizkit show mini/dtype --hint" in out
    assert "status: missed · 3 answers, 1 right" in out
    assert "(not started) · quizkit start mini/dtype" in out


def test_a_review_plan_with_nothing_due_says_when_the_next_card_is(capsys):
    due = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
    plan = SimpleNamespace(due=[], new=[], new_done=10, reviews_done=3, next_due=due, leeches=0)
    ui.review_plan(plan, SimpleNamespace(new_per_day=10, reviews_per_day=200), "in 1 day")
    out = capsys.readouterr().out
    assert "Nothing is due now. The next card is due in 1 day (" in out
    assert "Today's 10 new questions are done." in out
    plan = SimpleNamespace(due=[1, 2], new=[3], new_done=1, reviews_done=4, next_due=None, leeches=2)
    ui.review_plan(plan, SimpleNamespace(new_per_day=10, reviews_per_day=200), "")
    out = capsys.readouterr().out
    assert "2 due · 1 new" in out and "1/10 new, 4/200 reviews; 2 leeches suspended" in out


def test_verify_json_is_one_document_written_a_result_at_a_time(capsys):
    parts = []

    def results():
        yield VerifyResult("mini/a", "short", "pass", seconds=0.5, cached=True)
        parts.append(capsys.readouterr().out)
        assert '"mini/a"' in parts[0]  # written before the next result is asked for
        yield VerifyResult("mini/b", "code", "fail", "tests line 2: no", path="b.yaml", line=4)

    failed = ui.verify_json(results(), [])
    doc = json.loads(parts[0] + capsys.readouterr().out)
    assert failed == 1 and [r["id"] for r in doc["results"]] == ["mini/a", "mini/b"]
    assert (doc["passed"], doc["failed"], doc["cached"], doc["errors"]) == (1, 1, 1, [])


def test_a_path_view_shows_each_steps_state_and_what_is_missing(capsys):
    path = LearningPath("basics", "mini", ("mini/dtype", "other/gone"), {"en": "The basics"})
    ui.path_view(path, [("mini/dtype", Q, "done"), ("other/gone", None, "next")], "en")
    out = capsys.readouterr().out
    assert "basics: The basics" in out and "✓ done" in out and "→ next" in out
    assert "dtype " in out and "mini/dtype" not in out  # a step of the path's own bank: its bare id
    assert "(not in the banks loaded)" in out and "1/2 done · quizkit drill --path basics" in out


def test_the_mock_report_compares_with_the_last_mock(capsys):
    row = {"asked": 1, "right": 1, "points": 1.0, "possible": 1.0}
    q = {"id": "mini/dtype", "result": "late", "seconds": 130.0, "aim": 60.0, "hints": 1, "points": 0.0,
         "possible": 1.0}  # fmt: skip
    report = {"ended": "time", "score": 0.5, "points": 1.0, "possible": 2.0, "right": 1, "wrong": 1, "skipped": 0,
              "seconds": 1800.0, "minutes": 30, "topics": {"tensors": row}, "levels": {"3": row}, "questions": [q],
              "review_next": ["mini/dtype"], "previous": [{"score": 0.25}, {"score": 0.75}]}  # fmt: skip
    ui.mock_report(report)
    out = capsys.readouterr().out
    assert "mock interview: 50%" in out and "30:00 of 30 min used · time is up" in out
    assert "2:10 / 1:00" in out and "late" in out and "review next: mini/dtype" in out
    assert "compared with your last mock: +25% (then 25%); before: 75%" in out


def test_an_error_is_one_line_on_stderr_and_the_prompt_echo_is_cut(capsys):
    ui.error("b.yaml:3: bad [markup]")
    ui.prompt("> ")
    ui.echo("y" * 400)
    captured = capsys.readouterr()
    assert captured.err == "error: b.yaml:3: bad [markup]\n"
    assert captured.out.replace("\n", "") == "> " + "y" * 300 + " …"


def test_the_export_notice_and_a_doctor_screen_name_their_files(capsys, tmp_path):
    ui.exported(2, tmp_path / "out.csv")
    assert capsys.readouterr().err.replace("\n", "") == f"wrote 2 attempts to {tmp_path / 'out.csv'}"
    doctor = {
        "torch": {"error": "torch not importable"}, "quizkit": {"version": "1", "path": "/q"},
        "python": {"version": "3.11", "executable": "/py"}, "data_dir": "/data",
        "store": {"exists": False, "path": "/data/quizkit.db", "integrity": "not made yet"},
        "cache": {"enabled": False}, "isolation": {}, "schema": {"path": "/s.json", "exists": True},
        "shipped": {"banks": 2, "questions": 9, "path": "/banks"}, "packages": [], "problems": ["torch: missing"],
        "ok": False,
    }  # fmt: skip
    ui.doctor(doctor)
    captured = capsys.readouterr()
    assert "torch not importable" in captured.out and "/data/quizkit.db: not made yet" in captured.out
    assert "off (QUIZKIT_CACHE=off)" in captured.out and "2 banks, 9 questions" in captured.out
    assert "error: torch: missing" in captured.err and "all fine" not in captured.out


def test_every_screen_the_cli_calls_is_exported_by_the_package():
    """`ui.NAME` keeps working for callers: every name they use is in ui/__init__.py."""
    used = set()
    for path in (Path(ui.__file__).parent.parent / "cli").glob("*.py"):
        text = path.read_text()
        used |= {word.split("(")[0] for word in text.replace("ui.", " ui.").split() if word.startswith("ui.")}
    names = {u[3:] for u in used if u[3:].isidentifier()}
    assert names and names <= set(ui.__all__), names - set(ui.__all__)
    assert all(callable(getattr(ui, n)) or n in ("out", "err") for n in ui.__all__)


def test_a_question_type_label_and_the_keys_are_in_the_language_chosen(capsys, monkeypatch):
    from quizkit import i18n

    monkeypatch.setattr(i18n, "_lang", i18n._lang)  # put back after the test, as conftest puts the catalog
    i18n.use("zh")
    ui.question(Asked(Q, input="line", position="1/1"), "zh")
    out = capsys.readouterr().out
    assert "· 简答题 · ★★★☆☆" in out and "· short ·" not in out and "skip" not in out


def test_the_keys_line_breaks_between_its_parts_at_80_columns():
    from quizkit.ui.study import keys_lines

    code = "paste or type your code, end with a line holding only . · ? hint · s skip · q quit"
    assert keys_lines(code, 80) == ["paste or type your code, end with a line holding only . · ? hint · s skip", "q quit"]
    assert keys_lines(code, 200) == [code]
    zh = "粘贴或输入代码，单独一行 . 结束 · ? 提示 · s 跳过 · q 退出"
    from rich.cells import cell_len

    assert all(cell_len(line) <= 34 for line in keys_lines(zh, 34))
    assert [p for line in keys_lines(zh, 34) for p in line.split(" · ")] == zh.split(" · ")


def test_a_long_mock_title_drops_its_position_rather_than_the_stars(capsys, monkeypatch):
    from quizkit.ui.console import out

    monkeypatch.setattr(out, "width", 80)  # the width a new user's terminal has (the console keeps the one it saw)
    long = Question("performance", "profiler-usage", "mcq", {"en": "Which snippet?"}, difficulty=2)
    ui.question(Asked(long, input="choice", position="mock 1/2 · ⏱ 4:59 left · aim 2:30"), "en")
    ui.question(Asked(Q, input="line", position="2/5"), "en")
    out = capsys.readouterr().out
    assert "performance/profiler-usage · mcq · ★★☆☆☆" in out and "4:59 left" not in out
    assert "[2/5] mini/dtype · short · ★★★☆☆" in out  # a title that fits keeps it
