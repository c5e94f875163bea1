"""output: predict what `code` prints; judged on `expected` (verified), the code also run to show this torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .. import checks, fields
from ..i18n import N_, _
from ..model import Verdict

if TYPE_CHECKING:
    import random

    from ..fields import Map
    from ..model import Question
    from . import Ctx
    from .contract import Block

NAME = "output"
FIELDS = ("code", "expected", "accept", "tolerance")
REQUIRED = ("code", "expected")
INPUT: Final = "line"
RUNS = True
LABEL = N_("output")
SHORT = N_("output")
MOCK: Final = "read"
KEYS_LINE = N_("type what it prints (one line) · ? hint · s skip · q quit")
_NUMBER = {"type": ["number", "string"]}
SCHEMA = {
    "code": {"type": "string", "minLength": 1, "description": "Python code; must compile"},
    "expected": {"type": "string", "minLength": 1},
    "accept": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
    "tolerance": {
        "oneOf": [
            _NUMBER,
            {"type": "object", "additionalProperties": False, "properties": {"atol": _NUMBER, "rtol": _NUMBER}},
        ]
    },
}


@dataclass(frozen=True, slots=True)
class Body:
    code: str
    expected: str
    accept: tuple[str, ...] = ()
    tolerance: tuple[float, ...] | None = None


def parse(m: Map, defaults: dict[str, Any]) -> Body:
    return Body(
        code=fields.code(m, "code"),
        expected=fields.string(m, "expected", strip=False),
        accept=tuple(fields.accept(m)) if "accept" in m else (),
        tolerance=fields.tolerance(m) if "tolerance" in m else None,
    )


def order(q: Question, rng: random.Random) -> None:
    return None


def device_for(q: Question, device: str) -> str:
    """A tensor's repr names its device: output runs on the CPU unless the question requires cuda."""
    return "cuda" if "cuda" in q.requires else "cpu"


def judge(q: Question, answer: str, ctx: Ctx, order: list[int] | None = None) -> Verdict:
    """Exact after `normal`, within `tolerance` if given; `accept` adds renderings. The code is run too:
    an answer equal to what this machine's torch prints also counts, and says so."""
    b = q.body
    ok = checks.same_output(answer, b.expected, b.tolerance) or checks.matches_accept(answer, b.accept)
    verdict = Verdict(ok, "" if ok else _("it prints: {output}").format(output=checks.fold(b.expected)))
    if ctx.runner is not None:
        run = ctx.runner.run([("code", b.code)], device_for(q, ctx.device), q.timeout, question=q)
        verdict.run = run
        if run.ok:
            if not ok and checks.same_output(answer, run.stdout, b.tolerance):
                verdict.correct, verdict.detail = True, _("that is what your torch prints")
            if not checks.same_output(run.stdout, b.expected, b.tolerance):
                verdict.notes.append(_("this machine's torch printed: {output}").format(output=checks.fold(run.stdout)))
            else:
                verdict.notes.append(
                    _("run just now on this machine's torch in {ms} ms: the same").format(
                        ms=f"{run.seconds * 1000:.0f}"
                    )
                )
    return verdict


def verify(q: Question, ctx: Ctx) -> tuple[str, int] | None:
    assert ctx.runner is not None  # verify always has one
    r = ctx.runner.run([("code", q.body.code)], device_for(q, ctx.device), q.timeout, question=q)
    if not r.ok:
        return "code: " + checks.describe_failure(r), checks.failure_line(q, r)
    if not checks.same_output(r.stdout, q.body.expected, q.body.tolerance):
        return f"prints {checks.fold(r.stdout)!r}, expected {checks.fold(q.body.expected)!r}", q.line_of("code")
    return None


def extra(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return [("code", q.body.code)]


def solution(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return [("md", _("it prints:")), ("code", q.body.expected)]
