"""Rebuild tests/data/schemas/: one SQL dump per released schema of the progress database, each made by that
release's own store.py (taken from git history), so tests/test_migrations.py can open every one with
today's store. Run from the repository root: python scripts/make_schema_fixtures.py

Each database gets the same learner's history written through the old Store's own methods: a drill
attempt, and two reviews of one card (its first, then a second once it is in learning), plus a workspace
hint and a mock where the release had them. The card's state JSON is made with today's scheduler (its
format has not changed since the first release).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "schemas"

# (fixture name, commit): every schema a user could have, in the order they shipped.
RELEASES = [
    ("1-first-store", "2413e41"),  # migrations 1, 2 with reviews.was_new (2 was edited after it shipped)
    ("2-prev-state", "752c5f2"),  # migration 2 as it is today
    ("3-hints-mocks", "dd14064"),  # 3 hints used, 4 workspace hints and mock interviews
    ("4-scale-branch", "6a766a0"),  # the scale branch before its merge: its indexes numbered 3
    ("5-indexes", "5a289eb"),  # the merge: the indexes renumbered 5
    ("6-fsrs-params", "8f79756"),  # 6 fsrs parameters (quizkit optimize) and notices (the optimize branch)
]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _old_package(commit: str, folder: Path) -> object:
    pkg = folder / f"qk_{commit}"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name in ("store", "errors", "i18n", "model"):  # i18n imports model since 5a289eb
        try:
            text = subprocess.run(
                ["git", "show", f"{commit}:quizkit/{name}.py"], cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout
        except subprocess.CalledProcessError:
            continue  # that release had no such module
        (pkg / f"{name}.py").write_text(text)
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"qk_{commit}.store")


def _card_json(question: str, reps: int, state: int, when: datetime, due: datetime) -> str:
    import fsrs

    from quizkit.scheduler import CardState, card_id_for

    card = fsrs.Card(card_id=card_id_for(question), state=fsrs.State(state), step=0 if state == 1 else None, stability=2.5 + reps,
                     difficulty=5.0, due=due, last_review=when)  # fmt: skip
    return CardState(question_id=question, card=card, reps=reps).to_json()


def _make(old, path: Path) -> None:
    store = old.Store(path)
    fields = {f.name for f in dataclasses.fields(old.Attempt)}

    def attempt(q: str, when: datetime, answer: str, correct: bool, mode: str):
        values = dict(question=q, time=when, answer=answer, correct=correct, seconds=4.25, device="cpu",
                      session="s-old", mode=mode, hints=1)  # fmt: skip
        return old.Attempt(**{k: v for k, v in values.items() if k in fields})

    store.record_attempt(attempt("mini/dtype-short", T0, "int64", True, "drill"))
    review_fields = {f.name for f in dataclasses.fields(old.Review)}
    card = "mini/card"
    for i, (rating, state, before) in enumerate([(3, 1, 0), (3, 2, 1)]):
        when = T0 + timedelta(days=i, minutes=5)
        due = when + timedelta(minutes=10 if i == 0 else 60 * 24 * 3)
        values = dict(question=card, card_id=7, rating=rating, state=state, prev_state=before,
                      was_new=before == 0, due=due, stability=2.5 + i, difficulty=5.0, duration_ms=3000,
                      card_json=_card_json(card, i + 1, state, when, due), leech=False)  # fmt: skip
        review = old.Review(**{k: v for k, v in values.items() if k in review_fields})
        store.record_review(attempt(card, when, str(rating), True, "review"), review)
    if hasattr(store, "set_workspace_hints"):
        store.set_workspace_hints("mini/grad-output", 2)
    if hasattr(store, "record_mock"):
        row = {"asked": 1, "right": 1, "points": 1.0, "possible": 1.0}
        report = {"minutes": 30, "seconds": 600.0, "ended": "done", "asked": 1, "right": 1, "wrong": 0,
                  "skipped": 0, "points": 1.0, "possible": 1.0, "score": 1.0, "topics": {"tensors": row},
                  "levels": {"1": row}, "questions": [], "review_next": []}  # fmt: skip
        store.record_mock("s-mock", T0 + timedelta(days=2), 30, report)
    if hasattr(store, "set_fsrs_params"):
        import fsrs

        fitted = [*fsrs.scheduler.DEFAULT_PARAMETERS[:8], 2.0, *fsrs.scheduler.DEFAULT_PARAMETERS[9:]]
        store.set_fsrs_params(T0 + timedelta(days=3), 600, fitted, {"stored": True})
        store.set_notice_shown("optimize", T0 + timedelta(days=3))
    store.close()


def main() -> None:
    """Every fixture, or those named on the command line (python scripts/make_schema_fixtures.py 6-fsrs-params):
    making one again changes its migrations' applied times, so a new release's alone is made."""
    OUT.mkdir(parents=True, exist_ok=True)
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        for name, commit in RELEASES:
            if sys.argv[1:] and name not in sys.argv[1:]:
                continue
            db = Path(tmp) / f"{name}.db"
            _make(_old_package(commit, Path(tmp)), db)
            con = sqlite3.connect(db)
            dump = "\n".join(con.iterdump()) + "\n"
            con.close()
            (OUT / f"{name}.sql").write_text(f"-- made by quizkit {commit}'s store.py: scripts/make_schema_fixtures.py\n{dump}")
            print(f"{name}: {commit}: {json.dumps(len(dump))} characters")


if __name__ == "__main__":
    main()
