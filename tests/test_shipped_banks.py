"""The shipped banks are the product: every claim in them is run here, as CI runs `quizkit verify`."""
import re
from collections import Counter
from pathlib import Path

import pytest

from quizkit import catalog
from quizkit.bank import shipped_dir
from quizkit.model import pick
from quizkit.runner import Runner
from quizkit.verify import verify

# Issue 9: the shape of the shipped content, by topic tag: (questions, code questions) at least.
TOPICS = {
    "tensors": (70, 18), "autograd": (75, 20), "func": (10, 5), "module": (30, 9), "layers": (45, 32),
    "attention": (28, 18), "optim": (35, 14), "data": (22, 7), "precision": (28, 7), "performance": (30, 4),
    "distributed": (18, 3), "debug": (18, 18), "seed": (45, 5),
}
# Issue 21: the LLM-era topics, one bank each (questions, code questions) at least.
NEW_TOPICS = {
    "scale-out": (16, 7), "finetune": (10, 5), "moe": (10, 5), "quantization": (14, 7), "memory": (12, 4),
    "decoding": (16, 8), "kernels": (14, 8), "post-training": (16, 8),
}

CJK = r"\u4e00-\u9fff"
FULL_WIDTH_PUNCT = "，。：；！？、"


@pytest.fixture(scope="module")
def pool():
    with Runner(workers=2, memory_mb=2048) as r:
        yield r


@pytest.fixture(scope="module")
def shipped():
    banks, questions, errors = catalog.load()
    assert not errors, [str(e) for e in errors]
    return questions


