"""flashcard: the answer is revealed and the learner grades themself (1-4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .. import fields
from ..i18n import N_
from ..model import Text, Verdict, pick

if TYPE_CHECKING:
    import random

    from ..fields import Map
    from ..model import Question
    from . import Ctx
    from .contract import Block

NAME = "flashcard"
FIELDS = ("answer",)
REQUIRED = ("answer",)
INPUT: Final = "reveal"
RUNS = False
LABEL = N_("flashcard")
SHORT = N_("card")
MOCK: Final = "recall"
SOLUTION_ON_VERDICT = False  # the reveal was the answer
SCHEMA = {"answer": {"$ref": "#/$defs/text"}}
KEYS = ("1", "2", "3", "4")  # again, hard, good, easy


@dataclass(frozen=True, slots=True)
class Body:
    answer: Text


def parse(m: Map, defaults: dict[str, Any]) -> Body:
    return Body(answer=fields.text(m, "answer"))


def order(q: Question, rng: random.Random) -> None:
    return None


def judge(q: Question, answer: str, ctx: Ctx, order: list[int] | None = None) -> Verdict:
    """`answer` is the learner's own grade: 1 (again) is wrong, 2-4 right."""
    if answer not in KEYS:
        raise ValueError(answer)
    return Verdict(answer != "1")


def verify(q: Question, ctx: Ctx) -> tuple[str, int] | None:
    return None


def extra(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return []


def solution(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return [("md", pick(q.body.answer, lang))]
