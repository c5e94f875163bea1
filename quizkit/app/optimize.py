"""`quizkit optimize`: FSRS-6 fitted to the learner's own review log, and the parameters in force.

The fit runs in a process of its own (`python -m quizkit.fitter`: torch), never in this one. Its figures are
on held-out reviews: one card in five (by card id) is kept out of the fit, whole, and both parameter sets are
scored on those cards' reviews; the parameters stored are the ones fitted on the other four in five, so the
figures shown are the figures of what is used. A split by card rather than by time: a card's later reviews
are not predicted from a fit that saw its earlier ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

from ..errors import QuizkitError
from ..i18n import _
from .context import App

# py-fsrs's Optimizer keeps the defaults below 512 reviews that count (its mini-batch) and refuses to
# compute an optimal retention from fewer than 512; Anki likewise asks for some hundreds before a fit says
# more than the defaults do. Reviews that count: a day or more after the card's previous one.
MIN_REVIEWS = 512
HOLD_OUT = 5  # one card in five is held out
SUGGEST_EVERY = timedelta(days=30)  # review suggests a fit at most once a month
FIT_TIMEOUT_S = 600


def parameters(store: Any) -> list[float] | None:
    """The fitted weights in force, or None for fsrs's defaults (never fitted, reset, or a stored set that fsrs
    would refuse: not 21 numbers within its bounds)."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS as LOW
    from fsrs.scheduler import UPPER_BOUNDS_PARAMETERS as HIGH

    row = store.fsrs_params()
    weights = row and row["parameters"]
    if not isinstance(weights, list) or len(weights) != len(LOW):
        return None
    if not all(isinstance(x, (int, float)) and lo <= x <= hi for x, lo, hi in zip(weights, LOW, HIGH)):
        return None
    return [float(x) for x in weights]


def in_force(store: Any) -> dict[str, Any]:
    """What stats shows: {"fitted": ISO time or None, "reviews", "parameters"} (fitted None: the defaults)."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    weights = parameters(store)
    row = store.fsrs_params()
    if weights is None or row is None:
        return {"fitted": None, "reviews": 0, "parameters": list(DEFAULT_PARAMETERS)}
    return {"fitted": row["time"], "reviews": row["reviews"], "parameters": weights}


def _cards(rows: list[tuple[Any, ...]]) -> dict[int, list[list[int]]]:
    """card id -> [[Unix seconds, rating], ...], oldest first (the store gives them in that order)."""
    cards: dict[int, list[list[int]]] = {}
    for card_id, when, rating, _ms, _prev in rows:
        cards.setdefault(card_id, []).append([int(datetime.fromisoformat(when).timestamp()), int(rating)])
    return cards


def countable(cards: dict[int, list[list[int]]] | list[list[list[int]]]) -> int:
    """Reviews a day or more after their card's previous one: the ones a fit learns from."""
    seqs = cards.values() if isinstance(cards, dict) else cards
    return sum(1 for c in seqs for (a, _r), (b, _s) in zip(c, c[1:]) if b - a >= 86400)


def _rates(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The learner's own shares of first ratings and of Hard/Good/Easy when recalled, and mean seconds of a first
    review, a pass and a lapse: what the simulator draws from."""
    first, recall = [0] * 4, [0] * 3
    secs: dict[str, list[float]] = {"first": [], "pass": [], "fail": []}
    for _card, _when, rating, ms, prev in rows:
        kind = "first" if prev == 0 else "pass" if rating > 1 else "fail"
        if prev == 0:
            first[rating - 1] += 1
        elif rating > 1:
            recall[rating - 2] += 1
        if ms:
            secs[kind].append(min(ms, 300_000) / 1000)  # a card left open for an hour is not an hour's work
    out: dict[str, Any] = {}
    if sum(first):
        out["first"] = [n / sum(first) for n in first]
    if sum(recall):
        out["recall"] = [n / sum(recall) for n in recall]
    if all(secs.values()):
        out["seconds"] = {k: sum(v) / len(v) for k, v in secs.items()}
    return out


def _fit(job: dict[str, Any]) -> dict[str, Any]:
    """The fitter's answer; its failure is one line."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "quizkit.fitter"], input=json.dumps(job), capture_output=True, text=True,
            timeout=FIT_TIMEOUT_S,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as e:
        raise QuizkitError(_("the FSRS fit could not run: {error}").format(error=e)) from None
    try:
        out: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise QuizkitError(_("the FSRS fit could not run: {error}").format(error=last)) from None
    if "error" in out:
        raise QuizkitError(_("the FSRS fit could not run: {error}").format(error=out["error"]))
    return out


def job(store: Any) -> dict[str, Any]:
    """What the fitter is given: the training and held-out cards, the parameters in force, the learner's rates.
    Too few reviews: QuizkitError saying how many there are and how many more are needed."""
    rows = store.review_log()
    cards = _cards(rows)
    have = countable(cards)
    if have < MIN_REVIEWS:
        raise QuizkitError(
            _(
                "not enough reviews yet to fit FSRS to you: {have} of the {need} it needs, {more} more (a review "
                "counts when it comes a day or more after the card's last one)"
            ).format(have=have, need=MIN_REVIEWS, more=MIN_REVIEWS - have)
        )
    train = [c for cid, c in cards.items() if cid % HOLD_OUT]
    test = [c for cid, c in cards.items() if not cid % HOLD_OUT]
    return {"train": train, "test": test, "before": parameters(store), "rates": _rates(rows), "cards": 1000}


def optimize(app: App, store: Any, work: dict[str, Any]) -> dict[str, Any]:
    """Fit `work` (from job()), score on the held-out cards, store the fit when it beats the parameters in force
    on them."""
    out = _fit(work)
    loss_before, loss_after = out["before"]["log_loss"], out["after"]["log_loss"]
    better = loss_before is None or loss_after is None or loss_after < loss_before
    report = {
        "reviews": countable(work["train"]), "held_out": out["after"]["reviews"], "cards": len(work["train"]),
        "held_out_cards": len(work["test"]), "before": out["before"], "after": out["after"],
        "tradeoff": out["tradeoff"], "suggested": out["suggested"], "was": "fitted" if work["before"] else "defaults",
        "stored": better, "parameters": out["parameters"],
    }  # fmt: skip
    if better:
        store.set_fsrs_params(app.clock(), report["reviews"], out["parameters"], report)
    return report


def reset(app: App, store: Any) -> bool:
    """Back to the defaults; False when they were in force already."""
    if parameters(store) is None:
        return False
    store.set_fsrs_params(app.clock(), 0, None, {"reset": True})
    return True


def suggest(app: App, store: Any) -> int | None:
    """For review: the reviews that count since the last fit when a fit is worth suggesting now (a month since
    the last fit and since the last suggestion, and enough new reviews), recorded as shown; else None."""
    now = app.clock()
    row = store.fsrs_params()
    shown = store.notice_shown("optimize")
    for when in (row and row["time"], shown):
        if when and now - datetime.fromisoformat(when) < SUGGEST_EVERY:
            return None
    since = store.countable_reviews(row["time"] if row else "")
    if since < MIN_REVIEWS:
        return None
    if not store.read_only:
        store.set_notice_shown("optimize", now)
    return int(since)
