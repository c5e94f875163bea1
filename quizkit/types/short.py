"""short: a one-line answer matched against `accept` (never shown); `answer` is what the learner sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

from .. import checks, fields
from ..i18n import N_, _
from ..model import Text, Verdict, pick

if TYPE_CHECKING:
    import random

    from ..fields import Map
    from ..model import Question
    from . import Ctx
    from .contract import Block

NAME = "short"
FIELDS = ("accept", "answer", "examples", "reject", "code")
REQUIRED = ("accept",)
INPUT: Final = "line"
RUNS = False
LABEL = N_("short")
SHORT = N_("short")
MOCK: Final = "recall"
SCHEMA = {
    "accept": {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string", "minLength": 1},
        "description": "Accepted answers; /.../ is a regular expression. Never shown",
    },
    "answer": {"$ref": "#/$defs/text"},
    "examples": {"type": "array", "items": {"type": "string"}, "description": "Answers that must be accepted"},
    "reject": {"type": "array", "items": {"type": "string"}, "description": "Answers that must not be accepted"},
    "code": {"type": "string", "minLength": 1},
}


@dataclass(frozen=True, slots=True)
class Body:
    accept: tuple[str, ...]
    answer: Text | None = None
    examples: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    code: str | None = None


def parse(m: Map, defaults: dict[str, Any]) -> Body:
    return Body(
        accept=tuple(fields.accept(m)),
        answer=fields.text(m, "answer") if "answer" in m else None,
        examples=tuple(fields.words(m, "examples")) if "examples" in m else (),
        reject=tuple(fields.words(m, "reject")) if "reject" in m else (),
        code=fields.code(m, "code") if "code" in m else None,
    )


def order(q: Question, rng: random.Random) -> None:
    return None


def shown_answer(q: Question, lang: str = "en") -> str:
    """`answer`, else the first plain `accept` entry."""
    if q.body.answer:
        return pick(q.body.answer, lang)
    plain = [a for a in q.body.accept if not checks.is_regex(a)]
    return cast(str, plain[0] if plain else q.body.accept[0].strip("/"))  # q.body is this module's Body


def judge(q: Question, answer: str, ctx: Ctx, order: list[int] | None = None) -> Verdict:
    ok = checks.matches_accept(answer, q.body.accept)
    return Verdict(ok, "" if ok else _("expected: {answer}").format(answer=shown_answer(q, ctx.lang)))


def verify(q: Question, ctx: Ctx) -> tuple[str, int] | None:
    for example in q.body.examples:
        if not checks.matches_accept(example, q.body.accept):
            return f"example {example!r} is not accepted", q.line
    for near in q.body.reject:
        if checks.matches_accept(near, q.body.accept):
            return f"reject {near!r} is accepted", q.line
    return None


def extra(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return [("code", q.body.code)] if q.body.code else []


def solution(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return [("answer", shown_answer(q, lang))]
