"""Issue 13: stats counted in SQL over indexes, and a streamed export, give exactly what a plain Python pass
over every stored row gives (the reference below), on a generated store with awkward data."""
import csv
import io
import json
import random
import sqlite3
from bisect import bisect_right
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from quizkit import stats
from quizkit.scheduler import Scheduler
from quizkit.store import MIGRATIONS, Attempt, Review, Store

pytestmark = pytest.mark.torch_free

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=timezone.utc)
AWKWARD = ['say "hi"', "a\\b", "line\nbreak\ttab\r", "\x00\x01\x1f\x7f", "中文 é \u2028", "}, {\"question\": 1", ""]


def fill(store: Store, seed: int = 0, n: int = 3000):
    """n attempts over 400 days: a run of 200 studied days up to now (a streak longer than the heatmap),
    gaps before it; two in three are reviews of every phase and rating; cards due around now, some leeches."""
    rng = random.Random(seed)
    days = sorted({rng.randrange(200, 400) for _ in range(60)} | set(range(0, 200)))
    rows = []
    for i in range(n):
        when = NOW - timedelta(days=rng.choice(days), seconds=rng.uniform(0, 86400))
        when = min(when, NOW - timedelta(seconds=1))
        rows.append((when, i))
    rows.sort()

    def write(db):
        for when, i in rows:
            q = f"b{i % 4}/q{rng.randrange(60)}"
            a = Attempt(q, when, rng.choice(AWKWARD) + str(i), rng.random() < 0.7, rng.choice((0.1, 2.0, 1 / 3, 12.345)),
                        "cpu", f"s{i % 5}", "review" if i % 3 else "drill")
            aid = store._insert_attempt(db, a)
            if i % 3:
                r = Review(q, i, rng.randint(1, 4), rng.randint(1, 3), rng.choice((0, 1, 2, 2, 3)),
                           when + timedelta(days=rng.uniform(0, 30)), rng.choice((None, 1 / 7, 3.1729476859183, 1e-7)),
                           rng.uniform(1, 10), rng.choice((None, 1500)), "{}", False)
                store._write_review(db, aid, r, when.isoformat(timespec="seconds"), a.session)
        for k in range(80):  # cards due from 5 days ago to 20 days ahead, some exactly at a day's start
            due = NOW + timedelta(hours=rng.uniform(-120, 480))
            if k % 10 == 0:
                due = due.replace(hour=3, minute=0, second=0)  # 04:00 in Berlin in winter: a study day's start
            db.execute("INSERT OR REPLACE INTO cards VALUES (?, ?, '{}', ?, ?, ?)",
                       (f"b{k % 4}/q{k}", k, due.isoformat(timespec="seconds"), int(k % 13 == 0), NOW.isoformat()))

    store._write(write)


