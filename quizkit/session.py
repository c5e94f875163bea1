"""What the commands do, without printing or reading input: choosing questions, judging, recording."""
from __future__ import annotations

import importlib.util
import time
from concurrent.futures import ThreadPoolExecutor

from . import checks
from .bank import load_banks
from .errors import QuizkitError
from .model import Question, VerifyResult

RUNS_CODE = ("output", "code")


def load(paths=None):
    """(questions, bank errors) from the given files or folders (default: the shipped banks)."""
    banks, errors = load_banks(paths)
    return banks, [q for b in banks for q in b.questions], errors


def find(questions, wanted: str) -> Question:
    """By full id (bank/id), or by bare id where it is unique."""
    exact = [q for q in questions if q.full_id == wanted]
    if exact:
        return exact[0]
    bare = [q for q in questions if q.id == wanted]
    if len(bare) == 1:
        return bare[0]
    if bare:
        raise QuizkitError(f"'{wanted}' is in several banks: {', '.join(q.full_id for q in bare)}")
    raise QuizkitError(f"no question '{wanted}' (quizkit list shows the ids)")


def code_question(questions, wanted: str) -> Question:
    q = find(questions, wanted)
    if q.type != "code":
        raise QuizkitError(f"{q.full_id} is a {q.type} question; check takes code questions")
    return q


def missing_requirement(q: Question, cuda: bool | None) -> str | None:
    """Why `q` cannot run here, or None. `cuda` None: not known yet (treated as absent)."""
    for need in q.requires:
        if need == "cuda":
            if not cuda:
                return "needs cuda: torch sees no GPU here"
        elif importlib.util.find_spec(need) is None:
            return f"needs {need}: not installed"
    return None


def run_device(q: Question, device: str) -> str:
    """Output is device-dependent (reprs say cuda:0), so it runs on the CPU unless it requires cuda."""
    if q.type == "output":
        return "cuda" if "cuda" in q.requires else "cpu"
    return device


def verify_question(q: Question, runner, device: str, cuda: bool) -> VerifyResult:
    start = time.perf_counter()

    def done(status, reason=""):
        return VerifyResult(q.full_id, q.type, status, reason, round(time.perf_counter() - start, 4))

    missing = missing_requirement(q, cuda)
    if missing:
        return done("skip", missing)
    dev = run_device(q, device)
    if q.type == "output":
        r = runner.run([("code", q.code)], dev, q.timeout)
        if not r.ok:
            return done("fail", "code: " + checks.describe_failure(r))
        if not checks.output_matches(q, r.stdout):
            return done("fail", f"prints {checks.fold(r.stdout)!r}, expected {checks.fold(q.expected)!r}")
    elif q.type == "mcq" and q.check:
        r = runner.run([("check", q.check)], dev, q.timeout)
        if not r.ok:
            return done("fail", "check: " + checks.describe_failure(r))
    elif q.type == "code":
        hits = checks.forbidden_uses(q.solution, q.forbid)
        if hits:
            return done("fail", f"solution uses forbidden {', '.join(hits)}")
        r = runner.run([("solution", q.solution), ("tests", q.tests)], dev, q.timeout)
        if not r.ok:
            return done("fail", "solution: " + checks.describe_failure(r))
        r = runner.run([("starter", q.starter), ("tests", q.tests)], dev, q.timeout)
        if r.ok:
            return done("fail", "the starter passes the tests: they test nothing")
    return done("pass")


def verify(questions, runner, device: str, jobs: int = 1, progress=None) -> list[VerifyResult]:
    """Every question checked; results in the banks' order. `progress(result)` is called as each ends."""
    needs_runs = any(q.type in RUNS_CODE or q.check for q in questions)
    cuda = runner.cuda_available() if needs_runs and (device == "cuda" or any(
        "cuda" in q.requires for q in questions)) else False

    if needs_runs:
        runner.ready()  # so no question's time includes importing torch

    def one(q):
        try:
            res = verify_question(q, runner, device, cuda)
        except QuizkitError as e:
            res = VerifyResult(q.full_id, q.type, "fail", str(e))
        if progress:
            progress(res)
        return res

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, questions))


def check_answer(q: Question, code: str, runner, device: str):
    """`quizkit check`: the learner's file against the question's tests (and forbid)."""
    missing = missing_requirement(q, runner.cuda_available() if "cuda" in q.requires else False)
    if missing:
        raise QuizkitError(f"{q.full_id} {missing}")
    if checks.forbidden_uses(code, q.forbid):
        return checks.judge_code(q, code, None)
    result = runner.run(checks.code_pieces(q, code), device, q.timeout)
    return checks.judge_code(q, code, result)
