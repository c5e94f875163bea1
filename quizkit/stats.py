"""Numbers for `quizkit stats`, from the store's rows. Pure: the caller passes the time and the rows."""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, timedelta

HEATMAP_WEEKS = 20
FORECAST_DAYS = 14


class Days:
    """Maps UTC ISO times to local study days (with the rollover) by bisecting the days' start times:
    ISO strings in one format sort as times do, so 100,000 rows cost a few string compares each."""

    def __init__(self, scheduler, first: date, last: date):
        self.first = first
        n = (last - first).days + 2
        self.starts = [scheduler.day_start(first + timedelta(days=i)).isoformat(timespec="seconds")
                       for i in range(n)]

    def day(self, iso: str) -> date | None:
        i = bisect_right(self.starts, iso) - 1
        return self.first + timedelta(days=i) if 0 <= i < len(self.starts) - 1 else None


def compute(attempts, reviews, dues, topic_of, scheduler, now: datetime) -> dict:
    """attempts: (time, question, correct); reviews: (time, question, rating, prev_state, ms);
    dues: (question, due, leech); topic_of: question id -> topic."""
    today = scheduler.study_day(now)
    first = min((scheduler.study_day(datetime.fromisoformat(rows[0][0])) for rows in (attempts, reviews) if rows),
                default=today)
    days = Days(scheduler, min(first, today - timedelta(weeks=HEATMAP_WEEKS)), today + timedelta(days=FORECAST_DAYS))

    per_day: Counter = Counter()
    by_question: dict = {}
    for t, q, ok in attempts:
        per_day[days.day(t)] += 1
        row = by_question.setdefault(q, [0, 0])
        row[0] += 1
        row[1] += ok
    topics: dict = {}
    for q, (n, ok) in by_question.items():
        row = topics.setdefault(topic_of(q), [0, 0])
        row[0] += n
        row[1] += ok

    # True retention: answers to cards already in review (not new, not in learning steps), by month.
    months: dict = {}
    today_reviews = today_new = 0
    today_start = scheduler.day_start(today).isoformat(timespec="seconds")
    for t, q, rating, prev, _ms in reviews:
        if t >= today_start:
            today_new += prev == 0
            today_reviews += prev != 0
        if prev == 2:
            row = months.setdefault(t[:7], [0, 0])
            row[0] += 1
            row[1] += rating > 1

    today_attempts = [a for a in attempts if a[0] >= today_start]
    forecast = [0] * FORECAST_DAYS
    leeches = 0
    for q, due, leech in dues:
        if leech:
            leeches += 1
            continue
        if due < today_start:
            forecast[0] += 1  # overdue counts on today
            continue
        d = days.day(due)
        if d is not None and (d - today).days < FORECAST_DAYS:
            forecast[(d - today).days] += 1

    studied = {d for d, n in per_day.items() if d and n}
    streak, d = 0, today if today in studied else today - timedelta(days=1)
    while d in studied:
        streak += 1
        d -= timedelta(days=1)

    heat_start = today - timedelta(days=today.weekday()) - timedelta(weeks=HEATMAP_WEEKS - 1)
    return {
        "today": {"date": today.isoformat(), "attempts": len(today_attempts),
                  "right": sum(ok for _, _, ok in today_attempts), "reviews": today_reviews, "new": today_new},
        "streak": streak,
        "total": {"attempts": len(attempts), "reviews": len(reviews), "questions_seen": len(by_question),
                  "cards": len(dues), "leeches": leeches},
        "topics": {t: {"attempts": n, "right": ok, "accuracy": round(ok / n, 4)} for t, (n, ok) in sorted(topics.items())},
        "retention": {m: {"reviews": n, "right": ok, "retention": round(ok / n, 4)} for m, (n, ok) in sorted(months.items())},
        "forecast": [{"date": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(forecast)],
        "heatmap": {"start": heat_start.isoformat(),
                    "days": {d.isoformat(): n for d, n in sorted(per_day.items()) if d and d >= heat_start}},
    }
