"""Spaced-repetition speed at scale, side by side with the obvious alternatives.

Generates a store of 10,000 cards and 100,000 reviews (with their attempts) over a year, then prints:
  - `quizkit stats` over it (goal <= 0.5 s), in-process and as a whole command, beside the naive way
    (parse every row's datetime and convert it to a local study day)
  - choosing the due queue from 10,000 cards (goal <= 50 ms): quizkit's indexed query of due cards,
    beside loading every card's state and filtering in Python
Usage: python benchmarks/review.py [--cards N] [--reviews N]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizkit import scheduler as sch  # noqa: E402
from quizkit import stats as numbers  # noqa: E402
from quizkit.scheduler import CardState, Scheduler, new_card  # noqa: E402
from quizkit.store import Store, utc_iso  # noqa: E402

from timing import median_time  # noqa: E402

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def fill(path, cards, reviews):
    """Bulk rows straight into the store's tables (one transaction), shaped as review() writes them."""
    rng = random.Random(0)
    store = Store(path)
    db = store.db
    db.execute("BEGIN")
    states = []
    for i in range(cards):
        qid = f"bench/q{i}"
        st = new_card(qid, NOW)
        st.card.due = NOW + timedelta(hours=rng.uniform(-72, 24 * 30))
        st.reps = 5
        states.append(st)
        db.execute("INSERT INTO cards VALUES (?, ?, ?, ?, 0, ?)",
                   (qid, st.card.card_id, st.to_json(), utc_iso(st.card.due), utc_iso(NOW)))
    start = NOW - timedelta(days=365)
    for _ in range(reviews):
        t = utc_iso(start + timedelta(seconds=rng.uniform(0, 365 * 86400)))
        qid = f"bench/q{rng.randrange(cards)}"
        ok = rng.random() < 0.85
        cur = db.execute("INSERT INTO attempts (question, time, answer, correct, seconds, device, session, mode) "
                         "VALUES (?, ?, 'x', ?, 3.0, 'cpu', 'bench', 'review')", (qid, t, int(ok)))
        db.execute("INSERT INTO reviews (attempt, question, card_id, time, rating, state, prev_state, due, stability, "
                   "difficulty, duration_ms, session) VALUES (?, ?, 1, ?, ?, 2, 2, ?, 3.0, 5.0, 3000, 'bench')",
                   (cur.lastrowid, qid, t, 3 if ok else 1, t))
    db.execute("COMMIT")
    store.close()


def best(fn, repeat=5):
    return median_time(fn, repeat)


def naive_stats(store, sched):
    """The obvious way: a datetime per row, converted to the local study day."""
    days = {}
    for t, _q, _ok in store.attempt_times():
        d = sched.study_day(datetime.fromisoformat(t))
        days[d] = days.get(d, 0) + 1
    for t, *_ in store.reviews():
        sched.study_day(datetime.fromisoformat(t))
    return days


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=10_000)
    ap.add_argument("--reviews", type=int, default=100_000)
    args = ap.parse_args()
    sched = Scheduler()
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "quizkit.db"
        t0 = time.perf_counter()
        fill(path, args.cards, args.reviews)
        filled = time.perf_counter() - t0
        with Store(path) as store:
            stats_s = best(lambda: numbers.compute(store, lambda q: "bench", sched, NOW))
            naive_s = best(lambda: naive_stats(store, sched))
            ids = [f"bench/q{i}" for i in range(args.cards)]
            start = sched.day_start(sched.study_day(NOW))
            plan_s = best(lambda: sch.plan(store.due_cards(NOW), store.card_dues(), store.reviews(since=start),
                                           ids, NOW, 20, 10**6), 9)
            due = store.due_cards(NOW)

            def naive_queue():
                states = [CardState.from_json(j) for _, j in store.cards()]
                return sorted((s for s in states if not s.leech and s.due <= NOW), key=lambda s: s.due)
            naive_q = best(naive_queue, 9)
            assert len(naive_queue()) == len(due)
        env = dict(os.environ, QUIZKIT_HOME=home, QUIZKIT_NOW=NOW.isoformat())
        cmd_s = best(lambda: subprocess.run([sys.executable, "-m", "quizkit", "stats", "--json"], env=env,
                                            check=True, stdout=subprocess.DEVNULL), 3)
    print(f"store: {args.cards:,} cards, {args.reviews:,} reviews and attempts (filled in {filled:.1f} s)")
    print(f"{'measure':56} {'median':>10}")
    print(f"{'stats computed (quizkit, in-process)':56} {stats_s * 1000:7.0f} ms   (goal <= 500 ms)")
    print(f"{'  naive: a datetime and a study day per row':56} {naive_s * 1000:7.0f} ms")
    print(f"{'quizkit stats --json, whole command':56} {cmd_s * 1000:7.0f} ms")
    print(f"{'due queue from the cards (quizkit: indexed query)':56} {plan_s * 1000:7.1f} ms   (goal <= 50 ms; {len(due)} due)")
    print(f"{'  naive: load every card, filter in Python':56} {naive_q * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
