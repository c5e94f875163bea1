"""How each question type judges an answer. Pure, except that code is run through the runner given."""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .i18n import _, ngettext
from .model import Question, RunResult

if TYPE_CHECKING:
    from .types.contract import Runs


class Rules(Protocol):
    """A code question's rules, as the checks read them (quizkit/types/code.py's Body)."""

    @property
    def forbid(self) -> tuple[str, ...]: ...
    @property
    def allow(self) -> tuple[str, ...]: ...
    @property
    def max_lines(self) -> int | None: ...


_WS = re.compile(r"\s+")
MAX_MATCHED = 500
_AROUND = re.compile(r"\s*([\[\](){},])\s*")
# A number standing alone (not inside a name such as float32): 6, -1.5, 6., 1e-3, inf, nan.
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|nan)(?![\w])")
ALIASES = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional"}
# torch.X, F.X and torch.Tensor.X are also reachable as methods: x.X(...)
_METHOD_FORMS = ("torch.", "torch.nn.functional.", "torch.Tensor.")


def fold(text: str) -> str:
    """Runs of white space (line breaks too) fold to one space; ends trimmed."""
    return _WS.sub(" ", text).strip()


def normal(text: str) -> str:
    """White space folded, and dropped around brackets and commas: `tensor([6.,6.])` is `tensor([6., 6.])`."""
    return _AROUND.sub(r"\1", fold(text))


def is_regex(entry: str) -> bool:
    return len(entry) > 1 and entry.startswith("/") and entry.endswith("/")


def matches_accept(answer: str, accepted: Iterable[str]) -> bool:
    """short/output matching: case and white space ignored; `/re/` entries are full-match regexes."""
    given = fold(answer)
    for entry in accepted:
        if is_regex(entry):
            # A one-line answer is short: a pattern never scans a pasted essay.
            if len(given) <= MAX_MATCHED and re.fullmatch(entry[1:-1], given, re.IGNORECASE):
                return True
        elif normal(entry).casefold() == normal(given).casefold():
            return True
    return False


def same_output(given: str, expected: str, tolerance: Sequence[float] | None = None) -> bool:
    """Equal after `normal`; with a tolerance (atol, rtol), the numbers may differ within it."""
    a, b = normal(given), normal(expected)
    if a == b:
        return True
    if not tolerance:
        return False
    if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
        return False
    atol, rtol = tolerance
    for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)):
        fx, fy = float(x), float(y)
        if (math.isnan(fx) and math.isnan(fy)) or fx == fy:  # nan is nan; inf is inf
            continue
        if math.isinf(fx) or math.isinf(fy):  # and nothing else: rtol * inf would take any number
            return False
        if not abs(fx - fy) <= atol + rtol * abs(fy):
            return False
    return True


# ---- forbid: names the answer must not use, checked on the AST ----


def _canonical(name: str) -> str:
    head, _, rest = name.partition(".")
    base = ALIASES.get(head, head)
    return f"{base}.{rest}" if rest else base


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_function(full: str) -> bool:
    return any(full.startswith(p) and "." not in full[len(p) :] for p in _METHOD_FORMS)


def forbidden_uses(code: str, forbid: Iterable[str]) -> list[str]:
    """Forbidden names (as written in the bank) that `code` uses. A SyntaxError is the runner's to report.

    `torch.softmax` forbidden also forbids the method form `x.softmax(...)`: it is the same function."""
    if not forbid:
        return []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    aliases = dict(ALIASES)
    for node in ast.walk(tree):  # imports in the answer add aliases: import torch.nn.functional as G
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                aliases[a.asname or a.name] = f"{_canonical(node.module)}.{a.name}"
    used, methods, loops = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            loops.add("for")  # a comprehension is a for loop too
        elif isinstance(node, ast.While):
            loops.add("while")
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node)
            if dotted:
                head, _, rest = dotted.partition(".")
                base = aliases.get(head, head)
                used.add(f"{base}.{rest}" if rest else base)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = _dotted(node.func.value)
            if owner is None or owner.split(".")[0] not in aliases:
                methods.add(node.func.attr)
    hits = []
    for name in forbid:
        if name in ("for", "while"):
            if name in loops:
                hits.append(name)
            continue
        full = _canonical(name)
        method = full.rsplit(".", 1)[-1]
        if full in used or (_is_function(full) and method in methods):
            hits.append(name)
    return hits


