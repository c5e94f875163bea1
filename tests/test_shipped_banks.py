"""The shipped banks are the product: every claim in them is run here, as CI runs `quizkit verify`."""
from pathlib import Path

import pytest
import yaml

from quizkit import checks, session
from quizkit.bank import shipped_dir
from quizkit.runner import Runner

WRONG = Path(__file__).parent / "data" / "wrong_answers"


@pytest.fixture(scope="module")
def pool():
    with Runner(workers=2, memory_mb=2048) as r:
        yield r


@pytest.fixture(scope="module")
def shipped():
    banks, questions, errors = session.load()
    assert not errors, [str(e) for e in errors]
    return questions


def test_every_shipped_question_verifies(pool, shipped):
    results = session.verify(shipped, pool, "cpu", jobs=2)
    failed = [f"{r.id}: {r.reason}" for r in results if r.status == "fail"]
    assert not failed, "\n".join(failed)
    skipped = [r for r in results if r.status == "skip"]
    assert all("cuda" in r.reason for r in skipped), [r.reason for r in skipped]  # numpy is a test dependency


def wrong_answers():
    for f in sorted(WRONG.glob("*.yaml")):
        for qid, code in (yaml.safe_load(f.read_text()) or {}).items():
            yield pytest.param(f"{f.stem}/{qid}", code, id=f"{f.stem}/{qid}")


@pytest.mark.parametrize("full_id, code", list(wrong_answers()))
def test_a_plausible_wrong_answer_fails(pool, shipped, full_id, code):
    """Each file holds one real mistake per code question: the question's tests must catch it."""
    q = session.find(shipped, full_id)
    result = None if checks.forbidden_uses(code, q.forbid) else pool.run(checks.code_pieces(q, code), "cpu", q.timeout)
    assert not checks.judge_code(q, code, result).correct


def test_every_code_question_has_a_wrong_answer(shipped):
    have = {p.values[0] for p in wrong_answers()}
    missing = [q.full_id for q in shipped if q.type == "code" and q.full_id not in have]
    assert not missing, missing


def test_shipped_banks_live_in_the_package_folder():
    assert shipped_dir().is_dir() and any(shipped_dir().glob("*.yaml"))


def test_every_question_teaches_and_cites(shipped):
    """Issue 5: an explanation that teaches the why and a source for every question."""
    missing = [q.full_id for q in shipped if not q.explanation or not q.source]
    assert not missing, missing


def test_seed_bank_is_bilingual(shipped):
    seed = [q for q in shipped if q.bank == "seed"]
    assert len(seed) >= 30
    for q in seed:
        for field in ("prompt", "hint", "explanation"):
            text = getattr(q, field)
            assert text and {"en", "zh"} <= set(text), (q.full_id, field)


def test_counts_meet_the_brief(shipped):
    tags = {t: sum(t in q.tags for q in shipped) for t in ("tensors", "autograd", "dynamic-graphs", "nn")}
    assert tags["tensors"] >= 50 and tags["autograd"] >= 50 and tags["dynamic-graphs"] >= 25 and tags["nn"] >= 25
    assert sum(q.type == "code" for q in shipped) >= 40 and sum(q.type == "output" for q in shipped) >= 40
    assert len(shipped) >= 200
