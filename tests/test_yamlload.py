"""quizkit/yamlload.py: the bank loader keeps scalars strings, remembers lines, refuses duplicates and bombs."""

import pytest
import yaml

from quizkit import yamlload
from quizkit.fields import Located

pytestmark = pytest.mark.torch_free


def _load(source: str):
    return yaml.load(source, Loader=yamlload.Loader)  # noqa: S506 (the house loader is a safe loader)


def test_plain_scalars_stay_strings():
    data = _load("expected: 0.10\nflag: yes\nnone: null\nn: 3\n")
    assert data == {"expected": "0.10", "flag": "yes", "none": "null", "n": "3"}


def test_mappings_remember_their_lines_and_where_a_block_text_starts():
    data = _load("id: a\ncode: |\n  x = 1\nnext:\n  k: v\n")
    assert data.line == 1 and data.lines == {"id": 1, "code": 2, "next": 4}
    assert data.starts["code"] == 3 and data.starts["id"] == 1
    assert data["next"].line == 5


def test_a_duplicate_key_is_an_error_naming_both_lines():
    with pytest.raises(Located) as e:
        _load("id: a\nprompt: x\nid: b\n")
    assert e.value.line == 3 and "duplicate key 'id' (first at line 1)" in str(e.value)


def test_merged_keys_may_be_overridden_by_the_mapping_own():
    data = _load("base: &b {type: code, timeout: '5'}\nq:\n  <<: *b\n  timeout: '9'\n")
    assert data["q"] == {"type": "code", "timeout": "9"}


def test_a_key_that_is_not_a_word_is_refused():
    with pytest.raises(Located) as e:
        _load("? [a, b]\n: c\n")
    assert "keys must be plain words" in str(e.value)


def test_terminal_escapes_in_bank_text_are_removed():
    assert _load('prompt: "clear\\e[2J me"\n') == {"prompt": "clear me"}


def _node(source: str):
    return yaml.compose(source, Loader=yaml.SafeLoader)


def test_check_size_refuses_an_alias_bomb_before_expanding_it(monkeypatch):
    monkeypatch.setattr(yamlload, "MAX_NODES", 1000)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for n in "bcdef":
        prev = chr(ord(n) - 1)
        bomb += f"{n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    with pytest.raises(Located) as e:
        yamlload.check_size(_node(bomb))
    assert "YAML aliases expand this to more than 1000 values" in str(e.value)
    yamlload.check_size(_node("a: &a [x, x]\nb: [*a, *a]\n"))  # a few aliases are fine


def test_check_size_counts_aliases_and_plain_size(monkeypatch):
    monkeypatch.setattr(yamlload, "MAX_ALIASES", 3)
    with pytest.raises(Located) as e:
        yamlload.check_size(_node("a: &a x\nb: [*a, *a, *a, *a]\n"))
    assert "more than 3 YAML aliases" in str(e.value)
    monkeypatch.setattr(yamlload, "MAX_NODES", 10)
    with pytest.raises(Located) as e:
        yamlload.check_size(_node("[" + ", ".join("a" * 12) + "]"))
    assert "this holds more than 10 values" in str(e.value)
