"""Spaced-repetition scheduling for quizkit, a thin wrapper around FSRS-6 (`fsrs`).

Pure: no clock, no I/O, no printing. Callers pass `now` (an aware datetime).
py-fsrs has no New state, lapse counter or leech logic, so those live here.
"""

from __future__ import annotations

import hashlib
import heapq
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Iterable

import fsrs
from fsrs import Rating, State

LEECH_LAPSES = 8


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

    def to_json(self) -> str:
        return json.dumps({
            "question_id": self.question_id,
            "card": self.card.to_dict(),  # fsrs's own format (same as Card.to_json)
            "reps": self.reps,
            "lapses": self.lapses,
            "leech": self.leech,
        })

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


_OVERRIDES = {"hard": Rating.Hard, "h": Rating.Hard, "good": Rating.Good, "g": Rating.Good,
              "easy": Rating.Easy, "e": Rating.Easy}


def rating_for(correct: bool, override: str | None = None) -> Rating:
    """Quiz answers: wrong -> Again; right -> Good unless the learner says hard/easy."""
    key = (override or "").strip().lower()
    if key and key not in _OVERRIDES:
        raise ValueError(f"unknown rating override {override!r}")
    if not correct:
        return Rating.Again  # a wrong answer is a lapse whatever the learner claims
    return _OVERRIDES.get(key, Rating.Good)


def rating_from_key(key: str) -> Rating:
    """Flashcards: "1".."4" -> Again/Hard/Good/Easy."""
    k = str(key).strip()
    if k not in ("1", "2", "3", "4"):
        raise ValueError(f"rating key must be 1-4, got {key!r}")
    return Rating(int(k))


class Scheduler:
    def __init__(self, desired_retention: float = 0.9, enable_fuzzing: bool = True,
                 rollover_hour: int = 4, tz: tzinfo | None = None):
        if not 0 <= rollover_hour <= 23:
            raise ValueError("rollover_hour must be 0..23")
        self.fsrs = fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=enable_fuzzing)
        self.rollover_hour = rollover_hour
        self.tz = tz  # None: the machine's local zone, resolved per instant (DST-correct)

    def review(self, state: CardState, rating: Rating | int, now: datetime,
               duration_ms: int | None = None) -> ReviewResult:
        rating = Rating(rating)
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
        start = datetime.combine(day, time(self.rollover_hour))
        if self.tz is not None:
            start = start.replace(tzinfo=self.tz)
        # a naive datetime is taken as machine-local time by astimezone
        return start.astimezone(timezone.utc)

    # --- queues and stats ---

    def due_queue(self, states: Iterable[CardState], now: datetime, limit: int) -> list[CardState]:
        """Due, non-leech cards, most overdue first; heapq keeps 10k cards at a few ms."""
        now = _utc(now)
        if limit <= 0:
            return []
        due = (s for s in states if not s.leech and s.card.due <= now)
        return heapq.nsmallest(limit, due, key=lambda s: (s.card.due, s.question_id))

    def learn_ahead(self, states: Iterable[CardState], now: datetime,
                    minutes: int = 20) -> CardState | None:
        """Earliest card in (re)learning due within `minutes`, to keep a session going."""
        horizon = _utc(now) + timedelta(minutes=minutes)
        cands = [s for s in states
                 if not s.leech and s.reps > 0  # unseen cards are not "in progress"
                 and s.card.state in (State.Learning, State.Relearning)
                 and s.card.due <= horizon]
        return min(cands, key=lambda s: (s.card.due, s.question_id), default=None)

    def forecast(self, states: Iterable[CardState], now: datetime,
                 days: int = 14) -> list[tuple[date, int]]:
        """Non-leech cards falling due per study day from today; overdue ones count on today."""
        if days <= 0:
            return []
        today = self.study_day(now)
        counts = [0] * days
        for s in states:
            if s.leech:
                continue
            offset = max(0, (self.study_day(s.card.due) - today).days)
            if offset < days:
                counts[offset] += 1
        return [(today + timedelta(days=i), n) for i, n in enumerate(counts)]

    def next_due(self, states: Iterable[CardState]) -> datetime | None:
        return min((s.card.due for s in states if not s.leech), default=None)


def _plural(n: float, unit: str) -> str:
    text = f"{n:.1f}".rstrip("0").rstrip(".") if isinstance(n, float) else str(n)
    return f"{text} {unit}" + ("" if text == "1" else "s")


def describe_interval(due: datetime, now: datetime) -> str:
    """Short human text: minutes read as "again", longer gaps as "next"."""
    secs = (_utc(due) - _utc(now)).total_seconds()
    if secs <= 30:
        return "due now"
    if secs < 3600:
        return f"again in {max(1, round(secs / 60))} min"
    if secs < 86400 - 1800:  # 23.5 h and up reads as a day, not "24 h"
        return f"next in {round(secs / 3600)} h"
    d = secs / 86400
    if d < 30:
        return f"next in {_plural(max(1, round(d)), 'day')}"
    if d < 365:
        return f"next in {_plural(max(1, round(d / 30)), 'month')}"
    y = round(d / 365, 1)
    return f"next in {_plural(int(y) if y.is_integer() else y, 'year')}"