# ---- allow: the only names the answer may use ----


def _bound_names(tree: ast.AST) -> set[str]:
    """Names the answer binds itself: its functions and classes, their parameters, its variables."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
    return bound


def disallowed_uses(code: str, allow: Iterable[str]) -> list[str]:
    """With `allow`, every name, attribute and call the answer uses must be listed (or bound by the
    answer itself); operators and indexing are free. Returns what is used but not allowed, in order."""
    if not allow:
        return []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    words = {a for a in allow if "." not in a}
    dotted = {_canonical(a) for a in allow if "." in a}
    bound = _bound_names(tree)
    bad: list[str] = []

    def refuse(name: str) -> None:
        if name not in bad:
            bad.append(name)

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            refuse("import")
            return
        if isinstance(node, ast.Attribute):
            chain = _dotted(node)
            root = chain.split(".")[0] if chain else None
            if chain and root not in bound and root not in words:
                full = _canonical(chain)
                parts = full.split(".")
                for i in range(len(parts), 0, -1):  # the longest allowed dotted prefix; the rest are attributes
                    if ".".join(parts[:i]) in dotted:
                        for attr in parts[i:]:
                            if attr not in words:
                                refuse(attr)
                        return
                refuse(chain)
                return
            if node.attr not in words:
                refuse(node.attr)
            visit(node.value)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in bound and node.id not in words:
                refuse(node.id)  # also `torch` alone, when only `torch.arange` is allowed
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return bad


def logical_lines(code: str) -> int:
    """Statements, not counting def/class lines, docstrings, pass, imports: what `max_lines` counts."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return 0

    def count(body: list[ast.stmt]) -> int:
        n = 0
        for i, stmt in enumerate(body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                n += count(stmt.body)
                continue
            if isinstance(stmt, (ast.Pass, ast.Import, ast.ImportFrom)):
                continue
            if (
                i == 0
                and isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            ):
                continue  # a docstring
            n += 1
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list):
                    n += count([s for s in inner if isinstance(s, ast.stmt)])
                    for h in inner:
                        if isinstance(h, ast.ExceptHandler):
                            n += count(h.body)
        return n

    return count(tree.body)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _forbidden_rules(forbid: Iterable[str]) -> list[tuple[str, str]]:
    """(the forbid entries a line covers, the line): one for the names, one for each loop word. Names that are
    one name written two ways (`F.softmax`, `torch.nn.functional.softmax`) are shown once, as first written."""
    seen: dict[str, str] = {}
    for name in forbid:
        if name not in ("for", "while"):
            seen.setdefault(_canonical(name), name)
    out = []
    if seen:
        shown = list(seen.values())
        methods = dict.fromkeys(n.rsplit(".", 1)[-1] for n in shown if _is_function(_canonical(n)))
        line = _("may not use: {names}").format(names=_names(shown))
        if methods:
            line += " " + _("(nor as a method: {forms})").format(forms=", ".join(f"`x.{m}(...)`" for m in methods))
        out.append(("names", line))
    if "for" in forbid:
        out.append(("for", _("no `for` loops (a comprehension is a `for` loop too)")))
    if "while" in forbid:
        out.append(("while", _("no `while` loops")))
    return out


def _allow_rule(allow: Iterable[str]) -> str:
    return _(
        "may use only: {names} (besides operators, indexing, constants and the names your code defines; no imports)"
    ).format(names=_names(allow))


def _lines_rule(n: int) -> str:
    return ngettext(
        "at most {n} line of code (statements: `def` lines, docstrings, imports and comments do not count)",
        "at most {n} lines of code (statements: `def` lines, docstrings, imports and comments do not count)",
        n,
    ).format(n=n)


