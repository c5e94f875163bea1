"""`quizkit verify` of the shipped banks, side by side: every question run (--fresh, as CI's clean clone does),
the same banks again unchanged (passes remembered), and after one question was edited (it alone runs).

Each figure is one `quizkit verify --json` process (wall clock, and the CPU of it and its workers, user and
system), with a cache folder of its own. The edited copy lives in a temporary folder: the remembered passes
are keyed by content, not by path, so the copy's unchanged questions are found too.
Usage: python benchmarks/verify.py [-j JOBS] [--edit BANK/ID]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = ("code", "output")  # the types whose verify runs code (mcq, short, flashcard are checked in a moment)


def verify(env, *args) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "quizkit", "verify", "--json", *args], env=env, capture_output=True, check=False
    ).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = json.loads(out)
    return {
        "wall": wall,
        "user": after.ru_utime - before.ru_utime,
        "sys": after.ru_stime - before.ru_stime,
        "passed": data["passed"],
        "failed": data["failed"],
        "cached": data["cached"],
        "ran": [r["id"] for r in data["results"] if not r["cached"] and r["status"] != "skip" and r["type"] in RUNS],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", "--jobs", type=int, default=None)
    ap.add_argument("--edit", default="layers/rmsnorm-module", help="the question whose tests get a comment")
    args = ap.parse_args()
    jobs = ["-j", str(args.jobs)] if args.jobs else []
    bank_name, qid = args.edit.split("/")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QUIZKIT_CACHE=f"{tmp}/cache", QUIZKIT_HOME=f"{tmp}/home", PYTHONPATH=str(ROOT))
        copy = Path(tmp) / "banks"
        copy.mkdir()
        for f in (ROOT / "questions").glob("*.yaml"):
            (copy / f.name).write_text(f.read_text())
        rows = [
            ("every question run (--fresh)", verify(env, "--fresh", *jobs)),
            ("again, nothing changed", verify(env, *jobs)),
        ]
        edited = copy / f"{bank_name}.yaml"
        text = edited.read_text()
        at = text.index(f"- id: {qid}\n")
        tests = text.index("    tests: |\n", at) + len("    tests: |\n")
        edited.write_text(text[:tests] + "      # edited\n" + text[tests:])
        rows.append(("one question edited (a copy of the banks)", verify(env, str(copy), *jobs)))
    print(f"quizkit verify of the shipped banks, {os.cpu_count()} CPUs{', -j ' + str(args.jobs) if args.jobs else ''}")
    print(f"{'':42}{'wall s':>8}{'user s':>8}{'sys s':>8}{'ran':>6}{'remembered':>12}{'passed':>8}{'failed':>8}")
    print(f"edited: {args.edit} (a comment added to its tests); run then: {', '.join(rows[-1][1]['ran'])}")
    for label, r in rows:
        print(
            f"{label:42}{r['wall']:8.2f}{r['user']:8.2f}{r['sys']:8.2f}{len(r['ran']):6d}{r['cached']:12d}"
            f"{r['passed']:8d}{r['failed']:8d}"
        )


if __name__ == "__main__":
    main()
