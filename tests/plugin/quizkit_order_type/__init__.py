"""order: the lines of a snippet, shuffled; the learner gives their letters in the right order ("c a b")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from quizkit import fields
from quizkit.model import Verdict, pick

NAME = "order"
FIELDS = ("lines",)
REQUIRED = ("lines",)
INPUT = "line"
RUNS = False
LABEL = {"en": "order", "zh": "排序题"}
SHORT = {"en": "order", "zh": "排序"}
MOCK = "read"
KEYS_LINE = {
    "en": "type the letters in order (c a b) · ? hint · s skip · q quit",
    "zh": "按顺序输入字母（如 c a b）· ? 提示 · s 跳过 · q 退出",
}
SCHEMA = {"lines": {"type": "array", "minItems": 2, "maxItems": 8, "items": {"$ref": "#/$defs/text"}}}
LETTERS = "abcdefgh"


@dataclass(frozen=True, slots=True)
class Body:
    lines: tuple  # texts, in the right order


def parse(m, defaults) -> Body:
    lines = fields.texts(m, "lines")
    if not 2 <= len(lines) <= 8:
        raise fields.Located(m.lines["lines"], "'lines' must hold 2 to 8 lines")
    return Body(lines=lines)


def order(q, rng) -> list[int]:
    shown = list(range(len(q.body.lines)))
    while len(shown) > 1 and shown == sorted(shown):
        rng.shuffle(shown)
    return shown


def judge(q, answer: str, ctx, order=None) -> Verdict:
    shown = order or list(range(len(q.body.lines)))
    letters = [x for x in re.split(r"[\s,]+|(?<=[a-h])(?=[a-h])", answer.strip().lower()) if x]
    if sorted(letters) != sorted(LETTERS[: len(shown)]):
        raise ValueError(f"give each of the letters a-{LETTERS[len(shown) - 1]} once, e.g. c a b")
    picked = [shown[LETTERS.index(x)] for x in letters]
    return Verdict(picked == sorted(picked))


def verify(q, ctx):
    texts = [pick(t) for t in q.body.lines]
    if len(set(texts)) != len(texts):
        return "two lines are the same: their order cannot be judged", q.line_of("lines")
    return None


def extra(q, lang, order):
    shown = order or list(range(len(q.body.lines)))
    return [("choices", [(LETTERS[i], pick(q.body.lines[j], lang)) for i, j in enumerate(shown)])]


def solution(q, lang, order):
    return [("code", "\n".join(pick(t, lang) for t in q.body.lines))]
