import textwrap

import pytest
from typer.testing import CliRunner

from quizkit import bank
from quizkit.cli import app
from quizkit.errors import BankError
from quizkit.model import pick

from conftest import BANKS, write_bank

pytestmark = pytest.mark.torch_free  # runs without the torch worker: pytest -m torch_free

HEAD = "bank: b\nquestions:\n"


def load_text(tmp_path, body, name="b.yaml"):
    return bank.load_bank(write_bank(tmp_path, textwrap.dedent(body), name))


def refused(tmp_path, body):
    with pytest.raises(BankError) as e:
        load_text(tmp_path, body)
    return e.value


def test_fixture_bank_loads_every_type():
    b = bank.load_bank(BANKS / "mini.yaml")
    types = {q.type for q in b.questions}
    assert types == {"flashcard", "short", "mcq", "output", "code"}
    q = {q.id: q for q in b.questions}
    assert q["card"].full_id == "mini/card"
    assert "fixture" in q["dtype-short"].tags and "tensors" in q["dtype-short"].tags
    assert q["pick-two"].body.correct == (0, 2) and q["pick-two"].body.shuffle is False
    assert q["view-mcq"].body.correct == (1,) and q["view-mcq"].body.shuffle is True
    assert q["softmax"].body.forbid == ("torch.softmax", "F.softmax")
    assert q["dtype-short"].difficulty == 1 and q["card"].difficulty == 2


def test_language_mapping_and_fallback():
    b = bank.load_bank(BANKS / "mini.yaml")
    card = b.questions[0]
    assert pick(card.prompt, "zh").startswith("`requires_grad` 有")
    assert pick(card.body.answer, "en") == "Records operations for autograd."
    assert pick(card.explanation, "zh") == "Only tensors that require grad are tracked."  # en fallback
    assert pick(b.title, "zh") == "小题库"


def test_scalars_stay_text(tmp_path):
    b = load_text(tmp_path, HEAD + """\
      - id: a
        type: output
        prompt: p
        code: print('0.10')
        expected: 0.10
      - id: s
        type: short
        prompt: p
        accept: [yes, 1e3, null]
    """)
    assert b.questions[0].body.expected == "0.10"
    assert b.questions[1].body.accept == ("yes", "1e3", "null")


def test_unknown_field_names_line_and_suggests(tmp_path):
    e = refused(tmp_path, HEAD + """\
      - id: a
        type: output
        prompt: p
        code: print(1)
        expcted: "1"
    """)
    assert e.line == 7 and "unknown field 'expcted'" in e.message and "did you mean 'expected'" in e.message
    assert str(e).startswith(str(tmp_path / "b.yaml") + ":7: ")


