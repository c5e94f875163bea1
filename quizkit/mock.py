"""The mock interview: a timed mix of questions, one try each, hints cost points, a report at the end.

A policy on the study engine like drill and review: it chooses the mix, keeps the clock, scores each
answer, and stores the report. Every answer also rates its card, as in review.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .catalog import parse_difficulty, select, topic_of
from .i18n import N_, _
from .model import MockKind, Question, type_info
from .policies import Capabilities, Record, ReviewPolicy

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from datetime import datetime

    from .engine import Session
    from .model import Asked
    from .scheduler import CardState, Scheduler
    from .settings import Settings
    from .store.rows import Progress

# What each kind of question is worth, and the time to aim for (minutes): a 45-minute mock is
# 2 code tasks, 6 output or mcq questions and 4 short answers or flashcards.
# Which types fill each share is each type's own MOCK (quizkit/types): a type from a package is asked too.
KINDS: dict[MockKind, tuple[int, float]] = {
    "code": (10, 12.0),
    "read": (3, 2.5),
    "recall": (2, 1.5),
}
PER_45: dict[MockKind, int] = {"code": 2, "read": 6, "recall": 4}
HINT_COST = 1 / 3  # each hint takes a third of the question's points


def mix(minutes: int) -> dict[MockKind, int]:
    """How many of each kind fill `minutes`: the 45-minute proportions, whole questions, then what time is left
    filled with the kind furthest below its share that still fits (rounding each kind alone left half of a
    5-minute mock empty)."""
    share: dict[MockKind, float] = {k: n * minutes / 45 for k, n in PER_45.items()}
    counts = {k: int(x) for k, x in share.items()}
    used = sum(counts[k] * KINDS[k][1] for k in counts)
    while fits := [k for k in counts if used + KINDS[k][1] <= minutes + 1e-9]:
        kind = min(fits, key=lambda k: counts[k] - share[k])
        counts[kind] += 1
        used += KINDS[kind][1]
    if not any(counts.values()):
        counts["read"] = 1
    return counts


def choose(
    pool: Iterable[Question], minutes: int, level: str | None, progress: Mapping[str, Progress], rng: random.Random
) -> list[Question]:
    """The questions of a mock: the mix, at `level` where the banks have enough (widening the range a
    step at a time where they do not), new and missed questions first, in a shuffled order."""
    lo, hi = parse_difficulty(level, "--level")
    chosen: list[Question] = []
    for kind, count in mix(minutes).items():
        if not count:
            continue
        of_kind = [q for q in pool if type_info(q.type).mock == kind]
        picked: list[Question] = []
        for widen in range(5):
            near = [q for q in of_kind if lo - widen <= q.difficulty <= hi + widen and q not in picked]
            picked += select(near, progress, count - len(picked), rng)
            if len(picked) >= count:
                break
        chosen += picked
    rng.shuffle(chosen)
    return chosen


@dataclass
class Entry:
    """One question of the mock as it went."""

    id: str
    type: str
    topic: str
    difficulty: int
    aim: float  # seconds
    possible: float
    seconds: float = 0.0
    result: str = "not reached"  # right, wrong, skipped, late, not reached
    hints: int = 0
    points: float = 0.0


class Mock(ReviewPolicy):
    mode: ClassVar[str] = "mock"
    title: ClassVar[str] = N_("mock interview")
    # one try (a failing code answer is not run again), no undo, no re-rating; the mock chose these
    # questions, so the new-cards limit of review does not hold them back
    can: ClassVar[Capabilities] = Capabilities(retries=False, undo=False)

    def __init__(
        self, questions: Sequence[Question], minutes: int, scheduler: Scheduler, settings: Settings, started: datetime
    ) -> None:
        super().__init__([(q, None) for q in questions], scheduler, settings)
        self.minutes = minutes
        self.started = started
        self.deadline = started.timestamp() + minutes * 60
        self.entries = [_entry(q) for q in questions]
        self.index = -1
        self.shown_at = started
        self.ended = "done"
        self.report: dict[str, Any] | None = None

    def left(self, now: datetime) -> float:
        return max(0.0, self.deadline - now.timestamp())

    def next(self, s: Session) -> tuple[Question, CardState | None] | None:
        now = s.clock()
        if self.index + 1 >= len(self.entries):
            return None
        if self.left(now) <= 0:
            self.ended = "time"
            return None
        self.index += 1
        self.shown_at = now
        return self.queue[self.index][0], None  # the card is read when the answer is stored

    def position(self, s: Session) -> str:
        e = self.entries[self.index]
        left = int(self.left(s.clock()))
        return _("mock {n}/{total} · ⏱ {left} left · aim {aim}").format(
            n=self.index + 1, total=len(self.entries), left=f"{left // 60}:{left % 60:02d}", aim=_mmss(e.aim)
        )

    def record(self, s: Session, a: Asked, correct: bool, reply: str, seconds: float, key: str | None = None) -> Record:
        now = s.clock()
        e = self.entries[self.index]
        e.seconds = (now - self.shown_at).total_seconds()
        e.hints = a.hints
        late = now.timestamp() > self.deadline
        e.result = "late" if late else "right" if correct else "wrong"
        e.points = 0.0 if late or not correct else e.possible * max(0.0, 1 - HINT_COST * a.hints)
        return super().record(s, a, correct, reply, seconds, key)

    def skip(self, s: Session, a: Asked) -> None:
        e = self.entries[self.index]
        e.seconds = (s.clock() - self.shown_at).total_seconds()
        e.hints = a.hints
        e.result = "skipped"

    def finish(self, s: Session) -> dict[str, Any] | None:
        """The report, stored with the mock (once), and compared with the mocks before it."""
        if self.report is not None:
            return self.report
        if not any(e.result != "not reached" for e in self.entries):
            return None
        if self.ended == "done" and any(e.result == "not reached" for e in self.entries):
            self.ended = "time" if self.left(s.clock()) <= 0 else "quit"
        previous = s.store.mocks(5)
        self.report = report(self, s.clock())
        s.store.record_mock(s.id, self.started, self.minutes, self.report)
        self.report["previous"] = [
            {"started": m["started"], "score": m["score"], "minutes": m["minutes"]} for m in previous
        ]
        return self.report


def _entry(q: Question) -> Entry:
    points, aim = KINDS[type_info(q.type).mock]
    return Entry(q.full_id, q.type, topic_of(q), q.difficulty, aim * 60, float(points))


def _mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def report(m: Mock, now: datetime) -> dict[str, Any]:
    entries = m.entries
    used = min(m.minutes * 60.0, (now - m.started).total_seconds())
    exact = sum(e.points for e in entries)  # rounded only where shown: 2 × (1 − 1/3) of 2 is 67%, not 66%
    possible = sum(e.possible for e in entries)

    def group(key: Callable[[Entry], object]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for e in entries:
            row = out.setdefault(str(key(e)), {"asked": 0, "right": 0, "points": 0.0, "possible": 0.0})
            row["asked"] += e.result != "not reached"
            row["right"] += e.result == "right"
            row["points"] += e.points
            row["possible"] += e.possible
        for row in out.values():
            row["points"] = round(row["points"], 2)
        return dict(sorted(out.items()))

    lost = sorted((e for e in entries if e.points < e.possible), key=lambda e: (e.points - e.possible, e.id))
    return {
        "minutes": m.minutes,
        "seconds": round(used, 1),
        "ended": m.ended,
        "asked": sum(e.result != "not reached" for e in entries),
        "right": sum(e.result == "right" for e in entries),
        "wrong": sum(e.result in ("wrong", "late") for e in entries),
        "skipped": sum(e.result == "skipped" for e in entries),
        "points": round(exact, 2),
        "possible": possible,
        "score": round(exact / possible, 4) if possible else 0.0,
        "topics": group(lambda e: e.topic),
        "levels": group(lambda e: e.difficulty),
        "questions": [
            dict(dataclasses.asdict(e), seconds=round(e.seconds, 1), points=round(e.points, 2)) for e in entries
        ],
        "review_next": [e.id for e in lost],
    }
