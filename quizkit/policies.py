"""Policies on the study engine: which question comes next and what an answer records.

drill: the chosen questions in order; every answer is an attempt. review: spaced repetition (FSRS), where
an answer is also a rating of its card. Each answer is stored the moment it is judged; a rating chosen
afterwards (hard, easy) updates it; `undo` takes it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from .i18n import N_, _
from .model import Asked, Question
from .store import Attempt, Review, utc_iso

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from fsrs import Rating

    from .engine import Session
    from .model import LearningPath
    from .scheduler import CardState, ReviewResult, Scheduler
    from .settings import Settings
    from .store.answers import Replay
    from .store.rows import ReplayRow


@dataclass(frozen=True)
class Capabilities:
    """What a policy lets the learner do, declared once: front ends ask this instead of knowing modes."""

    retries: bool = True  # a failing code answer may be tried again (the first try is what is scored)
    undo: bool = True  # the answer just stored may be taken back
    rerate: bool = False  # a right answer's rating may be changed (hard, easy) after it is stored
    limit_new: bool = False  # the daily new-cards limit holds new cards back (False: the learner chose them)
    tells_due: bool = False  # the card's next due time is shown after each answer (not in a mock)


class Policy(Protocol):
    """A study mode on the engine: which question comes next and what an answer records."""

    mode: ClassVar[str]
    title: ClassVar[str]
    can: ClassVar[Capabilities]

    def next(self, s: Any) -> tuple[Question, Any] | None: ...
    def position(self, s: Any) -> str: ...
    def record(self, s: Any, a: Asked, correct: bool, reply: str, seconds: float, key: str | None = None) -> Record: ...
    def record_retry(self, s: Any, a: Asked, correct: bool, reply: str, seconds: float) -> None: ...
    def skip(self, s: Any, a: Asked) -> None: ...
    def rerate(self, s: Any, record: Record, choice: str) -> Any: ...
    def undo(self, s: Any, record: Record) -> None: ...
    def finish(self, s: Any) -> dict[str, Any] | None: ...


@dataclass
class Record:
    """An answer as stored: what rate() and undo() need."""

    attempt_id: int
    question: Question
    state: CardState | None = None  # the card before the answer (review), None if it was new
    result: ReviewResult | None = None  # the scheduler's result (review)
    correct: bool = False
    seconds: float = 0.0
    key: str | None = None
    hints: int = 0
    written: str | None = None  # the card's state JSON as this answer left it: undo and re-rate compare it


class Drill:
    mode: ClassVar[str] = "drill"
    title: ClassVar[str] = N_("session summary")
    can: ClassVar[Capabilities] = Capabilities()

    def __init__(self, questions: Iterable[Question]) -> None:
        self.queue: list[tuple[Question, CardState | None]] = [(q, None) for q in questions]
        self.total = len(self.queue)

    def next(self, s: Session) -> tuple[Question, CardState | None] | None:
        return self.queue.pop(0) if self.queue else None

    def position(self, s: Session) -> str:
        return f"{s.asked}/{self.total}"

    def _attempt(self, s: Session, a: Asked, reply: str, correct: bool, seconds: float) -> Attempt:
        return Attempt(a.question.full_id, s.clock(), reply, correct, seconds, s.device, s.id, self.mode, a.hints)

    def record(self, s: Session, a: Asked, correct: bool, reply: str, seconds: float, key: str | None = None) -> Record:
        attempt_id = s.store.record_attempt(self._attempt(s, a, reply, correct, seconds))
        return Record(attempt_id, a.question, a.state, None, correct, seconds, key, a.hints)

    def record_retry(self, s: Session, a: Asked, correct: bool, reply: str, seconds: float) -> None:
        """A retry is stored too, but the score (and a review's rating) keeps the first try."""
        s.store.record_attempt(self._attempt(s, a, reply, correct, seconds))

    def skip(self, s: Session, a: Asked) -> None:
        pass

    def rerate(self, s: Session, record: Record, choice: str) -> ReviewResult | None:
        return None

    def undo(self, s: Session, record: Record) -> None:
        s.store.undo(record.attempt_id, record.question.full_id, card=True)
        self.queue.insert(0, (record.question, record.state))

    def finish(self, s: Session) -> dict[str, Any] | None:
        """What the mode reports at the end besides the score (a mock's report); None for most."""
        return None


class PathPolicy(Drill):
    """A learning path: always the first step not yet done whose steps before it (and `after`) are done.
    A right answer opens the next step at once; a step answered wrong comes back once, then the session
    stops there (the rest stays locked)."""

    mode: ClassVar[str] = "path"
    title: ClassVar[str] = N_("path summary")
    TRIES = 2

    def __init__(self, path: LearningPath, by_id: Mapping[str, Question], done: Iterable[str], count: int) -> None:
        self.path = path
        self.by_id = by_id
        self.done = set(done)
        self.count = count
        self.total = min(count, sum(1 for qid in path.steps if qid not in self.done))
        self.tries: dict[str, int] = {}
        self.redo: list[tuple[Question, CardState | None]] = []  # an undone answer is asked again first
        self.showing = ""

    def next(self, s: Session) -> tuple[Question, CardState | None] | None:
        from .catalog import path_steps

        if self.redo:
            self.showing = self.redo[0][0].full_id
            return self.redo.pop(0)
        if s.asked >= self.count:
            return None
        for qid, q, state in path_steps(self.path, self.by_id, self.done):
            if state == "next" and self.tries.get(qid, 0) < self.TRIES:
                self.tries[qid] = self.tries.get(qid, 0) + 1
                self.showing = qid
                return cast(Question, q), None  # a "next" step is a loaded question
        return None

    def position(self, s: Session) -> str:
        steps = self.path.steps
        return _("{path} · step {n}/{total}").format(
            path=self.path.id, n=steps.index(self.showing) + 1, total=len(steps)
        )

    def record(self, s: Session, a: Asked, correct: bool, reply: str, seconds: float, key: str | None = None) -> Record:
        if correct:
            self.done.add(a.question.full_id)
        return super().record(s, a, correct, reply, seconds, key)

    def undo(self, s: Session, record: Record) -> None:
        s.store.undo(record.attempt_id, record.question.full_id, card=True)
        self.done.discard(record.question.full_id)
        self.redo.insert(0, (record.question, record.state))


class ReviewPolicy(Drill):
    """Due cards (learning steps first when due), then new cards; wrong is Again, right is Good unless
    the learner says hard or easy; flashcards take 1-4."""

    mode: ClassVar[str] = "review"
    title: ClassVar[str] = N_("review summary")
    can: ClassVar[Capabilities] = Capabilities(rerate=True, limit_new=True, tells_due=True)

    def __init__(
        self, queue: Iterable[tuple[Question, CardState | None]], scheduler: Scheduler, settings: Settings
    ) -> None:
        self.queue = list(queue)  # [(Question, CardState | None)]
        self.total = len(self.queue)
        self.scheduler = scheduler
        self.settings = settings
        self.learning: list[tuple[Question, CardState]] = []  # [(Question, CardState)] steps due again in this session

    def next(self, s: Session) -> tuple[Question, CardState | None] | None:
        now = s.clock()
        if self.learning and self.learning[0][1].due <= now:
            return self.learning.pop(0)
        while self.queue:
            q, state = self.queue.pop(0)
            if state is None and s.store.card(q.full_id) is not None:
                continue  # a new card another session has reviewed meanwhile
            return q, state
        if self.learning:
            return self.learning.pop(0)
        return None

    def position(self, s: Session) -> str:
        return _("review {n} · {left} left").format(n=s.asked, left=len(self.queue) + len(self.learning))

    def record(self, s: Session, a: Asked, correct: bool, reply: str, seconds: float, key: str | None = None) -> Record:
        from . import scheduler as sch

        rating = sch.rating_from_key(key) if key else sch.rating_for(correct)
        return self._store(
            s, a.question, a.state, sch.with_hints(rating, a.hints), correct, reply, seconds, key, a.hints
        )

    def _store(
        self,
        s: Session,
        q: Question,
        planned: CardState | None,
        rating: Rating,
        correct: bool,
        reply: str,
        seconds: float,
        key: str | None,
        hints: int = 0,
    ) -> Record:
        """Attempt + review + card in one transaction. The card is re-read inside it, so a second review
        session running at the same time never rates from a stale state nor overruns the new limit."""
        from . import scheduler as sch

        when = s.clock()
        ms = int(seconds * 1000)
        done: dict[str, Any] = {}

        def review(stored: str | None, new_today: int) -> Review | None:
            current = sch.CardState.from_json(stored) if stored else None
            if current is None and self.can.limit_new and new_today >= self.settings.new_per_day:
                return None  # another session used today's new cards: the attempt alone is stored
            before = current or planned or sch.new_card(q.full_id, when)
            result = self.scheduler.review(before, rating, when, ms)
            row = _review_row(q, before, rating, result, ms)
            done.update(result=result, before=before if stored else None, written=row.card_json)
            return row

        day = self.scheduler.study_day(when)
        start, tomorrow = (utc_iso(self.scheduler.day_start(d)) for d in (day, day + timedelta(days=1)))
        attempt_id, _ = s.store.record_review(
            Attempt(q.full_id, when, reply, correct, seconds, s.device, s.id, self.mode, hints), review, start, tomorrow
        )
        result = done.get("result")
        if result is not None and self.scheduler.asks_again_soon(result.state, when):
            self.learning.append((q, result.state))
            self.learning.sort(key=lambda pair: pair[1].due)
        return Record(attempt_id, q, done.get("before"), result, correct, seconds, key, hints, done.get("written"))

    def rerate(self, s: Session, record: Record, choice: str) -> ReviewResult | None:
        """Hard or easy instead of good, for the answer just given: recomputed from the card as it was."""
        from . import scheduler as sch

        if record.result is None or not record.correct or record.key:
            return record.result
        rating = sch.with_hints(sch.rating_for(True, choice), record.hints)
        when = s.clock()
        before = record.state or sch.new_card(record.question.full_id, when)
        self._forget_step(record)
        result = self.scheduler.review(before, rating, when, int(record.seconds * 1000))
        replayed: dict[int, ReviewResult] = {}
        record.written = s.store.rerate(
            record.attempt_id,
            _review_row(record.question, before, rating, result, int(record.seconds * 1000)),
            expect=record.written,
            replay=self._replayer(record.question, replayed),
        )
        result = replayed.get(record.attempt_id, result)  # the card moved: this answer as recomputed in its log
        record.result = result
        if self.scheduler.asks_again_soon(result.state, when):
            self.learning.append((record.question, result.state))
            self.learning.sort(key=lambda pair: pair[1].due)
        return result

    def undo(self, s: Session, record: Record) -> None:
        card = record.state.to_json() if record.state is not None else None
        s.store.undo(
            record.attempt_id, record.question.full_id, card=card, expect=record.written,
            replay=self._replayer(record.question, {}),
        )  # fmt: skip
        self._forget_step(record)
        self.queue.insert(0, (record.question, record.state))

    def _replayer(self, q: Question, results: dict[int, ReviewResult]) -> Replay:
        """For the store's compare-and-set: the card recomputed from its whole review log, oldest first, from
        a new card (each answer's ReviewResult kept in `results` by attempt id)."""
        from . import scheduler as sch

        def replay(rows: list[ReplayRow]) -> list[Review]:
            out: list[Review]
            state: CardState | None
            out, state = [], None
            for attempt, when_iso, rating, ms in rows:
                when = datetime.fromisoformat(when_iso)
                before = state or sch.new_card(q.full_id, when)
                result = self.scheduler.review(before, rating, when, ms)
                results[attempt] = result
                out.append(_review_row(q, before, rating, result, ms))
                state = result.state
            return out

        return replay

    def _forget_step(self, record: Record) -> None:
        self.learning = [(q, st) for q, st in self.learning if q is not record.question]


class Workspace(ReviewPolicy):
    """`quizkit check` (and `start`, which watches): the learner's file is the answer. A pass is stored
    as a right answer and rates the question's card (Good, Hard with hints); a failing save is work in
    progress and is not stored; saving or checking the same passing file again is not a new answer."""

    mode: ClassVar[str] = "check"
    title: ClassVar[str] = "check"
    can: ClassVar[Capabilities] = Capabilities(undo=False, tells_due=True)  # chosen: no new-cards limit

    def __init__(self, question: Question, scheduler: Scheduler, settings: Settings, hints: int = 0) -> None:
        super().__init__([], scheduler, settings)
        self.question = question
        self.hints = hints

    def next(self, s: Session) -> tuple[Question, CardState | None] | None:
        return self.question, None

    def position(self, s: Session) -> str:
        return "check"

    def record(self, s: Session, a: Asked, correct: bool, reply: str, seconds: float, key: str | None = None) -> Record:
        again = correct and s.store.last_answer(a.question.full_id) == (reply, True)  # the same file, re-checked
        if not correct or again:  # a new passing version (--watch after a pass) is a new right answer
            return Record(0, a.question, correct=bool(correct))
        a.hints = self.hints
        return super().record(s, a, correct, reply, seconds, key)


def _review_row(q: Question, before: CardState, rating: Rating | int, result: ReviewResult, ms: int | None) -> Review:
    card = result.state.card
    return Review(
        q.full_id,
        card.card_id,
        int(rating),
        int(result.state.phase),
        int(before.phase),
        card.due,
        card.stability,
        card.difficulty,
        ms,
        result.state.to_json(),
        result.state.leech,
    )