def reference(store: Store, topic_of, sch: Scheduler, now: datetime) -> dict:
    """Every number from every row, in Python: what quizkit computed before the counting moved into SQL."""
    today = sch.study_day(now)
    heat_start = today - timedelta(days=today.weekday()) - timedelta(weeks=stats.HEATMAP_WEEKS - 1)
    attempts = store.attempt_times()
    per_day = Counter(sch.study_day(datetime.fromisoformat(t)) for t, _, _ in attempts)
    streak, d = 0, today if per_day[today] else today - timedelta(days=1)
    while per_day[d]:
        streak, d = streak + 1, d - timedelta(days=1)
    topics: dict = {}
    for _, q, ok in attempts:
        row = topics.setdefault(topic_of(q), [0, 0])
        row[0] += 1
        row[1] += ok
    start = sch.day_start(today).isoformat(timespec="seconds")
    reviews = store.reviews()
    months: dict = {}
    for t, _, rating, prev, _ in reviews:
        if prev == 2:
            m = months.setdefault(t[:7], [0, 0])
            m[0] += 1
            m[1] += rating > 1
    starts = [sch.day_start(today + timedelta(days=i)).isoformat(timespec="seconds") for i in range(15)]
    forecast = [0] * 14
    for _, due, leech in store.card_dues():
        i = max(0, bisect_right(starts, due) - 1)
        if not leech and i < 14:
            forecast[i] += 1
    dues = store.card_dues()
    return {
        "today": {
            "date": today.isoformat(),
            "attempts": sum(t >= start for t, _, _ in attempts),
            "right": sum(ok for t, _, ok in attempts if t >= start),
            "reviews": sum(t >= start and p != 0 for t, _, _, p, _ in reviews),
            "new": sum(t >= start and p == 0 for t, _, _, p, _ in reviews),
        },
        "streak": streak,
        "total": {
            "attempts": len(attempts),
            "reviews": len(reviews),
            "questions_seen": len({q for _, q, _ in attempts}),
            "cards": len(dues),
            "leeches": sum(leech for _, _, leech in dues),
        },
        "topics": {t: {"attempts": n, "right": ok, "accuracy": round(ok / n, 4)} for t, (n, ok) in sorted(topics.items())},
        "retention": {m: {"reviews": n, "right": ok, "retention": round(ok / n, 4)} for m, (n, ok) in sorted(months.items())},
        "forecast": [{"date": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(forecast)],
        "heatmap": {
            "start": heat_start.isoformat(),
            "days": {d.isoformat(): n for d, n in sorted(per_day.items()) if n and heat_start <= d <= today},
        },
    }


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("tz", [timezone.utc, ZoneInfo("Europe/Berlin"), ZoneInfo("America/Los_Angeles")])
def test_stats_from_sql_equal_a_pass_over_every_row(tmp_path, seed, tz):
    with Store(tmp_path / "q.db") as s:
        fill(s, seed)
        sch = Scheduler(rollover_hour=4, tz=tz)
        topic_of = lambda q: "even" if int(q.split("/q")[1]) % 2 == 0 else q.split("/")[0]  # noqa: E731
        for now in (NOW, NOW + timedelta(days=2)):  # a streak from today, and none (two days off)
            assert stats.compute(s, topic_of, sch, now) == reference(s, topic_of, sch, now)
        assert stats.compute(s, topic_of, sch, NOW)["streak"] > 7 * stats.HEATMAP_WEEKS  # ran past the heatmap


def test_a_version_2_store_gets_the_stats_indexes_and_keeps_its_rows(tmp_path):
    path = tmp_path / "q.db"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL);"
                     + MIGRATIONS[0][2] + ";" + MIGRATIONS[1][2] + "; INSERT INTO migrations VALUES (1, 'a', 'x');"
                     "INSERT INTO migrations VALUES (2, 'b', 'x');")
    db.close()
    with Store(path) as s:
        fill(s, n=300)
    db = sqlite3.connect(path)
    db.execute("DELETE FROM migrations WHERE version = 5")  # as an older quizkit left it, rows and all
    for name in ("attempts_question_correct", "reviews_attempt", "reviews_month", "cards_leech_due"):
        db.execute(f"DROP INDEX {name}")
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.versions() == [v for v, _, _ in MIGRATIONS] and len(s.attempts()) == 300
        plans = {
            sql: " ".join(str(r) for r in s.db.execute("EXPLAIN QUERY PLAN " + sql))
            for sql in (
                "SELECT question, COUNT(*), SUM(correct) FROM attempts GROUP BY question",
                "SELECT substr(time, 1, 7), COUNT(*), SUM(rating > 1) FROM reviews WHERE prev_state = 2 GROUP BY 1",
                "SELECT a.id, r.card_id FROM attempts a LEFT JOIN reviews r ON r.attempt = a.id",
                "SELECT COUNT(*) FROM cards WHERE leech = 0 AND due >= '' AND due < 'x'",
            )
        }
    for sql, plan in plans.items():
        assert "COVERING INDEX attempts_question_correct" in plan or "INDEX reviews_month" in plan \
            or "INDEX reviews_attempt" in plan or "INDEX cards_leech_due" in plan, (sql, plan)
        assert "AUTOMATIC" not in plan and "TEMP B-TREE" not in plan, (sql, plan)


def old_export(store: Store, fmt: str) -> str:
    """The export as it was written row by row: json.dumps of a dict, or csv.DictWriter."""
    rows = [{k: r[k] for k in stats.EXPORT_FIELDS} for r in store.iter_attempts()]
    buf = io.StringIO()
    if fmt == "jsonl":
        buf.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    else:
        w = csv.DictWriter(buf, fieldnames=stats.EXPORT_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_the_export_from_sql_is_the_same_text_as_row_by_row(tmp_path, fmt, monkeypatch):
    from quizkit.outfile import write_rows

    monkeypatch.setattr(Store, "EXPORT_CHUNK", 7)
    with Store(tmp_path / "q.db") as s:
        fill(s, n=200)
        s.db.execute("UPDATE reviews SET stability = 1e400 WHERE id = 1")  # an infinity, as json writes it
        out = tmp_path / f"out.{fmt}"
        chunks = list(stats.export_chunks(s, fmt))
        with out.open("w", encoding="utf-8", newline="") as f:
            write_rows(iter(chunks), fmt, stats.EXPORT_FIELDS, f)
        assert len(chunks) == -(-200 // 7) and max(map(len, chunks)) == 7  # read in chunks, not all at once
        assert out.read_bytes().decode() == old_export(s, fmt)  # bytes: a \r inside a value stays one
        if fmt == "jsonl":
            assert '"stability": Infinity' in out.read_text()


def test_export_into_a_pipe_closed_early_ends_quietly(tmp_path):
    """`quizkit export | head` is normal use: the reader going away is not an error to print (it said
    'error: stdout: cannot write: Broken pipe')."""
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    with Store(home / "quizkit.db") as s:
        fill(s, n=3000)
    env = dict(os.environ, QUIZKIT_HOME=str(home))
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "export", "--format", "csv"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(100)
    p.stdout.close()  # as head does after its lines
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 1
    assert err == "", err
