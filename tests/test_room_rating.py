"""Issue 20, the room's review: a right answer re-rated (hard, easy) and undone from the interview screen, as
the line review's h, e and u do, through the app layer; the keys are in the footer only while they apply, in
either language. Driven headless with Pilot at 80x24."""

import pytest
from test_room import context, drive, settle, text

from quizkit import i18n, room
from quizkit.room.common import keys_line

from conftest import write_bank

BANK = """
bank: rv
questions:
  - {id: yes, type: short, prompt: "say yes", accept: [yes]}
  - {id: hinted, type: short, prompt: "say no", accept: ["no"], hint: [the opposite of yes]}
"""
LABELS = {"en": ("hard", "easy", "undo", "rated good", "rated easy", "rated again"),
          "zh": ("困难", "简单", "撤销", "评为良好", "评为简单", "评为重来")}  # fmt: skip


def footer(screen) -> str:
    return str(keys_line(screen))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_right_review_answer_is_re_rated_and_undone_from_the_room(tmp_path, runner, lang):
    i18n.use(lang)
    hard, easy, undo, good_rated, easy_rated, again_rated = LABELS[lang]
    bank = write_bank(tmp_path, BANK, "rv.yaml")
    ui, backend = room.make(context(tmp_path, runner), banks=[str(bank)], lang=lang)  # the review queue
    stored = {}

    def store(what):
        return backend.sync(lambda: getattr(backend.store, what)())

    async def answer(pilot, s, reply):
        s.query_one("#line").value = reply
        await pilot.press("enter")
        await settle(pilot)

    async def script(pilot):
        s = pilot.app.screen
        while s.shown.view["id"] != "rv/yes":  # the queue's order is the scheduler's: the other one first
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert easy not in footer(s) and undo not in footer(s)  # nothing answered yet: not offered
        await answer(pilot, s, "yes")
        assert good_rated in text(s.query_one("#results"))
        assert hard in footer(s) and easy in footer(s) and undo in footer(s)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert easy_rated in text(s.query_one("#results"))
        stored["rated"] = [(q, r) for _t, q, r, _p, _ms in store("reviews")]
        await pilot.press("ctrl+u")
        await settle(pilot)
        stored["undone"] = ([a["question"] for a in store("attempts")], backend.sync(backend.store.card, "rv/yes"))
        assert s.shown.view["id"] == "rv/yes" and s.checked is None  # asked again, at once
        assert undo not in footer(s)
        await answer(pilot, s, "maybe")  # wrong this time: again, and nothing to re-rate or undo
        assert again_rated in text(s.query_one("#results"))
        assert easy not in footer(s) and undo not in footer(s)
        await pilot.press("ctrl+e")  # not bound now: nothing changes
        await settle(pilot)
        assert again_rated in text(s.query_one("#results"))
        stored["after"] = [(a["question"], a["correct"]) for a in store("attempts")]

    drive(ui, backend, script)
    assert [r for r in stored["rated"] if r[0] == "rv/yes"] == [("rv/yes", 4)]  # easy, in place of good
    attempts, card = stored["undone"]
    assert "rv/yes" not in attempts and card is None  # the attempt, its review and the card taken back
    assert ("rv/yes", False) in stored["after"] and ("rv/yes", True) not in stored["after"]


def test_a_hinted_right_answer_may_be_undone_but_not_made_easy(tmp_path, runner):
    bank = write_bank(tmp_path, BANK, "rv.yaml")
    ui, backend = room.make(context(tmp_path, runner), banks=[str(bank)])

    async def script(pilot):
        s = pilot.app.screen
        while s.shown.view["id"] != "rv/hinted":
            await pilot.press("ctrl+n")
            await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        s.query_one("#line").value = "no"
        await pilot.press("enter")
        await settle(pilot)
        assert "rated hard" in text(s.query_one("#results"))  # a hint caps it at hard
        assert "easy" not in footer(s) and "undo" in footer(s)

    drive(ui, backend, script)
