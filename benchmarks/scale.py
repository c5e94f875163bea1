"""quizkit at size, side by side: banks parsed on every start (the cache off, as quizkit did before) vs
the per-file bank cache, and an export built in memory (as before) vs streamed from a cursor.

Prints, in one run, wall time (median) and peak memory of each command in a fresh process:
  - `quizkit list --json` and a flashcard drill to the first question, over generated banks of 1k and 10k
    questions (100k with --big), cache off vs warm cache;
  - `quizkit export --format csv` of 100k reviews (1M with --big), in memory vs streamed.
Usage: python benchmarks/scale.py [--big] [--repeat N]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)  # stdin: this process's\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\n"
)


def measure(cmd, env, stdin=b""):
    """(seconds, peak MiB) of one command in a fresh process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=env, input=stdin, capture_output=True, check=True)
    seconds, kib, code = out.stdout.split()
    if code != b"0":
        raise SystemExit(f"{cmd} failed: {out.stderr.decode()[-400:]}")
    return float(seconds), int(kib) / 1024


def median(cmd, env, repeat, stdin=b""):
    runs = [measure(cmd, env, stdin) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def banks(folder: Path, n: int, per_file: int = 2000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, per_file):
        lines = [f"bank: scale{start // per_file}", "tags: [scale]", "questions:"]
        for i in range(start, min(n, start + per_file)):
            kind = i % 4
            lines += [f"  - id: q{i}", f"    difficulty: {i % 5 + 1}"]
            if kind == 0:
                lines += ["    type: flashcard", f"    prompt: {{en: 'Card {i}?', zh: '卡片 {i}？'}}", "    answer: yes"]
            elif kind == 1:
                lines += ["    type: short", f"    prompt: What is {i} + 1?", f"    accept: ['{i + 1}']"]
            elif kind == 2:
                lines += ["    type: output", "    prompt: What does it print?", f"    code: print({i} * 2)",
                          f"    expected: '{i * 2}'"]
            else:
                lines += ["    type: mcq", "    prompt: Which?", "    choices: [a, b, c]", "    answer: 1"]
            lines += ["    explanation: Because.", "    source: generated"]
        (folder / f"scale{start // per_file}.yaml").write_text("\n".join(lines) + "\n")
    return folder


def fill_reviews(path: Path, n: int):
    from quizkit.store import Attempt, Review, Store

    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    rng = random.Random(0)
    with Store(path) as store:
        def write(db):
            for i in range(n):
                when = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
                a = Attempt(f"b/q{i % 5000}", when, "x", bool(i % 3), 2.0, "cpu", "s", "review")
                aid = store._insert_attempt(db, a)
                r = Review(a.question, 1 + i % 5000, 3, 2, 2, when + timedelta(days=3), 5.0, 5.0, 2000, "{}", False)
                store._write_review(db, aid, r, when.isoformat(timespec="seconds"), "s")
        store._write(write)


OLD_EXPORT = (
    "import csv, io, sys\n"
    "from quizkit.store import Store\n"
    "from quizkit.stats import EXPORT_FIELDS\n"
    "with Store(sys.argv[1]) as s:\n"
    "    rows = [{k: r[k] for k in EXPORT_FIELDS} for r in s.attempts()]\n"
    "buf = io.StringIO()\n"
    "w = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, lineterminator='\\n')\n"
    "w.writeheader(); w.writerows(rows)\n"
    "open(sys.argv[2], 'w').write(buf.getvalue())\n"
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true", help="also 100k questions and 1M reviews (minutes)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    quizkit = [sys.executable, "-m", "quizkit"]
    sizes = [1000, 10_000] + ([100_000] if args.big else [])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = dict(os.environ, PYTHONPATH=str(ROOT), QUIZKIT_HOME=str(tmp / "home"))
        for n in sizes:
            folder = banks(tmp / f"b{n}", n)
            off = dict(base, QUIZKIT_CACHE="off")
            warm = dict(base, QUIZKIT_CACHE=str(tmp / f"cache{n}"))
            measure(quizkit + ["list", "--json", "--bank", str(folder)], warm)  # fill the cache
            for label, cmd, stdin in (
                ("list --json", ["list", "--json", "--bank", str(folder)], b""),
                ("drill, first flashcard", ["drill", "--type", "flashcard", "-n", "1", "--bank", str(folder)], b"q\n"),
            ):
                t_off, m_off = median(quizkit + cmd, off, args.repeat, stdin)
                t_warm, m_warm = median(quizkit + cmd, warm, args.repeat, stdin)
                rows.append((f"{label}, {n:,} questions", t_off, m_off, t_warm, m_warm))
        for n in [100_000] + ([1_000_000] if args.big else []):
            db = tmp / f"r{n}.db"
            t0 = time.perf_counter()
            fill_reviews(db, n)
            filled = time.perf_counter() - t0
            env = dict(base, QUIZKIT_HOME=str(tmp / f"h{n}"))
            Path(env["QUIZKIT_HOME"]).mkdir()
            os.replace(db, Path(env["QUIZKIT_HOME"]) / "quizkit.db")
            old = median([sys.executable, "-c", OLD_EXPORT, str(Path(env["QUIZKIT_HOME"]) / "quizkit.db"),
                          str(tmp / "old.csv")], env, 1)
            new = median(quizkit + ["export", "--format", "csv", "-o", str(tmp / "new.csv")], env, 1)
            assert (tmp / "old.csv").read_bytes() == (tmp / "new.csv").read_bytes()
            rows.append((f"export csv, {n:,} reviews (filled in {filled:.0f} s)", old[0], old[1], new[0], new[1]))
    print(f"{'measure':52} {'before':>18} {'quizkit now':>18}")
    print(f"{'':52} {'(no cache / in memory)':>18} {'(cache / streamed)':>18}")
    for label, t0, m0, t1, m1 in rows:
        print(f"{label:52} {t0:7.2f} s {m0:5.0f} MiB {t1:7.2f} s {m1:5.0f} MiB")
    print(json.dumps({"python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
