"""Fits FSRS-6 parameters to a review log: `python -m quizkit.fitter`, JSON on stdin and stdout.

A process of its own, as the worker is: it imports torch, which the CLI process never does. The maths is
py-fsrs's (fsrs.Scheduler, 6.3): the same memory model, the same loss (binary cross-entropy of predicted
recall on reviews a day or more after the card's previous one, the first 64 reviews of each card), the same
Adam with a cosine schedule and py-fsrs's parameter bounds. py-fsrs's own Optimizer steps one review at a time
in Python (and needs pandas and tqdm, which quizkit does not ship): about 0.7 ms a review and epoch here, 6 minutes
for 100k reviews (benchmarks/optimize.py); this runs the same model on every card of a mini-batch at once, one tensor per step.

stdin: {"train": [[[time, rating], ...] per card, oldest first], "test": [...], "before": [21 floats], "rates": {...}},
time in whole seconds (Unix), rating 1-4. stdout: {"parameters", "before": metrics, "after": metrics,
"tradeoff": [...], "suggested"}, or {"error": text}.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Sequence
from typing import Any

import torch
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

MAX_SEQ = 64  # py-fsrs: the first 64 reviews of each card are used
EPOCHS = 5
LEARNING_RATE = 4e-2
BATCH_REVIEWS = 512  # loss terms per Adam step, as py-fsrs's mini-batch
STEPS_PER_EPOCH = (32, 64)  # a small log still gets enough steps to move; a large one no more than it needs
BINS = 20  # calibration RMSE: predicted recall in 20 equal bins
S_MIN = 0.001


Card = list[list[float]]  # [time, rating] per review, oldest first
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # (elapsed, rating, valid), see _tensors


def _tensors(cards: list[Card]) -> Batch:
    """(elapsed whole days, rating, valid) as [steps, cards]; elapsed is py-fsrs's timedelta.days (floored)."""
    length = max((min(len(c), MAX_SEQ) for c in cards), default=1)
    elapsed = torch.ones(length, len(cards), dtype=torch.float64)
    rating = torch.full((length, len(cards)), 3.0, dtype=torch.float64)
    valid = torch.zeros(length, len(cards), dtype=torch.bool)
    for j, card in enumerate(cards):
        card = card[:MAX_SEQ]
        days = [int(t) for t, _r in card]
        gaps = [float((b - a) // 86400) for a, b in zip(days, days[1:])]
        if gaps:
            elapsed[1 : len(card), j] = torch.tensor(gaps, dtype=torch.float64)
        rating[: len(card), j] = torch.tensor([float(r) for _d, r in card], dtype=torch.float64)
        valid[: len(card), j] = True
    return elapsed, rating, valid


def forward(
    w: torch.Tensor, elapsed: torch.Tensor, rating: torch.Tensor, valid: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Predicted recall at every step (0 where there is no prediction), and the mask of steps that count in the
    loss; then the memory state (stability, difficulty) after the last step. Exactly fsrs.Scheduler.review_card's
    stability and difficulty updates, for every card at once."""
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    r0 = rating[0]
    s = w[(r0 - 1).long()].clamp(min=S_MIN)
    d = (w[4] - torch.exp(w[5] * (r0 - 1)) + 1).clamp(1, 10)
    d_easy = w[4] - torch.exp(w[5] * 3) + 1
    preds = [torch.zeros_like(s)]
    for i in range(1, elapsed.shape[0]):
        t, r, ok = elapsed[i], rating[i], valid[i]
        recall = (1 + factor * t / s) ** decay
        preds.append(recall)
        short = torch.exp(w[17] * (r - 3 + w[18])) * s ** -w[19]
        short = s * torch.where(r > 1, short.clamp(min=1.0), short)
        hard = torch.where(r == 2, w[15], torch.ones_like(s))
        easy = torch.where(r == 4, w[16], torch.ones_like(s))
        grow = s * (1 + torch.exp(w[8]) * (11 - d) * s ** -w[9] * (torch.exp((1 - recall) * w[10]) - 1) * hard * easy)
        forget = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * torch.exp((1 - recall) * w[14])
        forget = torch.minimum(forget, s / torch.exp(w[17] * w[18]))
        new_s = torch.where(t < 1, short, torch.where(r == 1, forget, grow)).clamp(min=S_MIN)
        new_d = (w[7] * d_easy + (1 - w[7]) * (d + (10 - d) * (-w[6] * (r - 3)) / 9)).clamp(1, 10)
        s, d = torch.where(ok, new_s, s), torch.where(ok, new_d, d)
    counts = valid & (elapsed >= 1)
    counts[0] = False
    return torch.stack(preds), counts, s, d


def _batches(cards: list[Card], rng: random.Random) -> list[list[Card]]:
    """Cards in mini-batches of about BATCH_REVIEWS loss terms (within STEPS_PER_EPOCH batches an epoch), cards
    of similar length together so little of each batch is padding; the batches in a random order."""
    order = sorted(cards, key=len)
    total = sum(min(len(c), MAX_SEQ) - 1 for c in cards)
    lo, hi = STEPS_PER_EPOCH
    n = max(1, min(len(order), max(lo, min(hi, math.ceil(total / BATCH_REVIEWS)))))
    size = math.ceil(len(order) / n)
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def _loss(w: torch.Tensor, batch: Batch) -> tuple[torch.Tensor, int]:
    pred, counts, _s, _d = forward(w, *batch)
    y = (batch[1] > 1).to(torch.float64)
    p = pred[counts].clamp(1e-6, 1 - 1e-6)
    return torch.nn.functional.binary_cross_entropy(p, y[counts], reduction="sum"), int(counts.sum())


def fit(cards: list[Card], start: Sequence[float] = DEFAULT_PARAMETERS, seed: int = 0) -> list[float]:
    """py-fsrs's training, batched: Adam, cosine annealing, weights clamped to the bounds after each step, the
    epoch with the lowest loss over the whole log kept (the start, where no epoch beats it). The batches are
    the same each epoch (cards sorted by length), in a new order."""
    if not any(len(c) > 1 for c in cards):
        return list(start)  # nothing to learn from (the app refuses such a log before it comes here)
    rng = random.Random(seed)
    lower = torch.tensor(LOWER_BOUNDS_PARAMETERS, dtype=torch.float64)
    upper = torch.tensor(UPPER_BOUNDS_PARAMETERS, dtype=torch.float64)
    w = torch.tensor(list(start), dtype=torch.float64, requires_grad=True)
    plans = [[_tensors(b) for b in _batches(cards, rng)] for _epoch in range(EPOCHS)]
    adam = torch.optim.Adam([w], lr=LEARNING_RATE)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(adam, T_max=sum(len(p) for p in plans))
    whole = [_tensors(b) for b in _batches(cards, random.Random(seed))]
    best, best_loss = list(start), _mean_loss(torch.tensor(list(start), dtype=torch.float64), whole)
    for plan in plans:
        for batch in plan:
            loss, n = _loss(w, batch)
            if not n:
                continue
            adam.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]  # torch leaves Tensor.backward unannotated
            adam.step()
            with torch.no_grad():
                w.clamp_(min=lower, max=upper)
            cosine.step()
        done = w.detach().clone()
        epoch_loss = _mean_loss(done, whole)
        if epoch_loss < best_loss:
            best, best_loss = done.tolist(), epoch_loss
    return best


def _mean_loss(w: torch.Tensor, batches: list[Batch]) -> float:
    with torch.no_grad():
        parts = [_loss(w, b) for b in batches]
    n = sum(k for _l, k in parts)
    return sum(float(v) for v, _k in parts) / n if n else math.inf


def metrics(params: Sequence[float], cards: list[Card]) -> dict[str, float | int | None]:
    """Log loss and calibration RMSE (predicted recall in BINS equal bins, each bin's mean prediction against its
    share recalled, weighted by its reviews) on these cards' reviews that count."""
    if not cards:
        return {"log_loss": None, "rmse": None, "reviews": 0}
    w = torch.tensor(list(params), dtype=torch.float64)
    with torch.no_grad():
        batch = _tensors(cards)
        pred, counts, _s, _d = forward(w, *batch)
        p, y = pred[counts].clamp(1e-6, 1 - 1e-6), (batch[1] > 1)[counts].to(torch.float64)
    n = len(p)
    if not n:
        return {"log_loss": None, "rmse": None, "reviews": 0}
    loss = float(torch.nn.functional.binary_cross_entropy(p, y))
    which = (p * BINS).long().clamp(max=BINS - 1)
    sq = 0.0
    for b in range(BINS):
        inside = which == b
        k = int(inside.sum())
        if k:
            sq += k * float(p[inside].mean() - y[inside].mean()) ** 2
    return {"log_loss": round(loss, 4), "rmse": round(math.sqrt(sq / n), 4), "reviews": n}


def main() -> int:
    torch.set_num_threads(1)  # tiny tensors: threads cost more than they give
    try:
        job = json.load(sys.stdin)
        params = fit(job["train"], seed=int(job.get("seed", 0)))
        before = job.get("before") or list(DEFAULT_PARAMETERS)
        from .simulate import tradeoff

        rows = tradeoff(params, job.get("rates"), job.get("cards", 1000))
        out: dict[str, Any] = {
            "parameters": [round(x, 6) for x in params],
            "before": metrics(before, job["test"]),
            "after": metrics(params, job["test"]),
            "tradeoff": rows,
            "suggested": min(rows, key=lambda r: r["minutes_per_remembered"])["retention"] if rows else None,
        }
    except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as e:  # RuntimeError: torch's
        out = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
