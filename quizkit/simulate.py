"""The retention/workload trade-off: a year of reviews simulated with FSRS-6 for each desired retention.

Imported by the fitter only (torch). py-fsrs's own simulator (Optimizer.compute_optimal_retention) needs
pandas and gives only the best retention; this gives each retention's workload, for every retention at once
(one tensor row per retention).

Model: `cards` new cards, introduced evenly over DAYS; a new card's first rating is drawn from the learner's
first ratings, and it takes its learning steps the same day (Again: two more, Hard or Good: one, Easy: none,
each a Good short-term review, as quizkit's steps of 1 and 10 minutes). A due card is recalled with the
probability the parameters predict (then Hard/Good/Easy as the learner's own shares), or forgotten (then one
relearning step). Each review costs the learner's mean time for its kind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

DAYS = 365
RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
DEFAULT_RATES = {
    "first": [0.25, 0.05, 0.65, 0.05],  # again, hard, good, easy
    "recall": [0.1, 0.85, 0.05],  # hard, good, easy of the reviews recalled
    "seconds": {"first": 30.0, "pass": 15.0, "fail": 25.0},
}


def _short_good(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    return (s * (torch.exp(w[17] * w[18]) * s ** -w[19]).clamp(min=1.0)).clamp(min=0.001)


def _difficulty(w: torch.Tensor, d: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    d_easy = w[4] - math.exp(w[5] * 3) + 1
    return (w[7] * d_easy + (1 - w[7]) * (d + (10 - d) * (-w[6] * (r - 3)) / 9)).clamp(1, 10)


def _interval(s: torch.Tensor, factor: float, decay: float, retention: torch.Tensor) -> torch.Tensor:
    return torch.clamp(torch.round(s / factor * (retention ** (1 / decay) - 1)), min=1, max=36500)


def _review(
    w: torch.Tensor, s: torch.Tensor, d: torch.Tensor, t: torch.Tensor, r: torch.Tensor, recall: torch.Tensor
) -> torch.Tensor:
    """fsrs's long-term stability after a review `t` whole days after the last one."""
    hard = torch.where(r == 2, w[15], 1.0)
    easy = torch.where(r == 4, w[16], 1.0)
    grow = s * (1 + math.exp(w[8]) * (11 - d) * s ** -w[9] * (torch.exp((1 - recall) * w[10]) - 1) * hard * easy)
    forget = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * torch.exp((1 - recall) * w[14])
    forget = torch.minimum(forget, s / math.exp(w[17] * w[18]))
    return torch.where(r == 1, forget, grow).clamp(min=0.001)


def tradeoff(
    params: Sequence[float], rates: dict[str, Any] | None = None, cards: int = 1000, seed: int = 0
) -> list[dict[str, float]]:
    """For each desired retention: reviews and minutes a day (mean over the year), cards remembered at its end
    (their predicted recall summed), and minutes per card remembered (what a suggested retention minimises)."""
    rates = {**DEFAULT_RATES, **(rates or {})}
    w = torch.tensor(list(params), dtype=torch.float64)
    decay = -float(w[20])
    factor = 0.9 ** (1 / decay) - 1
    gen = torch.Generator().manual_seed(seed)
    keep = torch.tensor(RETENTIONS, dtype=torch.float64)[:, None].expand(len(RETENTIONS), cards)
    shape = keep.shape
    intro = torch.arange(cards, dtype=torch.float64) * DAYS // cards
    s, d = torch.ones(shape, dtype=torch.float64), torch.ones(shape, dtype=torch.float64)
    due, last = torch.full(shape, math.inf, dtype=torch.float64), torch.zeros(shape, dtype=torch.float64)
    first = torch.tensor(rates["first"], dtype=torch.float64)
    recall_mix = torch.tensor(rates["recall"], dtype=torch.float64)
    sec = rates["seconds"]
    reviews = torch.zeros(len(RETENTIONS), dtype=torch.float64)
    seconds = torch.zeros(len(RETENTIONS), dtype=torch.float64)
    for day in range(DAYS):
        new = (intro == day).expand(shape)
        if bool(new.any()):
            r0 = (torch.multinomial(first, shape.numel(), replacement=True, generator=gen) + 1).view(shape).double()
            s0 = w[(r0 - 1).long()].clamp(min=0.001)
            d0 = (w[4] - torch.exp(w[5] * (r0 - 1)) + 1).clamp(1, 10)
            steps = torch.where(r0 == 1, 2.0, torch.where(r0 == 4, 0.0, 1.0))
            for k in (1, 2):
                more = steps >= k
                s0 = torch.where(more, _short_good(w, s0), s0)
                d0 = torch.where(more, _difficulty(w, d0, torch.full_like(d0, 3.0)), d0)
            s, d = torch.where(new, s0, s), torch.where(new, d0, d)
            due = torch.where(new, day + _interval(s, factor, decay, keep), due)
            last = torch.where(new, float(day), last)
            reviews += (new * (1 + steps)).sum(1)
            seconds += (new * (sec["first"] + steps * sec["pass"])).sum(1)
        now = due <= day
        if not bool(now.any()):
            continue
        t = day - last
        recall = (1 + factor * t / s) ** decay
        passed = torch.rand(shape, generator=gen, dtype=torch.float64) < recall
        mix = torch.multinomial(recall_mix, shape.numel(), replacement=True, generator=gen).view(shape) + 2
        r = torch.where(passed, mix.double(), 1.0)
        s1 = _review(w, s, d, t, r, recall)
        d1 = _difficulty(w, d, r)
        s1 = torch.where(passed, s1, _short_good(w, s1))  # a lapse takes its relearning step
        d1 = torch.where(passed, d1, _difficulty(w, d1, torch.full_like(d1, 3.0)))
        s, d = torch.where(now, s1, s), torch.where(now, d1, d)
        due = torch.where(now, day + _interval(s, factor, decay, keep), due)
        last = torch.where(now, float(day), last)
        reviews += (now * torch.where(passed, 1.0, 2.0)).sum(1)
        seconds += (now * torch.where(passed, sec["pass"], sec["fail"] + sec["pass"])).sum(1)
    remembered = ((1 + factor * (DAYS - last) / s) ** decay).sum(1)
    return [_row(i, float(reviews[i]), float(seconds[i]), float(remembered[i])) for i in range(len(RETENTIONS))]


def _row(i: int, reviews: float, seconds: float, remembered: float) -> dict[str, float]:
    return {
        "retention": RETENTIONS[i],
        "reviews_per_day": round(reviews / DAYS, 1),
        "minutes_per_day": round(seconds / 60 / DAYS, 1),
        "remembered": round(remembered),
        "minutes_per_remembered": round(seconds / 60 / remembered, 2),
    }
