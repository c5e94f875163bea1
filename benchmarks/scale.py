"""quizkit at size: the issue 13 figures, measured now, beside the issue's "before" figures and, in the same
run on the same data, the code of a baseline commit (default: the one before this work).

Prints the median wall time and the peak memory (RSS, of the command's process) of each command in a fresh
process, over generated banks (1k and 10k questions; 100k with --big; warm cache) and generated stores
(100k attempts; 1M with --big): `list --json`, a flashcard drill to its first question, `export` (csv and
jsonl: the baseline's output must be the same bytes), `stats --json` (the same numbers).
Usage: python benchmarks/scale.py [--big] [--repeat N] [--baseline REV | --no-baseline]
"""

import argparse
import json
import os
import random
import sqlite3
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
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=env, input=stdin, capture_output=True, check=True,
                         cwd=env.get("PYTHONPATH", "").split(os.pathsep)[-1] or None)  # `python -m` puts the cwd first on sys.path
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


def fill_reviews(path: Path, n: int, questions: int = 5000):
    """n attempts over a year, two in three of them reviews (the rest drills), on `questions` cards: written
    with executemany in one transaction (a million in about half a minute)."""
    from quizkit.store import Store

    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    rng = random.Random(0)
    times = sorted(now - timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(n))
    seen: set = set()
    attempts, reviews = [], []
    for i, when in enumerate(times, 1):
        q = f"b{i % 7}/q{rng.randrange(questions)}"
        iso = when.isoformat(timespec="seconds")
        correct = rng.random() < 0.8
        review = i % 3 != 0
        attempts.append((i, q, iso, "x", int(correct), 2.0, "cpu", "s", "review" if review else "drill"))
        if review:
            prev = 0 if q not in seen else rng.choice((1, 2, 2, 2, 3))
            seen.add(q)
            due = (when + timedelta(days=rng.uniform(0, 30))).isoformat(timespec="seconds")
            rating = rng.choice((1, 2, 3, 3, 3, 4)) if correct else 1
            reviews.append((i, q, i % questions + 1, iso, rating, 2, prev, due, 5.0, 5.0, 2000, "s"))
    cards = [(q, k + 1, "{}", (now + timedelta(hours=rng.uniform(-48, 24 * 20))).isoformat(timespec="seconds"),
              int(rng.random() < 0.02), now.isoformat(timespec="seconds")) for k, q in enumerate(sorted(seen))]
    with Store(path) as store:
        def write(db):
            db.executemany("INSERT INTO attempts (id, question, time, answer, correct, seconds, device, session, mode) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", attempts)
            db.executemany("INSERT INTO reviews (attempt, question, card_id, time, rating, state, prev_state, due, "
                           "stability, difficulty, duration_ms, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           reviews)
            db.executemany("INSERT INTO cards (question, card_id, state, due, leech, updated) VALUES (?, ?, ?, ?, ?, ?)",
                           cards)
        store._write(write)


BASELINE = "17f0e80"  # the commit before issue 13's SQL stats, streamed export and verify timer

# The issue's "before" figures (the first cut, before the bank cache), and the goals: (seconds, MiB).
ISSUE = {
    ("list", 10_000): ("2.5 s, 140 MiB", (0.3, 200)),
    ("list", 100_000): ("27.8 s, 1.0 GB", (2.0, 200)),
    ("drill", 10_000): ("5.2 s", (0.3, None)),
    ("export csv", 1_000_000): ("11.4 s, 1.5 GB", (5.0, 100)),
    ("export jsonl", 1_000_000): ("11.4 s, 1.5 GB", (5.0, 100)),
    ("stats", 1_000_000): ("3.0 s", (1.0, None)),
}


def baseline_tree(rev: str, into: Path) -> Path:
    """The baseline's files (git archive: no worktree to clean up), to run with PYTHONPATH."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def knows_hints(tree: Path) -> bool:
    """Whether the tree's store has migration 3 (hints): a baseline from after issue 12 opens today's file."""
    sources = (tree / "quizkit" / "store.py", tree / "quizkit" / "store" / "migrations.py")
    return any(p.exists() and "hints used" in p.read_text() for p in sources)


def as_schema_2(db: Path):
    """A copy of a store as quizkit before migration 3 left it: the baseline refuses a newer schema."""
    con = sqlite3.connect(db)
    con.execute("DELETE FROM migrations WHERE version > 2")
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall():
        if name not in ("attempts_question", "attempts_time", "cards_due", "reviews_time"):
            con.execute(f"DROP INDEX {name}")
    con.commit()
    con.close()


def same_export(base: Path, now: Path, form: str) -> bool:
    """The same rows, but for the hints column that issue 12 added (progressive hints): an older baseline has none."""
    import csv

    with open(base, newline="", encoding="utf-8") as a, open(now, newline="", encoding="utf-8") as b:
        if form == "csv":
            rows_a, rows_b = csv.reader(a), csv.reader(b)
            head_a, head_b = next(rows_a), next(rows_b)
            keep_a = [i for i, name in enumerate(head_a) if name != "hints"]
            keep_b = [i for i, name in enumerate(head_b) if name != "hints"]
            if [head_a[i] for i in keep_a] != [head_b[i] for i in keep_b]:
                return False
            return all([ra[i] for i in keep_a] == [rb[i] for i in keep_b] for ra, rb in zip(rows_a, rows_b, strict=True))
        for la, lb in zip(a, b, strict=True):
            row_a, row_b = json.loads(la), json.loads(lb)
            row_a.pop("hints", None)
            row_b.pop("hints", None)
            if row_a != row_b:
                return False
        return True


def fmt(r):
    return "—" if r is None else f"{r[0]:6.2f} s {r[1]:5.0f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true", help="also 100k questions and 1M reviews (minutes)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", default=BASELINE, help="a git revision to run beside this tree")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    quizkit = [sys.executable, "-m", "quizkit"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trees = {"now": ROOT}
        if not args.no_baseline:
            trees["base"] = baseline_tree(args.baseline, tmp / "baseline")

        def env_for(tree, **extra):
            return dict(os.environ, PYTHONPATH=str(trees[tree]), QUIZKIT_NOW="2026-11-27T00:00:00+00:00", **extra)

        def both(cmd, stdin=b"", **extra):
            out = {}
            for tree in trees:
                env = env_for(tree, **{k: v[tree] if isinstance(v, dict) else v for k, v in extra.items()})
                out[tree] = median(quizkit + cmd, env, args.repeat, stdin)
            return out.get("base"), out["now"]

        for n in [1000, 10_000] + ([100_000] if args.big else []):
            folder = banks(tmp / f"b{n}", n)
            home = {t: str(tmp / f"home-{t}-{n}") for t in trees}
            cache = {t: str(tmp / f"cache-{t}-{n}") for t in trees}
            for tree in trees:  # fill each tree's cache: the figures are for a warm cache
                measure(quizkit + ["list", "--json", "--bank", str(folder)],
                        env_for(tree, QUIZKIT_HOME=home[tree], QUIZKIT_CACHE=cache[tree]))
            for key, cmd, stdin in (
                ("list", ["list", "--json", "--bank", str(folder)], b""),
                ("drill", ["drill", "--type", "flashcard", "-n", "1", "--bank", str(folder)], b"q\n"),
            ):
                base, now = both(cmd, stdin, QUIZKIT_HOME=home, QUIZKIT_CACHE=cache)
                rows.append((f"{key}, {n:,} questions, warm cache", ISSUE.get((key, n)), base, now))
        for n in [100_000] + ([1_000_000] if args.big else []):
            home = {t: tmp / f"h-{t}-{n}" for t in trees}
            t0 = time.perf_counter()
            home["now"].mkdir()
            fill_reviews(home["now"] / "quizkit.db", n)
            print(f"store of {n:,} attempts filled in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            if "base" in trees:
                home["base"].mkdir()
                subprocess.run(["cp", str(home["now"] / "quizkit.db"), str(home["base"] / "quizkit.db")], check=True)
                if not knows_hints(trees["base"]):
                    as_schema_2(home["base"] / "quizkit.db")
            homes = {t: str(h) for t, h in home.items()}
            for form in ("csv", "jsonl"):
                outs = {t: tmp / f"out-{t}.{form}" for t in trees}
                got = {
                    t: median(quizkit + ["export", "--format", form, "-o", str(outs[t])],
                              env_for(t, QUIZKIT_HOME=homes[t]), args.repeat)
                    for t in trees
                }
                if "base" in trees:
                    assert same_export(outs["base"], outs["now"], form), f"export {form} differs"
                base, now = got.get("base"), got["now"]
                rows.append((f"export {form}, {n:,} attempts", ISSUE.get((f"export {form}", n)), base, now))
            stats_out = {}
            for tree in trees:
                p = subprocess.run(quizkit + ["stats", "--json"], env=env_for(tree, QUIZKIT_HOME=homes[tree]),
                                   capture_output=True, check=True, cwd=trees[tree])
                stats_out[tree] = json.loads(p.stdout)
                stats_out[tree].pop("mocks", None)  # issue 12's mock interviews: the baseline has none
            if "base" in trees:
                assert stats_out["base"] == stats_out["now"], "stats differ"
            base, now = both(["stats", "--json"], QUIZKIT_HOME=homes)
            rows.append((f"stats, {n:,} attempts", ISSUE.get(("stats", n)), base, now))
    label = f"baseline {args.baseline}" if "base" in trees else "baseline"
    print(f"medians of {args.repeat} runs; memory: peak RSS of the command's process")
    print(f"{'figure':40} {'issue: before':>16} {label:>22} {'now':>22} {'goal':>16}")
    for name, issue, base, now in rows:
        goal = ""
        if issue:
            (t, mib) = issue[1]
            met = now[0] <= t and (mib is None or now[1] <= mib)
            goal = f"≤ {t:g} s" + (f", {mib} MiB" if mib else "") + (" met" if met else " NOT met")
        print(f"{name:40} {issue[0] if issue else '':>16} {fmt(base):>22} {fmt(now):>22} {goal:>16}")
    print(json.dumps({"python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version}))


if __name__ == "__main__":
    main()
