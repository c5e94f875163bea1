"""A sitting for a full-screen front end (the room): a mock, the questions asked by id, or the review queue,
as one object that says at every moment what a screen shows: the question, the countdown, a run's verdict.

It is the engine's Session, opened over the same plans as `quizkit mock`, `drill --id` and `review` (so
every answer is stored, scored and rated as there); what it adds is only what a screen that stays up
needs: the mock's clock as numbers (time left, the current question's aim and the time spent on it), a
verdict as plain fields (where a run failed, its line, its error with both values), and Markdown for the
blocks a question shows. Nothing here prints, reads input or knows about a terminal.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import types
from ..engine import NotAnAnswer, Session
from ..errors import QuizkitError
from ..i18n import N_, _
from ..model import Asked, Hint, Outcome, Question, Summary
from ..policies import Capabilities, ReviewPolicy
from . import questions as qs
from . import study
from .context import App

PIECES = {"setup": N_("setup"), "answer": N_("answer"), "tests": N_("tests")}
LOW_SHARE = 0.2  # the countdown runs low in the last fifth of the mock, or once the question's aim is passed


@dataclass(frozen=True)
class Countdown:
    """A mock's clock now: seconds left of `total`, and the current question's aim and time spent on it."""

    left: float
    total: float
    aim: float
    spent: float

    @property
    def level(self) -> str:
        """ok, low (the last fifth of the time, or the question's aim passed) or out (time is up)."""
        if self.left <= 0:
            return "out"
        return "low" if self.left <= self.total * LOW_SHARE or self.spent > self.aim else "ok"


@dataclass(frozen=True)
class Shown:
    """The question being asked: its public view (choices in the order they are judged), what the learner
    is asked for (reveal, line, choice, code), where it stands in the session, and its prompt as Markdown."""

    view: dict[str, Any]
    input: str
    position: str
    number: int
    total: int
    markdown: str


@dataclass(frozen=True)
class Checked:
    """An answer (or a skip) judged and stored. `done` False: a failing code answer that may be tried again.
    `where`/`line`/`error`: where a code run failed, the failing line, and its error (an assertion's error
    holds the values of both sides)."""

    correct: bool | None
    done: bool
    detail: str = ""
    where: str = ""
    line: str = ""
    error: str = ""
    printed: str = ""
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    solution: str = ""  # as Markdown; `blocks`: the same as the type gives it, [(md | code | answer, text)]
    blocks: tuple[tuple[str, str], ...] = ()
    explanation: str = ""
    first_correct: bool | None = None
    rating: int | None = None
    due: str = ""  # when the card comes again, as words (where the mode rates it)
    rerate: bool = False  # a right answer's rating may be made hard or easy (review, no hint used)
    undo: bool = False  # the answer may be taken back, to be asked again now (review)


def markdown(blocks: Sequence[Sequence[Any]], skip: Sequence[str] = ()) -> str:
    """Blocks a question shows (md, code, answer; choices are left to the screen) as Markdown text."""
    out = []
    for kind, value in blocks:
        if kind in skip or not isinstance(value, str) or not value:
            continue
        out.append(f"```python\n{value.rstrip()}\n```" if kind == "code" else value)
    return "\n\n".join(out)


def _rules(rules: dict[str, Any]) -> str:
    """The rules a code answer must keep, as Markdown lines."""
    out = []
    if rules.get("forbid"):
        out.append(_("may not use: {names}").format(names=", ".join(f"`{n}`" for n in rules["forbid"])))
    if rules.get("allow"):
        out.append(_("may use only: {names}").format(names=", ".join(f"`{n}`" for n in rules["allow"])))
    if rules.get("max_lines"):
        out.append(_("at most {n} lines").format(n=rules["max_lines"]))
    return "\n\n".join(out)


class Chosen(ReviewPolicy):
    """Questions the learner chose (by id, or in the room's browser), each asked once: rated as in review
    (wrong is again, right is good, hard with hints), never held back by the new-cards limit, no undo; a
    failing code answer may be tried again. The desk's mode: the attempts say they were asked by id."""

    mode: ClassVar[str] = "desk"
    title: ClassVar[str] = N_("session summary")
    can: ClassVar[Capabilities] = Capabilities(undo=False, tells_due=True)

    def __init__(self, questions: Sequence[Question], scheduler: Any, settings: Any):
        super().__init__([(q, None) for q in questions], scheduler, settings)
        self.asked = 0

    def next(self, s: Any) -> tuple[Question, Any] | None:
        if not self.queue:
            return None
        q, _state = self.queue.pop(0)
        self.asked += 1
        return q, None  # the card is read when the answer is stored

    def position(self, s: Any) -> str:
        return f"{self.asked}/{self.total}"


def plan(
    app: App,
    store: Any,
    banks: Sequence[Any],
    questions: Sequence[Question],
    *,
    minutes: int | None = None,
    ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    level: str | None = None,
    cuda: bool = False,
    rng: random.Random | None = None,
) -> study.Plan:
    """The plan of `quizkit mock --minutes` (minutes given), these ids (rated as in review: Chosen), else
    the review queue."""
    if minutes is not None:
        return study.mock_plan(app, store, questions, minutes=minutes, tags=tags, level=level, cuda=cuda, rng=rng)
    if ids:
        chosen = [qs.find(questions, qid) for qid in ids]
        settings = app.settings()
        return study.Plan(Chosen(chosen, app.scheduler(settings, store), settings), chosen)
    return study.review_plan(app, store, questions, tags=tags, cuda=cuda)


def runs_code(p: study.Plan) -> bool:
    """Whether a question of the plan runs code (its front end then warms a runner)."""
    return any(types.of(q).RUNS for q in p.questions)


class Interview:
    """One sitting: `next`, `check`, `hint`, `skip`, `reveal` (a flashcard's back), `give_up`, `countdown`,
    `finish`. `runner`: a warm runner, where a question of the plan runs code (`runs_code`)."""

    def __init__(
        self,
        app: App,
        p: study.Plan,
        store: Any,
        runner: Any = None,
        device: str = "cpu",
        lang: str = "en",
        rng: random.Random | None = None,
    ):
        if p.policy is None:
            raise QuizkitError(p.done or _("nothing to ask"))
        self.app, self.plan = app, p
        self.session = Session(p.policy, store, runner, device, lang, clock=app.clock, rng=rng)
        self.total = len(p.questions)
        self.number = 0
        self.outcome: Outcome | None = None
        self.taken_back = False  # the answer just given was undone: the next question is this one again

    def use_runner(self, runner: Any) -> None:
        """The runner to judge with, given once it is made (a front end may show the first question before
        it starts one)."""
        self.session.runner = runner

    @property
    def is_mock(self) -> bool:
        return hasattr(self.session.policy, "deadline")

    @property
    def current(self) -> Asked | None:
        return self.session.current

    def next(self) -> Shown | None:
        """The next question (a question shown and left unanswered counts as skipped), or None at the end."""
        a = self.session.current
        if a is not None and self.outcome is None and not self.taken_back:
            self.session.skip()
        elif a is not None and self.outcome is not None and not self.outcome.done:
            self.session.give_up()
        asked = self.session.next()
        self.outcome, self.taken_back = None, False
        if asked is None:
            return None
        self.number += 1
        return self.shown()

    def shown(self) -> Shown:
        a = self._asking()
        view = qs.public_view(a.question, self.session.lang, a.hints, a.order)
        skip = ("choices", "md", "code") if a.input == "code" else ("choices",)  # a starter is in the editor
        text = "\n\n".join(t for t in (view["prompt"], markdown(a.extra, skip), _rules(view["rules"])) if t)
        return Shown(view, a.input, a.position, self.number, self.total, text)

    def countdown(self) -> Countdown | None:
        """The mock's clock (None outside a mock)."""
        if not self.is_mock:
            return None
        policy: Any = self.session.policy
        now = self.app.clock()
        aim = spent = 0.0
        if 0 <= policy.index < len(policy.entries) and self.session.current is not None:
            aim = float(policy.entries[policy.index].aim)
            spent = max(0.0, (now - policy.shown_at).total_seconds())
        return Countdown(float(policy.left(now)), policy.minutes * 60.0, aim, spent)

    def check(self, answer: str) -> Checked:
        """Judge and store an answer (run it, for code). NotAnAnswer: a reply that is no answer (a letter out
        of range); QuizkitError: an empty answer, or a question already done."""
        if not answer.strip():
            raise QuizkitError(_("the answer is empty"))
        if self.outcome is not None and self.outcome.done:
            raise QuizkitError(_("this question is done: the next key asks the next one"))
        try:
            self.outcome = self.session.answer(answer)
        except NotAnAnswer as e:
            raise QuizkitError(str(e)) from None
        return self._checked(self.outcome)

    def rerate(self, choice: str) -> Checked:
        """A right answer rated hard ('h') or easy ('e') in place of good, as review's h and e do: the card
        is recomputed from what it was before the answer. QuizkitError where the answer cannot be."""
        if self.outcome is None or not self._checked(self.outcome).rerate or choice not in ("h", "e"):
            raise QuizkitError(_("only a right answer in review, with no hint used, can be rated again"))
        self.session.rate(choice)
        return self._checked(self.outcome)

    def undo(self) -> None:
        """Take back the answer just given (its attempt, review and card), as review's u does: `next` asks
        the same question again."""
        if self.outcome is None or self.taken_back or not self._checked(self.outcome).undo:
            raise QuizkitError(_("only a right answer in review can be taken back"))
        self.session.undo()
        self.outcome, self.taken_back = None, True
        self.number -= 1

    def hint(self) -> Hint:
        return self.session.hint()

    def reveal(self) -> str:
        """A flashcard's back, as Markdown, before the learner grades themself (1-4 through `check`)."""
        return markdown(self.session.reveal())

    def skip(self) -> Checked:
        self.outcome = self.session.skip()
        return self._checked(self.outcome)

    def give_up(self) -> Checked:
        """Stop retrying a failing code answer: the question is done (its first try was stored and rated)."""
        self.outcome = self.session.give_up()
        return self._checked(self.outcome)

    def finish(self) -> Summary:
        """The summary (a mock's report, stored with it). A question shown and unanswered counts as skipped
        (one whose answer was just taken back does not: it was not asked again yet)."""
        if self.session.current is not None and self.outcome is None and not self.taken_back:
            self.session.skip()
            self.outcome = None
        return self.session.finish()

    def _asking(self) -> Asked:
        a = self.session.current
        if a is None:
            raise QuizkitError(_("no question is being asked"))
        return a

    def _checked(self, o: Outcome) -> Checked:
        v, run = o.verdict, o.verdict.run
        sched = getattr(self.session.last, "result", None) or o.scheduled  # the last: as re-rated
        after = self.session.after(o)
        rated = sched is not None and not self.is_mock
        return Checked(
            correct=v.correct,
            done=o.done,
            detail=v.detail,
            where=_where(run.where or "") if run is not None and not run.ok else "",
            line=(run.line or "") if run is not None and not run.ok else "",
            error=(run.error or run.status) if run is not None and not run.ok else "",
            printed=run.stdout if run is not None else "",
            seconds=run.seconds if run is not None else 0.0,
            notes=tuple(str(n) for n in v.notes),
            solution=markdown(o.solution),
            blocks=tuple((str(k), str(v)) for k, v in o.solution if isinstance(v, str) and v),
            explanation=o.explanation,
            first_correct=o.first_correct,
            rating=int(sched.log.rating) if rated else None,
            due=_due(sched.state.due, self.app.clock()) if rated else "",
            rerate=after.rerate and not after.hinted,  # with a hint, hard is the best it can be
            undo=after.undo,
        )


def opener(app: App) -> tuple[Callable[[], Any], Callable[[], None]]:
    """(get, close): one warm runner for a front end's lifetime, made the first time `get` is called."""
    made: list[Any] = []

    def get() -> Any:
        if not made:
            made.append(app.runner_factory(1, None))
            made[0].warm()
        return made[0]

    def close() -> None:
        for r in made:
            r.close()

    return get, close


def _due(when: Any, now: Any) -> str:
    from ..scheduler import describe_interval

    return describe_interval(when, now)


def _where(where: str) -> str:
    """Where a run failed ("tests line 3", as the worker says it) in the interface's language."""
    piece, sep, n = where.partition(" line ")
    if not sep or piece not in PIECES:
        return where
    # TRANSLATORS: where a code answer's run failed, e.g. "tests line 3"; {piece} is setup, answer or tests
    return _("{piece} line {n}").format(piece=_(PIECES[piece]), n=n)
