"""A simulated learner whose memory follows FSRS-6 with KNOWN parameters (TRUE), scheduled by quizkit's own
Scheduler (the defaults, as a learner who never optimized): the review log `quizkit optimize` should learn TRUE
from. Used by tests/test_optimize.py and benchmarks/optimize.py.

Each day at 09:00 the learner reviews what is due and up to `new_per_day` new cards, taking the learning steps
the same day when they come due. A card is recalled with the probability TRUE predicts for it (fsrs's own
get_card_retrievability on a shadow card reviewed with TRUE); recalled, it is rated Good (Hard one time in ten,
Easy one in twenty), else Again; a new card's first rating is drawn as a learner's first answers are.
"""

from __future__ import annotations

import heapq
import random
from datetime import datetime, timedelta, timezone

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizkit.scheduler import Scheduler, card_id_for, new_card
from quizkit.store import utc_iso

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
# Differs from the defaults where a log of a few thousand reviews can tell: the initial stabilities (a slower
# learner: lower), how fast stability grows on a recall (w8) and after a lapse (w11).
TRUE = list(DEFAULT_PARAMETERS)
TRUE[0:4] = [0.1, 0.6, 1.0, 4.0]
TRUE[8] = 1.2
TRUE[11] = 1.0


def simulate(reviews: int, seed: int = 0, new_per_day: int = 20, params=TRUE) -> list[dict]:
    """`reviews` reviews (the last day cut short), oldest first, each as the store's reviews row holds it."""
    rng = random.Random(seed)
    sched = Scheduler(enable_fuzzing=True, fuzz=random.Random(seed), tz=timezone.utc)
    truth = fsrs.Scheduler(parameters=params, enable_fuzzing=False)
    states: dict[str, object] = {}
    shadows: dict[str, fsrs.Card] = {}
    log: list[dict] = []
    day, made = 0, 0
    while len(log) < reviews:
        now = START + timedelta(days=day)
        queue = [(s.due, q) for q, s in states.items() if s.due <= now + timedelta(hours=12)]
        for _k in range(new_per_day):
            q = f"sim/q{made}"
            made += 1
            states[q], shadows[q] = new_card(q, now), fsrs.Card(card_id=card_id_for(q), due=now)
            queue.append((now, q))
        heapq.heapify(queue)
        while queue and len(log) < reviews:
            due, q = heapq.heappop(queue)
            now = max(now, due) + timedelta(seconds=30)
            rating = _answer(rng, truth, shadows[q], now, states[q].reps == 0)
            prev = states[q].phase
            result = sched.review(states[q], rating, now, 20000)
            shadows[q], _log = truth.review_card(shadows[q], rating, now)
            states[q] = result.state
            c = result.state.card
            log.append({"question": q, "card_id": c.card_id, "time": now, "rating": int(rating),
                        "state": int(c.state), "prev_state": int(prev), "due": c.due, "stability": c.stability,
                        "difficulty": c.difficulty, "duration_ms": 20000 if rating > 1 else 30000,
                        "card_json": result.state.to_json(), "leech": result.state.leech})  # fmt: skip
            if c.due < START + timedelta(days=day, hours=12):
                heapq.heappush(queue, (c.due, q))
        day += 1
    return log


def _answer(rng: random.Random, truth: fsrs.Scheduler, shadow: fsrs.Card, now: datetime, first: bool) -> fsrs.Rating:
    if first:
        return rng.choices(list(fsrs.Rating), weights=[0.3, 0.1, 0.55, 0.05])[0]
    if rng.random() >= truth.get_card_retrievability(shadow, now):
        return fsrs.Rating.Again
    return rng.choices([fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy], weights=[0.1, 0.85, 0.05])[0]


def write(store, log: list[dict]) -> None:
    """The log into a store as review answers would have left it, in one transaction (a real session writes
    one answer at a time: 100k of those would take minutes)."""
    last: dict[str, dict] = {}

    def insert(db):
        base = db.execute("SELECT COALESCE(MAX(id), 0) FROM attempts").fetchone()[0]
        db.executemany(
            "INSERT INTO attempts (id, question, time, answer, correct, seconds, device, session, mode) "
            "VALUES (?, ?, ?, ?, ?, ?, 'cpu', 'sim', 'review')",
            [(base + i + 1, r["question"], utc_iso(r["time"]), str(r["rating"]), int(r["rating"] > 1),
              r["duration_ms"] / 1000) for i, r in enumerate(log)],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO reviews (attempt, question, card_id, time, rating, state, prev_state, due, stability, "
            "difficulty, duration_ms, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sim')",
            [(base + i + 1, r["question"], r["card_id"], utc_iso(r["time"]), r["rating"], r["state"],
              r["prev_state"], utc_iso(r["due"]), r["stability"], r["difficulty"], r["duration_ms"])
             for i, r in enumerate(log)],
        )  # fmt: skip
        for r in log:
            last[r["question"]] = r
        db.executemany(
            "INSERT OR REPLACE INTO cards (question, card_id, state, due, leech, updated) VALUES (?, ?, ?, ?, ?, ?)",
            [(q, r["card_id"], r["card_json"], utc_iso(r["due"]), int(r["leech"]), utc_iso(r["time"]))
             for q, r in last.items()],
        )  # fmt: skip

    store._write(insert)
