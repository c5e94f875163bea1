"""Spaced-repetition scheduling for quizkit, a thin wrapper around FSRS-6 (`fsrs`).

Pure: no clock, no I/O, no printing. Callers pass `now` (an aware datetime).
py-fsrs has no New state, lapse counter or leech logic, so those live here.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import IntEnum
from typing import Protocol

import fsrs
from fsrs import Rating, State

from .i18n import _, ngettext

LEECH_LAPSES = 8
LEARN_AHEAD = timedelta(minutes=20)  # a learning step due within this is asked now rather than waited for


class Phase(IntEnum):
    """quizkit's card phases (the numbers are what the store's review log keeps)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def in_steps(self) -> bool:
        return self in (Phase.LEARNING, Phase.RELEARNING)


@dataclass
class CardState:
    """What the store persists per question."""

    question_id: str  # "bank/qid"
    card: fsrs.Card
    reps: int = 0
    lapses: int = 0  # Again pressed while the card was in State.Review
    leech: bool = False  # suspended from review once lapses reach LEECH_LAPSES

    @property
    def is_new(self) -> bool:
        # fsrs starts unseen cards in Learning/step 0; "never reviewed" is ours to track.
        return self.reps == 0

    @property
    def phase(self) -> Phase:
        return Phase.NEW if self.is_new else Phase(self.card.state.value)

    @property
    def due(self) -> datetime:
        return self.card.due

    def to_json(self) -> str:
        return json.dumps(
            {
                "question_id": self.question_id,
                "card": self.card.to_dict(),  # fsrs's own format (same as Card.to_json)
                "reps": self.reps,
                "lapses": self.lapses,
                "leech": self.leech,
            }
        )

    @classmethod
    def from_json(cls, s: str) -> CardState:
        d = json.loads(s)
        return cls(
            question_id=d["question_id"],
            card=fsrs.Card.from_dict(d["card"]),
            reps=int(d.get("reps", 0)),
            lapses=int(d.get("lapses", 0)),
            leech=bool(d.get("leech", False)),
        )


@dataclass
class ReviewResult:
    state: CardState
    log: fsrs.ReviewLog
    became_leech: bool  # True only on the review that crossed the threshold


