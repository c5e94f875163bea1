"""`quizkit verify` and `quizkit check`: every claim of a bank run, and a learner's file against its tests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from . import types
from .catalog import missing_requirement
from .errors import QuizkitError
from .model import Question, Verdict, VerifyResult
from .types.contract import Runs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from .verifycache import Verified


class VerifyRunner(Runs, Protocol):
    """The runner as verify and check use it (quizkit/runner.py's Runner keeps it)."""

    def cuda_available(self) -> bool: ...
    def ready(self, eager: bool = ...) -> None: ...


def verify_question(q: Question, runner: Runs, device: str, cuda: bool, strict: bool = False) -> VerifyResult:
    start = time.perf_counter()
    missing = missing_requirement(q, cuda)
    if missing:
        status, reason, line = ("fail" if strict else "skip"), missing, q.line
    elif q.warnings:  # a rule that matches nothing: the author believes it holds (quizkit/rulecheck.py)
        status, reason, line = "fail", "; ".join(why for _line, why in q.warnings), q.warnings[0][0]
    else:
        failure = types.of(q).verify(q, types.Ctx(runner, device, cuda=cuda))
        status, (reason, line) = ("fail", failure) if failure else ("pass", ("", q.line))
    return VerifyResult(q.full_id, q.type, status, reason, round(time.perf_counter() - start, 4), q.path, line)


def verify(
    questions: Sequence[Question],
    runner: VerifyRunner,
    device: str,
    jobs: int = 1,
    progress: Callable[[VerifyResult], None] | None = None,
    strict: bool = False,
    known: Verified | None = None,
) -> list[VerifyResult]:
    """Every question checked; results in the banks' order. `progress(result)` is called as each ends."""
    return list(iter_verify(questions, runner, device, jobs, progress, strict, known))


def _runs(q: Question) -> bool:
    return bool(types.of(q).RUNS or getattr(q.body, "check", None))


def pending(questions: Iterable[Question], known: Verified) -> int:
    """How many questions would run: those that run code, less the passes `known` remembers."""
    return sum(_runs(q) and not known.known(known.key(q)) for q in questions)


def iter_verify(
    questions: Sequence[Question],
    runner: VerifyRunner,
    device: str,
    jobs: int = 1,
    progress: Callable[[VerifyResult], None] | None = None,
    strict: bool = False,
    known: Verified | None = None,
) -> Iterator[VerifyResult]:
    """The results of `verify`, each as soon as it and those before it are done (for streaming). `known`: a
    verifycache.Verified; a question that passed before, unchanged in every way its verdict depends on,
    is not run again (its result says `cached`), and a new pass is added to it."""
    runs = [q for q in questions if _runs(q)]
    keys: dict[str, str] = {}  # a question that can be remembered (key None: it imports a module the key cannot cover)
    for q in runs if known is not None else ():
        if (key := known.key(q)) is not None:  # type: ignore[union-attr]  # only looped over with `known`
            keys[q.full_id] = key
    remembered = {qid for qid, key in keys.items() if known.known(key)}  # type: ignore[union-attr]  # keys stays empty without `known`
    for qid in remembered:
        known.keep(keys[qid])  # type: ignore[union-attr]  # keys stays empty without `known`
    gpu = device == "cuda" or any("cuda" in q.requires for q in questions)
    cuda = runner.cuda_available() if runs and gpu else False  # on Linux without a GPU, known without torch
    missing = {q.full_id for q in runs if missing_requirement(q, cuda)}  # skipped (or failed, --strict) below
    if any(q.full_id not in remembered and q.full_id not in missing for q in runs):
        runner.ready(eager=True)  # so no question's time includes importing torch or the warm-up

    def one(q: Question) -> VerifyResult:
        if q.full_id in remembered and q.full_id not in missing:
            res = VerifyResult(q.full_id, q.type, "pass", "", 0.0, q.path, q.line, cached=True)
        else:
            try:
                res = verify_question(q, runner, device, cuda, strict)
            except QuizkitError as e:
                res = VerifyResult(q.full_id, q.type, "fail", str(e), 0.0, q.path, q.line)
            if res.status == "pass" and q.full_id in keys:
                known.add(keys[q.full_id])  # type: ignore[union-attr]  # keys stays empty without `known`
        if progress:
            progress(res)
        return res

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield from pool.map(one, questions)


def check_answer(q: Question, code: str, runner: VerifyRunner, device: str) -> Verdict:
    """`quizkit check`: the learner's file against the question's tests (and rules)."""
    missing = missing_requirement(q, runner.cuda_available() if "cuda" in q.requires else False)
    if missing:
        raise QuizkitError(f"{q.full_id} {missing}")
    return types.of(q).judge(q, code, types.Ctx(runner, device))
