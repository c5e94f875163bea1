"""`quizkit optimize` on 10k and 100k reviews (goal: <= 30 s for 100k on 2 cores), side by side.

Each log is made by the simulated learner of the tests (tests/learner.py: known parameters, scheduled by
quizkit's own Scheduler) and written into a fresh QUIZKIT_HOME; then the whole command is run as a learner
runs it (`quizkit optimize --json`): wall time, and CPU time of it and its fitter process (the machine is
shared: CPU time is the steadier figure). Beside it, py-fsrs's Optimizer's way (one review at a time, a
tensor op per formula), timed for one epoch on the first 2,000 reviews and scaled to the log and 5 epochs;
that Optimizer itself needs pandas, which quizkit does not install.
Usage: python benchmarks/optimize.py [--sizes 10000,100000]
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
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from quizkit.store import Store  # noqa: E402

import learner  # noqa: E402

NOW = "2027-06-01T09:00:00+00:00"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_optimize(home: Path) -> tuple[float, float, dict]:
    env = dict(os.environ, QUIZKIT_HOME=str(home), QUIZKIT_NOW=NOW)
    cpu, t = _children_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "quizkit", "optimize", "--json"], env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    return time.perf_counter() - t, _children_cpu() - cpu, json.loads(done.stdout)


def one_review_at_a_time(log: list[dict], reviews: int = 2000) -> float:
    """Seconds for one epoch of py-fsrs's Optimizer loop over `reviews` reviews (fsrs.Scheduler on tensor
    parameters, a loss per review, a backward pass per 512 losses)."""
    from datetime import timezone

    import fsrs
    import torch

    params = torch.tensor(fsrs.scheduler.DEFAULT_PARAMETERS, dtype=torch.float64, requires_grad=True)
    adam = torch.optim.Adam([params], lr=4e-2)
    cards: dict[int, list] = {}
    for r in log[:reviews]:
        cards.setdefault(r["card_id"], []).append((r["time"].astimezone(timezone.utc), r["rating"]))
    t = time.perf_counter()
    sched, losses = fsrs.Scheduler(parameters=params), []
    for cid, seq in cards.items():
        card = fsrs.Card(card_id=cid, due=seq[0][0])
        for when, rating in seq:
            p = sched.get_card_retrievability(card, when)
            if card.last_review and (when - card.last_review).days > 0:
                losses.append(torch.nn.functional.binary_cross_entropy(p, torch.tensor(float(rating > 1),
                                                                                         dtype=torch.float64)))
            card, _ = sched.review_card(card, fsrs.Rating(rating), when)
            if len(losses) == 512:
                adam.zero_grad()
                torch.stack(losses).sum().backward()
                adam.step()
                sched, losses = fsrs.Scheduler(parameters=params.detach().clamp(0.001, 100).requires_grad_()), []
                card.stability, card.difficulty = card.stability.detach(), card.difficulty.detach()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    sizes = [int(x) for x in ap.parse_args().sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            t = time.perf_counter()
            log = learner.simulate(n, new_per_day=10)
            made = time.perf_counter() - t
            home = Path(tmp) / f"home-{n}"
            with Store(home / "quizkit.db") as s:
                learner.write(s, log)
            wall, cpu, report = run_optimize(home)
            slow = one_review_at_a_time(log) * (n / 2000) * 5
            rows.append((n, made, wall, cpu, slow, report))
    print(f"{'reviews':>8} {'log made':>9} {'optimize wall':>14} {'CPU':>7} {'one at a time (est.)':>21} "
          f"{'log loss before/after':>22} {'RMSE before/after':>18} {'counted':>8} {'held out':>9} {'suggested':>9}")  # fmt: skip
    for n, made, wall, cpu, slow, r in rows:
        b, a = r["before"], r["after"]
        print(f"{n:>8} {made:>8.1f}s {wall:>13.1f}s {cpu:>6.1f}s {slow:>20.0f}s "
              f"{b['log_loss']:>10.4f} / {a['log_loss']:.4f} {b['rmse']:>8.4f} / {a['rmse']:.4f} "
              f"{r['reviews']:>8} {r['held_out']:>9} {r['suggested']:>9}")  # fmt: skip
    print("goal: <= 30 s for 100k reviews on 2 cores; load average now", os.getloadavg()[0])


if __name__ == "__main__":
    main()