def card_id_for(question_id: str) -> int:
    """Stable id from sha256: the same on every run and machine, in 1 .. 2**53-1 (JSON-safe)."""
    digest = hashlib.sha256(question_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % (2**53 - 1) + 1


def _utc(dt: datetime) -> datetime:
    # fsrs rejects any tzinfo that is not exactly datetime.timezone.utc.
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {dt!r}")
    return dt.astimezone(timezone.utc)


def new_card(question_id: str, now: datetime) -> CardState:
    return CardState(question_id, fsrs.Card(card_id=card_id_for(question_id), due=_utc(now)))


_OVERRIDES = {
    "hard": Rating.Hard,
    "h": Rating.Hard,
    "good": Rating.Good,
    "g": Rating.Good,
    "easy": Rating.Easy,
    "e": Rating.Easy,
}


def rating_for(correct: bool, override: str | None = None) -> Rating:
    """Quiz answers: wrong -> Again; right -> Good unless the learner says hard/easy."""
    key = (override or "").strip().lower()
    if key and key not in _OVERRIDES:
        raise ValueError(f"unknown rating override {override!r}")
    if not correct:
        return Rating.Again  # a wrong answer is a lapse whatever the learner claims
    return _OVERRIDES.get(key, Rating.Good)


def with_hints(rating: Rating, hints: int) -> Rating:
    """A right answer found with hints is Hard at best: the learner did not recall it alone."""
    if hints and rating > Rating.Hard:
        return Rating.Hard
    return rating


def rating_from_key(key: str) -> Rating:
    """Flashcards: "1".."4" -> Again/Hard/Good/Easy."""
    k = str(key).strip()
    if k not in ("1", "2", "3", "4"):
        raise ValueError(f"rating key must be 1-4, got {key!r}")
    return Rating(int(k))


class Scheduler:
    def __init__(
        self,
        desired_retention: float = 0.9,
        enable_fuzzing: bool = True,
        rollover_hour: int = 4,
        tz: tzinfo | None = None,
        fuzz: random.Random | None = None,
        parameters: list[float] | None = None,
    ):
        """`parameters`: FSRS-6's 21 weights fitted to the learner (quizkit optimize); None: fsrs's defaults."""
        if not 0 <= rollover_hour <= 23:
            raise ValueError("rollover_hour must be 0..23")
        weights = tuple(parameters) if parameters is not None else fsrs.scheduler.DEFAULT_PARAMETERS
        self.fsrs = fsrs.Scheduler(weights, desired_retention=desired_retention, enable_fuzzing=enable_fuzzing)
        self.fuzz = fuzz  # a seeded Random makes fsrs's interval fuzz repeatable (tests, QUIZKIT_SEED)
        self.rollover_hour = rollover_hour
        self.tz = tz  # None: the machine's local zone, resolved per instant (DST-correct)

    def review(
        self, state: CardState, rating: Rating | int, now: datetime, duration_ms: int | None = None
    ) -> ReviewResult:
        rating = Rating(rating)
        if self.fuzz is not None:  # fsrs draws its fuzz from the random module
            saved = random.getstate()
            random.seed(self.fuzz.random())
            try:
                card, log = self.fsrs.review_card(state.card, rating, _utc(now), duration_ms)
            finally:
                random.setstate(saved)
        else:
            card, log = self.fsrs.review_card(state.card, rating, _utc(now), duration_ms)
        # Only a forgotten *graduated* card is a lapse; failing in (re)learning is not.
        lapsed = rating == Rating.Again and state.card.state == State.Review
        lapses = state.lapses + (1 if lapsed else 0)
        leech = state.leech or lapses >= LEECH_LAPSES
        new = replace(state, card=card, reps=state.reps + 1, lapses=lapses, leech=leech)
        return ReviewResult(new, log, became_leech=leech and not state.leech)

    # --- study days: local calendar day that starts at rollover_hour ---

    def study_day(self, when: datetime) -> date:
        local = _utc(when).astimezone(self.tz)
        # wall-clock subtraction, so 03:59 local is the previous day even on DST days
        return (local - timedelta(hours=self.rollover_hour)).date()

    def day_start(self, day: date) -> datetime:
        """The first instant of study day `day` (UTC): the first whose study_day is `day`. Where the rollover
        hour does not exist that day (a DST gap at 02:00) it is the gap's end, where it happens twice its
        first time; naive rollover time alone put the start an hour early in a gap."""
        starts = []
        for fold in (0, 1):
            start = datetime.combine(day, time(self.rollover_hour, fold=fold))
            if self.tz is not None:
                start = start.replace(tzinfo=self.tz)
            starts.append(start.astimezone(timezone.utc))  # a naive datetime is machine-local to astimezone
        second = timedelta(seconds=1)
        for start in sorted(set(starts)):
            if self.study_day(start) == day and self.study_day(start - second) != day:
                return start
        return min(starts)

    def asks_again_soon(self, state: CardState, now: datetime) -> bool:
        """A (re)learning step due within LEARN_AHEAD is asked again in this session."""
        return state.phase.in_steps and not state.leech and state.due <= _utc(now) + LEARN_AHEAD


@dataclass
class Plan:
    """What a review session holds, from store rows alone (pure)."""

    due: list[tuple[str, CardState]] = field(default_factory=list)  # due now, in order
    new: list[str] = field(default_factory=list)  # [question id] never reviewed, up to today's new limit
    new_done: int = 0  # today's counts, before this session
    reviews_done: int = 0
    next_due: datetime | None = None  # the earliest card due later, when nothing is due now
    leeches: int = 0


class _Logged(Protocol):
    """A review log row, as plan reads it (the store's ReviewRow)."""

    @property
    def prev_state(self) -> int: ...


def plan(
    due_rows: Iterable[tuple[str, str]],
    card_rows: Collection[tuple[str, str, bool]],
    today_rows: Collection[_Logged],
    candidates: Collection[str],
    now: datetime,
    new_limit: int,
    review_limit: int,
) -> Plan:
    """due_rows: (question, state JSON) due by now, most overdue first; card_rows: (question, due ISO, leech)
    of every card; today_rows: the review log since the study day began (store ReviewRows, read by
    .prev_state); candidates: the question ids that may be asked, in the order new ones should come."""
    wanted = set(candidates)
    new_done = sum(1 for r in today_rows if r.prev_state == Phase.NEW)
    reviews_done = sum(1 for r in today_rows if r.prev_state == Phase.REVIEW)
    reviews_left = max(0, review_limit - reviews_done)
    due: list[tuple[str, CardState]] = []
    for qid, state_json in due_rows:
        if qid not in wanted:
            continue
        state = CardState.from_json(state_json)
        if state.phase is Phase.REVIEW:
            if reviews_left <= 0:
                continue  # the day's review limit; learning steps are never held back
            reviews_left -= 1
        due.append((qid, state))
    have = {qid for qid, _, _ in card_rows}
    new = [qid for qid in candidates if qid not in have][: max(0, new_limit - new_done)]
    now_iso = _utc(now).isoformat(timespec="seconds")  # the store's format
    # The store writes every due time in one UTC ISO format, so strings compare as times do.
    later = min((d for qid, d, leech in card_rows if not leech and qid in wanted and d > now_iso), default=None)
    leeches = sum(1 for qid, _, leech in card_rows if leech and qid in wanted)
    return Plan(due, new, new_done, reviews_done, datetime.fromisoformat(later) if later else None, leeches)


def _plural(n: float, one: str, many: str) -> str:
    text = f"{n:.1f}".rstrip("0").rstrip(".") if isinstance(n, float) else str(n)
    return ngettext(one, many, 1 if text == "1" else 2).format(n=text)


def describe_interval(due: datetime, now: datetime) -> str:
    """Short human text: minutes read as "again", longer gaps as "next"."""
    secs = (_utc(due) - _utc(now)).total_seconds()
    if secs <= 30:
        return _("due now")
    if secs < 3600:
        return _("again in {n} min").format(n=max(1, round(secs / 60)))
    if secs < 86400 - 1800:  # 23.5 h and up reads as a day, not "24 h"
        return _("next in {n} h").format(n=round(secs / 3600))
    d = secs / 86400
    if d < 30:
        return _plural(max(1, round(d)), "next in {n} day", "next in {n} days")
    if d < 365:
        return _plural(max(1, round(d / 30)), "next in {n} month", "next in {n} months")
    y = round(d / 365, 1)
    return _plural(int(y) if y.is_integer() else y, "next in {n} year", "next in {n} years")
