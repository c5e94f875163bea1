"""What issue 22's data guards cost, side by side with going without them, in one run:

- the bank cache: reading every shipped bank's entry with its checksum checked, against marshal.loads of
  the same bytes unchecked (the format before);
- opening the progress database for a command that writes answers (quick_check first) against opening it
  without the check, at 10k and 100k attempts (above SYNC_CHECK_BYTES the check runs in a thread and the
  open itself costs nothing more);
- `export` to a file through the temporary file and rename, against writing the file in place.

Usage: python benchmarks/data_safety.py [--repeat N]
"""

import argparse
import marshal
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def cache_rows(repeat: int) -> list[tuple[str, float, float]]:
    from quizkit import bank, cache

    files = sorted((ROOT / "questions").glob("*.yaml"))
    entries = []
    for f in files:
        bank.load_bank(f)
        entries.append((f, os.stat(f), cache._entry(f, os.stat(f)).read_bytes()))

    def checked():
        for f, st, _data in entries:
            assert cache.get(f, st) is not None

    def unchecked():
        for f, _st, data in entries:
            payload = data[len(cache.MAGIC) :].partition(b"\n")[2]
            cache._bank(marshal.loads(payload), str(f))

    return [(f"cache: {len(files)} shipped banks", median_ms(checked, repeat), median_ms(unchecked, repeat))]


def _store(path: Path, n: int) -> None:
    from quizkit.store import Store

    with Store(path) as s:
        rows = [(f"b/q{i % 997}", "2026-11-01T09:00:00+00:00", f"answer {i}", i % 2, 1.5, "cpu", "s", "drill", 0)
                for i in range(n)]  # fmt: skip
        s.db.execute("BEGIN")
        s.db.executemany(
            "INSERT INTO attempts (question, time, answer, correct, seconds, device, session, mode, hints) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        s.db.execute("COMMIT")
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def store_rows(repeat: int, folder: Path) -> list[tuple[str, float, float]]:
    from quizkit.store import Store

    out = []
    for n in (10_000, 100_000):
        db = folder / f"s{n}.db"
        _store(db, n)
        size = db.stat().st_size / 2**20
        checked = median_ms(lambda db=db: Store(db, check=True).close(), repeat)
        plain = median_ms(lambda db=db: Store(db).close(), repeat)
        out.append((f"open to write, {n:,} attempts ({size:.1f} MiB)", checked, plain))

        def first_write(check: bool, db: Path = db) -> None:
            from datetime import datetime, timezone

            from quizkit.store import Attempt

            with Store(db, check=check) as s:
                s.record_attempt(Attempt("b/x", datetime.now(timezone.utc), "x", True, 1.0, "cpu", "s"))

        out.append((f"open + first answer, {n:,} attempts", median_ms(lambda: first_write(True), repeat),
                    median_ms(lambda: first_write(False), repeat)))  # fmt: skip
    return out


def export_rows(repeat: int, folder: Path) -> list[tuple[str, float, float]]:
    from quizkit import stats
    from quizkit.outfile import atomic, write_rows
    from quizkit.store import Store

    db = folder / "s100000.db"
    target = folder / "out.jsonl"

    def through_rename():
        with Store(db) as s, atomic(target) as f:
            write_rows(stats.export_chunks(s, "jsonl"), "jsonl", stats.EXPORT_FIELDS, f)

    def in_place():
        with Store(db) as s, open(target, "w", encoding="utf-8", newline="") as f:
            write_rows(stats.export_chunks(s, "jsonl"), "jsonl", stats.EXPORT_FIELDS, f)

    return [("export jsonl, 100,000 attempts", median_ms(through_rename, repeat), median_ms(in_place, repeat))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUIZKIT_CACHE"] = str(Path(tmp) / "cache")
        rows = cache_rows(args.repeat) + store_rows(args.repeat, Path(tmp)) + export_rows(args.repeat, Path(tmp))
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'guarded':>10}  {'unguarded':>10}  {'cost':>9}")
    for name, guarded, plain in rows:
        print(f"{name:{width}}  {guarded:8.2f} ms  {plain:8.2f} ms  {guarded - plain:+7.2f} ms")


if __name__ == "__main__":
    main()
