"""Issue 20: the room (quizkit room), driven headless with Textual's Pilot at 80x24: a whole mock under a
fake clock, the browser's search and filters, a screen in Chinese, quitting midway; the SVG snapshots of
the three screens are in test_room_snapshots.py."""

import asyncio
import re
from datetime import timedelta

from typer.testing import CliRunner

from quizkit import i18n, room
from quizkit.app import App
from quizkit.cli import app as cli_app
from quizkit.store import Store

from conftest import BANKS, Clock, _Shared, write_bank

SIZE = (80, 24)
BANK = """
bank: r
questions:
  - {id: c1, type: code, difficulty: 3, prompt: "Return x plus one.", starter: "def f(x):\\n    pass\\n",
     solution: "def f(x):\\n    return x + 1\\n", tests: "assert f(1) == 2\\nassert f(5) == 6\\n"}
  - {id: c2, type: code, difficulty: 3, prompt: "Return twice x.", starter: "def g(x):\\n    pass\\n",
     solution: "def g(x):\\n    return 2 * x\\n", tests: "assert g(2) == 4\\n"}
  - {id: m1, type: mcq, difficulty: 2, shuffle: false, prompt: "pick a", choices: ["a", "b"], answer: 0}
  - {id: s1, type: short, difficulty: 1, prompt: "say yes", accept: [yes], hint: [first]}
  - {id: f1, type: flashcard, difficulty: 1, prompt: "front", answer: "back"}
"""


def context(tmp_path, runner, clock=None):
    return App(home=tmp_path / "home", clock=clock or Clock(), runner_factory=lambda *a: _Shared(runner))