def test_field_of_another_type_is_unknown(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: flashcard\n    prompt: p\n    answer: x\n    choices: [a, b]\n")
    assert e.line == 7 and "unknown field 'choices'" in e.message


def test_unknown_top_level_field(tmp_path):
    e = refused(tmp_path, "bank: b\ntitel: x\nquestions:\n  - {id: a, type: flashcard, prompt: p, answer: x}\n")
    assert e.line == 2 and "titel" in e.message


def test_duplicate_id(tmp_path):
    e = refused(tmp_path, HEAD + """\
      - {id: a, type: flashcard, prompt: p, answer: x}
      - {id: b, type: flashcard, prompt: p, answer: x}
      - {id: a, type: flashcard, prompt: p, answer: x}
    """)
    assert e.line == 5 and "duplicate id 'a'" in e.message and "line 3" in e.message


def test_duplicate_key(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: flashcard\n    prompt: p\n    prompt: q\n    answer: x\n")
    assert e.line == 6 and "duplicate key 'prompt'" in e.message


def test_bad_type(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: essay\n    prompt: p\n")
    assert e.line == 4 and "type 'essay'" in e.message


@pytest.mark.parametrize("field, value, words", [
    ("difficulty", "7", "from 1 to 5"),
    ("difficulty", "hard", "whole number"),
    ("timeout", "-1", "seconds"),
    ("tags", "just-a-word", "list"),
])
def test_out_of_range_and_wrong_kind(tmp_path, field, value, words):
    e = refused(tmp_path, HEAD + f"  - id: a\n    type: flashcard\n    prompt: p\n    answer: x\n    {field}: {value}\n")
    assert e.line == 7 and words in e.message


def test_mcq_answer_out_of_range(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: mcq\n    prompt: p\n    choices: [x, y]\n    answer: 2\n")
    assert e.line == 7 and "out of range" in e.message


def test_mcq_needs_two_to_eight_choices(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: mcq\n    prompt: p\n    choices: [x]\n    answer: 0\n")
    assert e.line == 6 and "2 to 8" in e.message


def test_missing_required_field(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: code\n    prompt: p\n    starter: x\n    tests: y\n")
    assert e.line == 3 and "missing 'solution'" in e.message


def test_bad_id(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: Bad_Id\n    type: flashcard\n    prompt: p\n    answer: x\n")
    assert e.line == 3 and "must match" in e.message


def test_id_of_a_screenful_is_refused(tmp_path):
    # a 100 000-character id passed the pattern and flooded list/verify with thousands of table lines
    long = "a" * 201
    e = refused(tmp_path, HEAD + f"  - id: {long}\n    type: flashcard\n    prompt: p\n    answer: x\n")
    assert e.line == 3 and "at most 200 characters" in e.message and len(e.message) < 200
    e = refused(tmp_path, f"bank: {'b' * 201}\nquestions:\n  - id: a\n    type: flashcard\n    prompt: p\n    answer: x\n")
    assert e.line == 1 and "at most 200 characters" in e.message
    e = refused(tmp_path, HEAD.replace("questions:", f"paths: [{{id: {long}, steps: [a]}}]\nquestions:") + "  - id: a\n    type: flashcard\n    prompt: p\n    answer: x\n")
    assert "at most 200 characters" in e.message
    # the original contract sets no length: an id of a long sentence still loads
    ok = bank.load_bank(write_bank(tmp_path, HEAD + f"  - id: {'a' * 200}\n    type: flashcard\n    prompt: p\n    answer: x\n", "long.yaml"))
    assert ok.questions[0].id == "a" * 200
    assert load_text(tmp_path, HEAD + f"  - id: {'a' * 64}\n    type: flashcard\n    prompt: p\n    answer: x\n").questions


def test_bad_yaml_names_line(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: flashcard\n    prompt: [unclosed\n    answer: x\n")
    assert "bad YAML" in e.message and e.line in (5, 6)


def test_bad_regex_and_bad_forbid(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: short\n    prompt: p\n    accept: ['/(/']\n")
    assert e.line == 6 and "regular expression" in e.message
    e = refused(tmp_path, HEAD + "  - id: a\n    type: code\n    prompt: p\n    starter: s\n    solution: s\n"
                "    tests: t\n    forbid: ['torch softmax']\n")
    assert e.line == 9 and "forbid" in e.message


def test_language_code_checked(tmp_path):
    e = refused(tmp_path, HEAD + "  - id: a\n    type: flashcard\n    prompt: {english: p}\n    answer: x\n")
    assert e.line == 5 and "language code" in e.message


def test_folder_with_one_broken_file_loads_the_others(tmp_path):
    (tmp_path / "good.yaml").write_text(HEAD.replace("bank: b", "bank: good") +
                                        "  - {id: a, type: flashcard, prompt: p, answer: x}\n")
    (tmp_path / "bad.yaml").write_text("questions: [\n")
    (tmp_path / "notes.txt").write_text("not a bank")
    banks, errors = bank.load_banks([tmp_path])
    assert [b.id for b in banks] == ["good"]
    assert len(errors) == 1 and errors[0].path.endswith("bad.yaml")


def test_bank_id_defaults_to_stem_and_must_be_unique(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "same.yaml").write_text("questions:\n  - {id: a, type: flashcard, prompt: p, answer: x}\n")
    (tmp_path / "same.yaml").write_text("questions:\n  - {id: a, type: flashcard, prompt: p, answer: x}\n")
    banks, errors = bank.load_banks([tmp_path])
    assert [b.id for b in banks] == ["same"] and "already used" in errors[0].message


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(BankError) as e:
        bank.load_banks([tmp_path / "nope.yaml"])
    assert "no such file" in str(e.value)


def test_shipped_banks_load_without_errors():
    banks, errors = bank.load_banks()
    assert not errors, [str(e) for e in errors]
    assert sum(len(b.questions) for b in banks) >= 15


def test_a_bank_too_big_without_aliases_does_not_blame_aliases(tmp_path):
    from quizkit.yamlload import MAX_NODES

    p = tmp_path / "big.yaml"
    p.write_text("tags: [" + ", ".join(["a"] * MAX_NODES) + "]\nquestions: []\n")
    r = CliRunner().invoke(app, ["list", "--bank", str(p)])
    assert r.exit_code == 1 and f"big.yaml:1: this holds more than {MAX_NODES} values" in r.output, r.output