def rule_lines(body: Any) -> list[str]:  # any type's Body: only a code question's has rules
    """The rules a code answer must keep, one Markdown line each, in the interface's language: what every
    front end shows with the prompt (drill, show, mock, the workspace, Anki, MCP), and what a refusal
    names. Empty for a question without rules (or not a code question)."""
    out = [line for _what, line in _forbidden_rules(getattr(body, "forbid", ()))]
    if getattr(body, "allow", ()):
        out.append(_allow_rule(body.allow))
    if getattr(body, "max_lines", None):
        out.append(_lines_rule(body.max_lines))
    return out


def _naming(refusal: str, rule: str) -> str:
    return _("{refusal} (the rule shown with the question: {rule})").format(refusal=refusal, rule=rule)


def rule_breaks(body: Rules, code: str) -> str:
    """Why `code` breaks a code question's rules (its `body`: forbid, allow, max_lines), or '': what it used,
    and the rule, as the learner was shown it."""
    hits = forbidden_uses(code, body.forbid)
    if hits:
        rules = _forbidden_rules(body.forbid)
        rule = "; ".join(
            line for what, line in rules if what in hits or (what == "names" and set(hits) - {"for", "while"})
        )
        names: dict[str, str] = {}
        for hit in hits:  # a name written two ways in the bank is named once
            names.setdefault(_canonical(hit), hit)
        return _naming(_("not allowed here: {names}").format(names=", ".join(names.values())), rule)
    extra = disallowed_uses(code, body.allow)
    if extra:
        return _naming(
            _("only {allowed} may be used here, not: {names}").format(
                allowed=", ".join(body.allow), names=", ".join(extra)
            ),
            _allow_rule(body.allow),
        )
    if body.max_lines and logical_lines(code) > body.max_lines:
        return _naming(
            ngettext(
                "at most {n} line of code here, not {lines}",
                "at most {n} lines of code here, not {lines}",
                body.max_lines,
            ).format(n=body.max_lines, lines=logical_lines(code)),
            _lines_rule(body.max_lines),
        )
    return ""


def code_pieces(q: Question, answer: str) -> tuple[list[tuple[str, str]], int]:
    """The pieces of a code answer's run, and the index of the answer among them."""
    pieces = [("setup", q.body.setup)] if q.body.setup else []
    tolerance = getattr(q.body, "tolerance", None)
    if tolerance:  # like a setup helper: put back after the answer, whatever the answer rebinds
        pieces.insert(0, ("tolerance", TOLERANCE.format(atol=repr(tolerance[0]), rtol=repr(tolerance[1]))))
    return pieces + [("answer", answer), ("tests", q.body.tests)], len(pieces)


# The tests' assert_close under `tolerance`: a call that gives neither atol nor rtol gets the question's.
TOLERANCE = """def assert_close(actual, expected, *, _close=assert_close, **kwargs):
    if "atol" not in kwargs and "rtol" not in kwargs:
        kwargs.update(atol={atol}, rtol={rtol})
    return _close(actual, expected, **kwargs)
"""


def run_code(q: Question, answer: str, runner: Runs, device: str) -> RunResult:
    pieces, at = code_pieces(q, answer)
    return runner.run(pieces, device, q.timeout, answer=at, seeds=q.body.seeds, question=q)


def describe_failure(result: RunResult, limit: int = 400) -> str:
    """One line: where it failed, the line, and the error (folded, cut to `limit`)."""
    head = result.where or result.status
    if result.line:
        head += f" `{result.line}`"
    if result.seed is not None:
        head += f" (seed {result.seed})"
    text = f"{head}: {fold(result.error or result.status)}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_line(q: Question, r: RunResult | None) -> int:
    """The bank file's line of a failing run: the failing line inside `tests`, `solution`, ... mapped
    onto the YAML file; else the question's line."""
    if r is not None and r.where:
        piece, _, rest = r.where.partition(" line ")
        if rest.isdigit() and piece in dict(q.lines):
            return q.line_of(piece) + int(rest) - 1
    return q.line