async def settle(pilot):
    """Until the room's work on the backend's thread is done and shown."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text(widget) -> str:
    return getattr(widget, "source", None) or str(widget.render())


def drive(ui, backend, script):
    async def main():
        async with ui.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await script(pilot)

    try:
        asyncio.run(main())
    finally:
        backend.close()


def test_a_whole_mock_counts_down_runs_code_and_stores_its_report(tmp_path, runner):
    bank = write_bank(tmp_path, BANK, "r.yaml")
    clock = Clock()
    ui, backend = room.make(context(tmp_path, runner, clock), minutes=45, banks=[str(bank)], seed=3)
    seen = {}

    async def script(pilot):
        s = pilot.app.screen
        bar = s.query_one("#bar")
        assert "45:00 left" in text(bar) and "aim" in text(bar)
        clock.t += timedelta(seconds=75)
        s.tick()
        assert "43:45 left" in text(bar) and "1:15 /" in text(bar)  # the countdown moves with the clock
        while not s.ended:
            qid = s.shown.view["id"]
            kind = s.shown.input
            if qid == "r/c1":
                s.query_one("#editor").load_text("def f(x):\n    return x\n")
            elif qid == "r/c2":
                s.query_one("#editor").load_text("def g(x):\n    return 2 * x\n")
            elif kind == "choice":
                await pilot.press("space")  # the first choice, a
            elif kind == "line":
                s.query_one("#line").value = "yes"
            await pilot.press("ctrl+r")
            await settle(pilot)
            if kind == "reveal":
                assert "back" in text(s.query_one("#back"))
                await pilot.press("down", "down", "enter")  # 3: good
                await settle(pilot)
            seen[qid] = text(s.query_one("#results"))
            clock.t += timedelta(seconds=30)
            await pilot.press("ctrl+n")
            await settle(pilot)
        report = text(s.query_one("#report"))
        assert "mock interview:" in report and "every question asked" in report
        assert "r/c1" in report and "time per question" in report

    drive(ui, backend, script)
    assert set(seen) == {"r/c1", "r/c2", "r/m1", "r/s1", "r/f1"}
    wrong = seen["r/c1"]
    assert "✗ wrong" in wrong and "tests line 1" in wrong and "assert f(1) == 2" in wrong
    assert re.search(r"1 != 2|1 == 2", wrong), wrong  # the values of both sides
    assert "✓ right" in seen["r/c2"] and "tests passed in" in seen["r/c2"]
    with Store(tmp_path / "home" / "quizkit.db") as store:
        attempts = {a["question"]: (a["correct"], a["mode"]) for a in store.attempts()}
        mocks = store.mocks(1)
    assert attempts == {"r/c1": (False, "mock"), "r/c2": (True, "mock"), "r/m1": (True, "mock"),
                        "r/s1": (True, "mock"), "r/f1": (True, "mock")}  # fmt: skip
    assert mocks and mocks[0]["asked"] == 5 and mocks[0]["right"] == 4


def test_the_mock_ends_with_its_report_when_the_time_is_up(tmp_path, runner):
    bank = write_bank(tmp_path, BANK, "r.yaml")
    clock = Clock()
    ui, backend = room.make(context(tmp_path, runner, clock), minutes=5, banks=[str(bank)], seed=1)

    async def script(pilot):
        s = pilot.app.screen
        clock.t += timedelta(minutes=5)
        s.tick()
        await settle(pilot)
        assert s.ended and "time is up" in text(s.query_one("#report"))

    drive(ui, backend, script)
    with Store(tmp_path / "home" / "quizkit.db") as store:
        assert store.mocks(1)[0]["ended"] == "time"


def test_quitting_midway_loses_nothing(tmp_path, runner):
    bank = write_bank(tmp_path, BANK, "r.yaml")
    ui, backend = room.make(context(tmp_path, runner), minutes=45, banks=[str(bank)], seed=3)
    answered = []

    async def script(pilot):
        s = pilot.app.screen
        while s.shown.input != "line":  # skip to the short question, answer it, and quit
            await pilot.press("ctrl+n")
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
        s.query_one("#line").value = "yes"
        await pilot.press("enter")
        await settle(pilot)
        answered.append(s.shown.view["id"])
        await pilot.press("ctrl+q")
        await settle(pilot)

    drive(ui, backend, script)
    with Store(tmp_path / "home" / "quizkit.db") as store:
        assert [a["question"] for a in store.attempts()] == answered == ["r/s1"]
        assert store.mocks(1)[0]["ended"] == "quit"  # the report of the mock stopped midway is stored


def test_the_browser_searches_filters_sorts_and_starts_a_question(tmp_path, runner):
    ui, backend = room.make(context(tmp_path, runner), banks=[str(BANKS / "mini.yaml")])  # the review queue

    async def script(pilot):
        assert type(pilot.app.screen).__name__ == "InterviewScreen"  # new cards are due
        await pilot.press("f3")
        await settle(pilot)
        s = pilot.app.screen
        table = s.query_one("#table")
        assert type(s).__name__ == "BrowserScreen" and table.row_count == 6
        await pilot.press("ctrl+f")
        await pilot.press(*"softmax")
        await settle(pilot)
        assert [str(k.value) for k in table.rows] == ["mini/softmax"]
        assert "numerically stable" in text(s.query_one("#detail"))
        s.query_one("#search").value = ""
        s.query_one("#type").value = "mcq"
        await settle(pilot)
        assert [str(k.value) for k in table.rows] == ["mini/view-mcq", "mini/pick-two"]
        s.query_one("#type").clear()
        s.query_one("#status").value = "missed"
        await settle(pilot)
        assert table.row_count == 0 and "no questions match" in text(s.query_one("#detail"))
        s.query_one("#status").clear()
        await pilot.press("ctrl+o")  # sort: bank order → id
        await settle(pilot)
        assert [str(k.value) for k in table.rows][:2] == ["mini/card", "mini/dtype-short"]
        assert "sorted by id" in text(s.query_one("#count"))
        table.focus()
        table.move_cursor(row=1)  # mini/dtype-short
        await pilot.press("enter")
        await settle(pilot)
        iv = pilot.app.screen
        assert type(iv).__name__ == "InterviewScreen" and iv.shown.view["id"] == "mini/dtype-short"
        iv.query_one("#line").value = "float32"
        await pilot.press("enter")
        await settle(pilot)
        assert "✗ wrong" in text(iv.query_one("#results"))
        await pilot.press("f3")
        await settle(pilot)
        s.query_one("#status").value = "missed"
        await settle(pilot)
        assert [str(k.value) for k in table.rows] == ["mini/dtype-short"]
        detail = text(s.query_one("#detail"))
        assert "float32" in detail and "stability" in detail  # the attempt, and the card it rated

    drive(ui, backend, script)


def test_a_chinese_room_shows_no_english_labels(tmp_path, runner):
    i18n.use("zh")
    ui, backend = room.make(context(tmp_path, runner), ids=["mini/softmax"], banks=[str(BANKS / "mini.yaml")],
                            lang="zh")  # fmt: skip
    screens = {}

    async def script(pilot):
        for key, name in (("f2", "interview"), ("f3", "browser"), ("f4", "progress")):
            await pilot.press(key)
            await settle(pilot)
            screens[name] = visible(pilot.app)

    drive(ui, backend, script)
    english = room_labels()
    assert len(english) > 40
    for name, shown in screens.items():
        leaks = sorted(w for w in english if re.search(rf"(?<![\w/-]){re.escape(w)}(?![\w/-])", shown))
        assert not leaks, (name, leaks, [ln for ln in shown.splitlines() if any(w in ln for w in leaks)][:5])
    assert "运行" in screens["interview"] and "题目" in screens["interview"]
    assert "搜索" in screens["browser"] and "按题型" not in screens["browser"]


def visible(app) -> str:
    """The labels a screen shows: its border titles and every widget's text, with the question's own words
    (ids, prompts, code, which are the bank's) left out."""
    out = []
    for w in app.screen.query("*"):
        if w.border_title:
            out.append(str(w.border_title))
        if w.id in ("prompt", "editor", "detail", "table"):
            continue
        if hasattr(w, "placeholder"):
            out.append(str(w.placeholder))
        try:
            out.append(text(w))
        except Exception:  # a container renders nothing of its own
            pass
    for b in app.screen.active_bindings.values():
        if b.binding.show:  # what the footer shows (a widget's hidden bindings are Textual's own)
            out.append(b.binding.description)
    table = app.screen.query("DataTable")
    for t in table:
        out += [str(c.label) for c in t.columns.values()]
    return "\n".join(out)


def room_labels() -> set:
    """The English words of the room's own labels (each msgid in quizkit/room and the app layer it uses)."""
    from pathlib import Path

    import quizkit

    src = Path(quizkit.__file__).parent
    words = set()
    for p in [*sorted((src / "room").glob("*.py")), src / "app" / "interview.py"]:
        for msgid in re.findall(r'\b(?:N_|_)\(\s*"((?:[^"\\]|\\.)+)"', p.read_text()):
            words |= {w for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}", "", msgid))}
    return words - {"ctrl", "quizkit", "room", "Enter", "Textual"}  # key and program names stay as they are


def test_the_room_command_refuses_an_unknown_id_in_one_line(tmp_path, runner):
    r = CliRunner().invoke(cli_app, ["room", "--id", "mini/nope", "--bank", str(BANKS / "mini.yaml")],
                           obj=context(tmp_path, runner))  # fmt: skip
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1 and "nope" in r.output
    assert "Traceback" not in r.output


def test_without_textual_the_room_is_a_one_line_error(tmp_path, runner, monkeypatch):
    import sys

    import pytest

    from quizkit.errors import QuizkitError

    for name in [m for m in sys.modules if m == "textual" or m.startswith("textual.")] or ["textual"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if the room extra were not installed
    for name in [m for m in sys.modules if m.startswith("quizkit.room.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(QuizkitError, match=r"pip install 'quizkit\[room\]'"):
        room.make(context(tmp_path, runner), ids=["mini/card"], banks=[str(BANKS / "mini.yaml")])


def test_the_command_line_does_not_import_textual_until_the_room_opens():
    import subprocess
    import sys

    code = "import sys, quizkit.cli; print('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_each_question_started_from_the_browser_replaces_the_interview_before_it(tmp_path, runner):
    ui, backend = room.make(context(tmp_path, runner), banks=[str(BANKS / "mini.yaml")])  # the review queue
    shown = []

    async def script(pilot):
        first = pilot.app.screen
        for qid in ("mini/dtype-short", "mini/card", "mini/pick-two"):
            await pilot.press("f3")
            await settle(pilot)
            table = pilot.app.screen.query_one("#table")
            table.focus()
            table.move_cursor(row=table.get_row_index(qid))
            await pilot.press("enter")
            await settle(pilot)
            shown.append((type(pilot.app.screen).__name__, pilot.app.screen.shown.view["id"]))
            await pilot.press("f4", "f2")  # away and back: the interview shown is the newest
            await settle(pilot)
            assert pilot.app.screen.shown.view["id"] == qid and pilot.app.screen is not first
        assert first.ended  # the sitting it replaced was finished (nothing answered is lost)

    drive(ui, backend, script)
    assert shown == [("InterviewScreen", q) for q in ("mini/dtype-short", "mini/card", "mini/pick-two")]


def test_the_room_uses_a_larger_terminal(tmp_path, runner):
    sizes = {}
    for size in ((80, 24), (132, 43)):
        ui, backend = room.make(context(tmp_path, runner), ids=["mini/softmax"], banks=[str(BANKS / "mini.yaml")])

        async def measure(pilot, size=size):
            s = pilot.app.screen
            sizes[size] = (s.query_one("#editor").region, s.query_one("#prompt-box").region,
                           s.query_one("Keys").region)  # fmt: skip

        async def main(ui=ui, size=size):
            async with ui.run_test(size=size) as pilot:
                await settle(pilot)
                await measure(pilot)

        try:
            asyncio.run(main())
        finally:
            backend.close()
    (small_editor, small_prompt, _), (editor, prompt, keys) = sizes[(80, 24)], sizes[(132, 43)]
    assert editor.width > small_editor.width and editor.height > small_editor.height  # the panes grow with it
    assert prompt.width > small_prompt.width and keys.y == 42  # the keys stay on the last line
