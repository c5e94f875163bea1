"""mcq: pick a letter, or several (a,c) where several are right; choices shuffled unless shuffle: false."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .. import fields
from ..i18n import N_, _
from ..model import Text, Verdict, pick

if TYPE_CHECKING:
    import random

    from ..fields import Map
    from ..model import Question
    from . import Ctx
    from .contract import Block

NAME = "mcq"
FIELDS = ("choices", "answer", "code", "check", "shuffle")
REQUIRED = ("choices", "answer")
INPUT: Final = "choice"
RUNS = False
LABEL = N_("mcq")
SHORT = N_("mcq")
MOCK: Final = "read"
LETTERS = "abcdefgh"
_INDEX = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0}
SCHEMA = {
    "choices": {
        "oneOf": [
            {"type": "array", "minItems": 2, "maxItems": 8, "items": {"$ref": "#/$defs/text"}},
            {
                "type": "object",
                "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 8, "items": {"type": "string"}},
            },
        ]
    },
    "answer": {"oneOf": [_INDEX, {"type": "array", "minItems": 1, "items": _INDEX}]},
    "code": {"type": "string", "minLength": 1},
    "check": {"type": "string", "minLength": 1, "description": "Python code; must run without error"},
    "shuffle": {"type": ["boolean", "string"]},
}


@dataclass(frozen=True, slots=True)
class Body:
    choices: tuple[Text, ...]
    correct: tuple[int, ...]
    shuffle: bool = True
    check: str | None = None
    code: str | None = None


def parse(m: Map, defaults: dict[str, Any]) -> Body:
    choices = fields.choices(m)
    return Body(
        choices=choices,
        correct=fields.mcq_answer(m, len(choices)),
        shuffle=fields.flag(m, "shuffle") if "shuffle" in m else True,
        check=fields.code(m, "check") if "check" in m else None,
        code=fields.code(m, "code") if "code" in m else None,
    )


def order(q: Question, rng: random.Random) -> list[int]:
    """Bank indexes in the order shown (letters a, b, ...)."""
    shown = list(range(len(q.body.choices)))
    if q.body.shuffle:
        rng.shuffle(shown)
    return shown


def parse_letters(answer: str, n: int) -> list[int] | None:
    """'a', 'a,c', 'A C' -> sorted indexes; None when it is not a valid pick."""
    letters = [x for x in re.split(r"[\s,;]+", answer.strip().lower()) if x]
    if not letters or any(len(x) != 1 or not "a" <= x < chr(ord("a") + n) for x in letters):
        return None
    return sorted(set(ord(x) - ord("a") for x in letters))


def judge(q: Question, answer: str, ctx: Ctx, order: list[int] | None = None) -> Verdict:
    """Letters as shown; several right: exactly those. ValueError when it is not a pick."""
    picked = parse_letters(answer, len(q.body.choices))
    if picked is None:
        raise ValueError(_("pick letters a-{last}, e.g. b or a,c").format(last=LETTERS[len(q.body.choices) - 1]))
    shown = order or list(range(len(q.body.choices)))
    return Verdict(sorted(shown[i] for i in picked) == sorted(q.body.correct))


def verify(q: Question, ctx: Ctx) -> tuple[str, int] | None:
    if not q.body.check:
        return None
    from .. import checks

    assert ctx.runner is not None  # verify always has one
    r = ctx.runner.run([("check", q.body.check)], ctx.device, q.timeout, question=q)
    if not r.ok:
        return "check: " + checks.describe_failure(r), checks.failure_line(q, r)
    return None


def extra(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    blocks = [("code", q.body.code)] if q.body.code else []
    order = order or list(range(len(q.body.choices)))
    return blocks + [("choices", [(LETTERS[k], pick(q.body.choices[i], lang)) for k, i in enumerate(order)])]


def solution(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    order = order or list(range(len(q.body.choices)))
    right = [f"{LETTERS[order.index(i)]}) {pick(q.body.choices[i], lang)}" for i in q.body.correct]
    return [("answer", "; ".join(right))]
