"""code: the learner writes code; setup + answer + tests are run (under every seed) and must pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .. import checks, fields, rulecheck
from ..i18n import N_, _
from ..model import Right, Verdict, Wrong, pick

if TYPE_CHECKING:
    import random

    from ..fields import Map
    from ..model import Question
    from . import Ctx
    from .contract import Block

NAME = "code"
FIELDS = (
    "starter",
    "solution",
    "tests",
    "wrong",
    "right",
    "setup",
    "forbid",
    "allow",
    "max_lines",
    "seeds",
    "tolerance",
)
REQUIRED = ("starter", "solution", "tests")
INPUT: Final = "code"
RUNS = True
LABEL = N_("code")
SHORT = N_("code")
MOCK: Final = "code"
SHOWS_RUN = True
_CODE = {"type": "string", "minLength": 1, "description": "Python code; must compile"}
_WORDS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_ANSWERS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "why"],
        "additionalProperties": False,
        "properties": {"code": _CODE, "why": {"$ref": "#/$defs/text"}},
    },
}
SCHEMA = {
    "starter": _CODE,
    "solution": _CODE,
    "tests": _CODE,
    "setup": _CODE,
    "wrong": _ANSWERS,
    "right": _ANSWERS,
    "forbid": _WORDS,
    "allow": _WORDS,
    "max_lines": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
    "seeds": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1, "maximum": 100},
    "tolerance": {
        "description": "The default atol/rtol of assert_close in the tests: a number (atol) or {atol, rtol}",
        "oneOf": [
            {"type": ["number", "string"]},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {"atol": {"type": ["number", "string"]}, "rtol": {"type": ["number", "string"]}},
            },
        ],
    },
}


@dataclass(frozen=True, slots=True)
class Body:
    starter: str
    solution: str
    tests: str
    wrong: tuple[Wrong, ...] = ()  # Wrong answers verify proves the tests reject
    right: tuple[Right, ...] = ()  # Right answers in other styles verify proves the rules and tests accept
    setup: str | None = None  # the bank's setup, then the question's
    forbid: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    max_lines: int | None = None
    seeds: int = 1
    tolerance: tuple[float, ...] | None = None  # (atol, rtol): assert_close's default in the tests


def parse(m: Map, defaults: dict[str, Any]) -> Body:
    own = fields.code(m, "setup") if "setup" in m else None
    setups = [s for s in (defaults.get("setup"), own) if s]
    return Body(
        starter=fields.code(m, "starter"),
        solution=fields.code(m, "solution"),
        tests=fields.code(m, "tests"),
        wrong=fields.wrong(m) if "wrong" in m else (),
        right=fields.right(m) if "right" in m else (),
        setup="\n".join(setups) if setups else None,
        forbid=tuple(fields.forbid(m)) if "forbid" in m else (),
        allow=tuple(fields.allow(m)) if "allow" in m else (),
        max_lines=fields.whole(m, "max_lines", 1, 1000) if "max_lines" in m else None,
        seeds=fields.whole(m, "seeds", 1, 100) if "seeds" in m else defaults.get("seeds", 1),
        tolerance=fields.tolerance(m) if "tolerance" in m else None,
    )


def lint(m: Map, body: Body) -> list[tuple[int, str]]:
    """(line, warning) for each rule entry that matches nothing (quizkit/rulecheck.py), at its field's line."""
    defined = rulecheck.defined_names(body.setup, body.tests)
    return [(m.lines[key], why) for key, why in rulecheck.static_problems(body.forbid, body.allow, defined)]


def _resolve_rules(q: Question, ctx: Ctx) -> tuple[str, int] | None:
    """verify's worker step: every dotted rule name under torch resolves in the torch that judges answers.
    (reason, line) for the first that does not, or None."""
    names = rulecheck.torch_names(q.body.forbid, q.body.allow)
    if not names:
        return None
    assert ctx.runner is not None  # verify always has one
    r = ctx.runner.run([("rules", rulecheck.torch_snippet(names))], ctx.device, q.timeout, question=q)
    if not r.ok:
        return "rules: cannot look the names up: " + checks.describe_failure(r), q.line
    for key, name, near in rulecheck.unresolved(names, r.stdout):
        hint = f" (did you mean '{near}'?)" if near else ""
        return f"'{key}': '{name}' does not resolve in this torch, so it matches nothing{hint}", q.line_of(key)
    return None


def order(q: Question, rng: random.Random) -> None:
    return None


def judge(q: Question, answer: str, ctx: Ctx, order: list[int] | None = None) -> Verdict:
    """Keeps the rules (forbid, allow, max_lines), then setup + answer + tests pass under every seed."""
    broken = checks.rule_breaks(q.body, answer)
    if broken:
        return Verdict(False, broken)
    assert ctx.runner is not None  # a code question is only asked where code runs
    run = checks.run_code(q, answer, ctx.runner, ctx.device)
    if run.ok:
        return Verdict(True, "", run)
    return Verdict(False, checks.describe_failure(run), run)


def verify(q: Question, ctx: Ctx) -> tuple[str, int] | None:
    b = q.body
    assert ctx.runner is not None  # verify always has one
    unresolved = _resolve_rules(q, ctx)
    if unresolved:
        return unresolved
    broken = checks.rule_breaks(b, b.solution)
    if broken:
        return f"solution: {broken}", q.line_of("solution")
    r = checks.run_code(q, b.solution, ctx.runner, ctx.device)
    if not r.ok:
        return "solution: " + checks.describe_failure(r), checks.failure_line(q, r)
    pieces, at = checks.code_pieces(q, b.starter)
    if ctx.runner.run(pieces, ctx.device, q.timeout, answer=at, question=q).ok:
        return "the starter passes the tests: they test nothing", q.line_of("starter")
    for i, wrong in enumerate(b.wrong, 1):
        if checks.rule_breaks(b, wrong.code):
            continue  # rejected by the rules
        if checks.run_code(q, wrong.code, ctx.runner, ctx.device).ok:
            return f"wrong answer {i} passes the tests: {pick(wrong.why)}", wrong.line
    for i, right in enumerate(b.right, 1):
        broken = checks.rule_breaks(b, right.code)
        if broken:
            return f"right answer {i} is refused by the rules ({broken}): {pick(right.why)}", right.line
        r = checks.run_code(q, right.code, ctx.runner, ctx.device)
        if not r.ok:
            return f"right answer {i} fails: {checks.describe_failure(r)} ({pick(right.why)})", right.line
    return None


def rules_block(q: Question) -> list[Block]:
    """The question's rules as one Markdown block (checks.rule_lines), or nothing where it has none."""
    lines = checks.rule_lines(q.body)
    if not lines:
        return []
    return [
        ("md", _("**rules** (an answer that breaks one is refused):") + "\n" + "\n".join(f"- {line}" for line in lines))
    ]


def extra(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return [*rules_block(q), ("md", _("starter:")), ("code", q.body.starter)]


def solution(q: Question, lang: str, order: list[int] | None) -> list[Block]:
    return [("md", _("a reference solution:")), ("code", q.body.solution)]