SHIPPED_BANKS = sorted(p.stem for p in shipped_dir().glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("bank", SHIPPED_BANKS)
def test_every_shipped_question_verifies_and_every_wrong_answer_is_rejected(pool, shipped, bank):
    """verify runs each solution (under its seeds), each starter, every `wrong` answer (a wrong answer that
    passes its question's tests fails the question) and every `right` one. A test per bank: pytest-xdist
    spreads them over the machine's cores."""
    mine = [q for q in shipped if Path(q.path).stem == bank]
    assert mine, bank
    results = verify(mine, pool, "cpu", jobs=2)
    failed = [f"{r.id} ({r.path}:{r.line}): {r.reason}" for r in results if r.status == "fail"]
    assert not failed, "\n".join(failed)
    skipped = [r for r in results if r.status == "skip"]
    assert all("cuda" in r.reason for r in skipped), [r.reason for r in skipped]  # numpy is a test dependency


def test_every_code_question_has_three_wrong_answers(shipped):
    code = [q for q in shipped if q.type == "code"]
    few = [f"{q.full_id}: {len(q.body.wrong)}" for q in code if len(q.body.wrong) < 3]
    assert not few, few
    assert sum(len(q.body.wrong) for q in code) >= 3 * len(code)


def test_wrong_answers_are_different_from_each_other_and_from_the_solution(shipped):
    for q in (q for q in shipped if q.type == "code"):
        bodies = [w.code.strip() for w in q.body.wrong] + [q.body.solution.strip(), q.body.starter.strip()]
        assert len(set(bodies)) == len(bodies), q.full_id


def test_shipped_banks_live_in_the_package_folder():
    assert shipped_dir().is_dir() and any(shipped_dir().glob("*.yaml"))


def test_every_question_teaches_and_cites(shipped):
    """An explanation that teaches the why and a source for every question."""
    missing = [q.full_id for q in shipped if not q.explanation or not q.source]
    assert not missing, missing


def _texts(q):
    yield "prompt", q.prompt
    for i, h in enumerate(q.hint):  # progressive hints: each one
        yield f"hint {i}", h
    yield "explanation", q.explanation
    for i, c in enumerate(getattr(q.body, "choices", ())):
        yield f"choice {i}", c
    if q.type in ("flashcard", "short") and q.body.answer:
        yield "answer", q.body.answer


def _neutral(text: str) -> bool:
    """Reads the same in any language: a number, a line of code (`optimizer.step(); loss.backward()`), or
    code spans and API names with no run of English words outside backticks."""
    try:
        compile(text, "<text>", "exec")
        return True
    except SyntaxError:
        pass
    prose = re.sub(r"`[^`]*`", " ", text)
    return not re.search(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b", prose)


def test_every_question_is_in_english_and_chinese(shipped):
    """Issue 9: --lang zh shows no English bank text: every learner-facing text has both (a number or a
    line of code needs no translation)."""
    missing = [f"{q.full_id} {name}" for q in shipped for name, t in _texts(q)
               if not {"en", "zh"} <= set(t or {}) and not _neutral(t["en"])]
    assert not missing, missing[:40]
    no_cjk = [f"{q.full_id} {name}" for q in shipped for name, t in _texts(q)
              if "zh" in t and not re.search(f"[{CJK}]", t["zh"]) and not _neutral(t["zh"])]
    assert not no_cjk, no_cjk[:40]


def test_chinese_text_has_no_stray_spaces_from_yaml_folding(shipped):
    """`>-` folding joins lines with a space: '定义， PyTorch' and '定 义' are wrong in Chinese."""
    bad = []
    for q in shipped:
        for name, t in _texts(q):
            zh = t.get("zh", "")
            if re.search(f"[{FULL_WIDTH_PUNCT}] ", zh) or re.search(f"[{CJK}] [{CJK}]", zh):
                bad.append(f"{q.full_id} {name}: {zh[:60]}")
    assert not bad, bad[:40]


def test_counts_meet_the_brief(shipped):
    """Issue 9's table and issue 21's new topics, as `quizkit list --json` counts them: questions and code
    questions per topic, and the shape of the rest."""
    import json

    from typer.testing import CliRunner

    from quizkit.cli import app
    listed = json.loads(CliRunner().invoke(app, ["list", "--json"]).stdout)["questions"]
    assert len(listed) == len(shipped)
    topic = Counter(q["topic"] for q in listed)
    code = Counter(q["topic"] for q in listed if q["type"] == "code")
    wanted = {**TOPICS, **NEW_TOPICS}
    short = {t: (topic[t], code[t], want) for t, want in wanted.items() if topic[t] < want[0] or code[t] < want[1]}
    assert not short, short
    # Issue 21: 150 new questions (70 code) on the LLM-era topics, on top of issue 9's 460 and 160.
    new = sum(topic[t] for t in NEW_TOPICS)
    new_code = sum(code[t] for t in NEW_TOPICS)
    assert new >= 150 and new_code >= 70, (new, new_code)
    assert len(shipped) >= 460 + 150 and sum(code.values()) >= 160 + 70
    outputs = [q for q in shipped if q.type == "output"]
    long = [q.full_id for q in outputs if len(q.body.expected.strip()) > 60]
    assert not long, long
    modules = [q for q in shipped if q.type == "code" and re.search(r"class \w+\(nn\.Module\)", q.body.solution)]
    assert len(modules) >= 20


def test_every_question_has_exactly_one_topic(shipped):
    names = set(TOPICS) | set(NEW_TOPICS)
    for q in shipped:
        assert catalog.topic_of(q) in names, (q.full_id, q.tags)


def test_difficulty_spread_is_roughly_the_brief(shipped):
    counts = Counter(q.difficulty for q in shipped)
    share = {d: counts[d] / len(shipped) for d in range(1, 6)}
    assert 0.03 <= share[1] <= 0.25 and share[2] >= 0.15 and share[3] >= 0.2 and share[4] >= 0.1, share
    assert share[5] >= 0.02, share


def test_version_specific_questions_say_their_versions(shipped):
    for q in shipped:
        if "version-specific" in q.tags:
            text = pick(q.prompt) + " " + pick(q.explanation) + " " + " ".join(q.requires)
            assert re.search(r"\d+\.\d+", text), q.full_id


@pytest.mark.torch_free
def test_the_shipped_learning_paths_are_whole_and_bilingual():
    """Issue 12: the blitz order, autograd from leaves to custom Functions, and the LLM path."""
    banks, questions, errors = catalog.load(None)
    assert not errors and not catalog.link_errors(banks)
    paths = catalog.paths(banks)
    assert {"blitz", "autograd", "llm"} <= set(paths)
    by_id = {q.full_id: q for q in questions}
    llm = [by_id[s].id for s in paths["llm"].steps]
    assert llm.index("rmsnorm-module") < llm.index("rope-apply") < llm.index("mha-module") < llm.index(
        "kv-cache-step") < llm.index("sample-next-token")
    assert by_id[paths["autograd"].steps[-1]].type == "code" and "function" in paths["autograd"].steps[-1]
    for p in paths.values():
        assert len(p.steps) >= 8 and p.title.get("en") and p.title.get("zh")
