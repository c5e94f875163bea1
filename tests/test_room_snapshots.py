"""SVG snapshots of the room's three screens at 80x24 (pytest-textual-snapshot), compared in CI with the
ones checked in under tests/__snapshots__/ (the README shows them too). After a deliberate change of a
screen: `pytest tests/test_room_snapshots.py --snapshot-update`, and look at the new SVGs before
committing them."""

from datetime import timedelta

import pytest
from test_room import Clock, context, settle

from quizkit import room
from quizkit.app.interview import Interview, plan

from conftest import BANKS

WRONG = "def softmax(x, dim=-1):\n    return x.exp() / x.exp().sum()\n"


@pytest.fixture
def opened(tmp_path, runner):
    """The room on a 20-minute mock of the mini bank (seed 0 over an empty store: the code task comes
    first); `answers`: two answers stored first, so the browser and progress have something to show."""
    clock = Clock()
    app = context(tmp_path, runner, clock)
    banks, made = [str(BANKS / "mini.yaml")], []

    def answered(store, qid, reply):
        from quizkit.app import questions as qs

        b, questions, _ = qs.load(banks)
        iv = Interview(app, plan(app, store, b, questions, ids=[qid]), store, runner)
        iv.next()
        iv.check(reply)

    def make(answers=False):
        if answers:
            with app.store() as store:
                answered(store, "mini/dtype-short", "float32")
                answered(store, "mini/pick-two", "a,c")
            clock.t += timedelta(hours=1)
        ui, backend = room.make(app, minutes=20, banks=banks, seed=0)
        made.append(backend)
        return ui, clock

    yield make
    for b in made:
        b.close()


def test_interview_screen(opened, snap_compare):
    ui, clock = opened()

    async def wrong_run(pilot):
        await settle(pilot)
        s = pilot.app.screen
        assert s.shown.view["id"] == "mini/softmax"
        s.query_one("#editor").load_text(WRONG)
        clock.t += timedelta(seconds=100)
        await pilot.press("ctrl+r")
        await settle(pilot)
        s.tick()
        await pilot.pause()

    assert snap_compare(ui, terminal_size=(80, 24), run_before=wrong_run)


def test_browser_screen(opened, snap_compare):
    ui, _clock = opened(answers=True)

    async def browse(pilot):
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("down")  # the detail of mini/dtype-short: its attempt and its card
        await settle(pilot)

    assert snap_compare(ui, terminal_size=(80, 24), run_before=browse)


def test_progress_screen(opened, snap_compare):
    ui, _clock = opened(answers=True)

    async def progress(pilot):
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(ui, terminal_size=(80, 24), run_before=progress)
