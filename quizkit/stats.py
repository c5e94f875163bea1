"""Numbers for `quizkit stats`. Pure: the store counts in SQL over its indexes (by day, by question, by month,
by due day), Python folds questions into topics; the caller gives the time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scheduler import Scheduler
    from .store import Store

HEATMAP_WEEKS = 20
FORECAST_DAYS = 14


def _iso(scheduler: Scheduler, day: date) -> str:
    return scheduler.day_start(day).isoformat(timespec="seconds")


def compute(store: Store, topic_of: Callable[[str], str], scheduler: Scheduler, now: datetime) -> dict[str, Any]:
    """topic_of: question id -> topic. Study days are local, with the scheduler's rollover hour."""
    today = scheduler.study_day(now)
    heat_start = today - timedelta(days=today.weekday()) - timedelta(weeks=HEATMAP_WEEKS - 1)
    days = [heat_start + timedelta(days=i) for i in range((today - heat_start).days + 2)]
    per_day = dict(zip(days, store.counts_between([_iso(scheduler, d) for d in days])))

    # The streak may run past the heatmap: count further back, a week at a time, until a day off.
    streak, d = 0, today if per_day.get(today) else today - timedelta(days=1)
    first = store.first_attempt_time()
    while first and d >= scheduler.study_day(datetime.fromisoformat(first)):
        if d not in per_day:  # before the heatmap only whether a day was studied counts: one index probe each
            week = [d - timedelta(days=i) for i in range(7, -2, -1)]  # 8 days and the next day's start
            per_day.update(zip(week, store.any_between([_iso(scheduler, x) for x in week])))
        if not per_day[d]:
            break
        streak += 1
        d -= timedelta(days=1)

    topics: dict[str, list[int]] = {}
    seen = total = 0
    for q, n, right in store.attempts_by_question():
        row = topics.setdefault(topic_of(q), [0, 0])
        row[0] += n
        row[1] += right
        seen += 1
        total += n

    today_start, tomorrow = _iso(scheduler, today), _iso(scheduler, today + timedelta(days=1))
    today_n, today_right = store.attempts_since(today_start, tomorrow)  # not answers dated later (clock moved back)
    new_today, reviews_today, reviews_total = store.review_counts_since(today_start, tomorrow)

    # Forecast: the non-leech cards due on each study day (overdue counts on today), counted over an index.
    starts = [_iso(scheduler, today + timedelta(days=i)) for i in range(FORECAST_DAYS + 1)]
    forecast, cards, leeches = store.due_forecast(starts)

    return {
        "today": {
            "date": today.isoformat(),
            "attempts": today_n,
            "right": today_right,
            "reviews": reviews_today,
            "new": new_today,
        },
        "streak": streak,
        "total": {
            "attempts": total,
            "reviews": reviews_total,
            "questions_seen": seen,
            "cards": cards,
            "leeches": leeches,
        },
        "topics": {
            t: {"attempts": n, "right": ok, "accuracy": round(ok / n, 4)} for t, (n, ok) in sorted(topics.items())
        },
        "retention": {
            m: {"reviews": n, "right": ok, "retention": round(ok / n, 4)} for m, n, ok in store.retention_by_month()
        },
        "forecast": [{"date": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(forecast)],
        "heatmap": {
            "start": heat_start.isoformat(),
            "days": {d.isoformat(): n for d, n in sorted(per_day.items()) if n and heat_start <= d <= today},
        },
    }


EXPORT_FIELDS = (
    "question",
    "time",
    "answer",
    "correct",
    "seconds",
    "device",
    "session",
    "mode",
    "hints",
    "card_id",
    "rating",
    "state",
    "due",
    "stability",
    "difficulty",
    "duration_ms",
)


def export_chunks(store: Store, fmt: str, damaged: list[int] | None = None) -> Iterator[list[Any]]:
    """Every attempt, oldest first, as a stream of chunks of rows (csv) or lines (jsonl); review fields are
    empty for drill attempts. Values that are not UTF-8 are counted in `damaged` (see Store.export)."""
    return store.export(EXPORT_FIELDS, fmt, damaged)
