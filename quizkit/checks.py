"""How each question type judges an answer. Pure, except that code is run through the runner given."""
from __future__ import annotations

import ast
import re

from .model import Question, RunResult, Verdict

_WS = re.compile(r"\s+")
ALIASES = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional"}
# torch.X, F.X and torch.Tensor.X are also reachable as methods: x.X(...)
_METHOD_FORMS = ("torch.", "torch.nn.functional.", "torch.Tensor.")


def fold(text: str) -> str:
    """Runs of white space (line breaks too) fold to one space; ends trimmed."""
    return _WS.sub(" ", text).strip()


def matches_accept(answer: str, accepted) -> bool:
    """short/output matching: case and white space ignored; `/re/` entries are full-match regexes."""
    given = fold(answer)
    for entry in accepted:
        if len(entry) > 1 and entry.startswith("/") and entry.endswith("/"):
            if re.fullmatch(entry[1:-1], given, re.IGNORECASE):
                return True
        elif fold(entry).casefold() == given.casefold():
            return True
    return False


def judge_short(q: Question, answer: str) -> Verdict:
    ok = matches_accept(answer, q.accept)
    shown = q.accept[0].strip("/") if q.accept else ""
    return Verdict(ok, "" if ok else f"expected: {shown}")


def judge_output(q: Question, answer: str) -> Verdict:
    """Exact after folding white space (what the code prints is exact); `accept` adds renderings."""
    ok = fold(answer) == fold(q.expected) or matches_accept(answer, q.accept)
    return Verdict(ok, "" if ok else f"it prints: {fold(q.expected)}")


def parse_choices(answer: str, n: int) -> list[int] | None:
    """'a', 'a,c', 'A C' -> sorted indexes; None when it is not a valid pick."""
    letters = [x for x in re.split(r"[\s,;]+", answer.strip().lower()) if x]
    if not letters or any(len(x) != 1 or not "a" <= x < chr(ord("a") + n) for x in letters):
        return None
    return sorted(set(ord(x) - ord("a") for x in letters))


def judge_mcq(q: Question, picked: list[int]) -> Verdict:
    """`picked` are indexes into q.choices (the bank's order). Several right: exactly those."""
    ok = sorted(picked) == sorted(q.correct)
    return Verdict(ok)


def output_matches(q: Question, printed: str) -> bool:
    """verify: what the code printed equals `expected` under the same folding."""
    return fold(printed) == fold(q.expected)


# ---- forbid: names the answer must not use, checked on the AST ----

def _canonical(name: str) -> str:
    head, _, rest = name.partition(".")
    base = ALIASES.get(head, head)
    return f"{base}.{rest}" if rest else base


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_function(full: str) -> bool:
    return any(full.startswith(p) and "." not in full[len(p):] for p in _METHOD_FORMS)


def forbidden_uses(code: str, forbid) -> list[str]:
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


def code_pieces(q: Question, answer: str) -> list[tuple[str, str]]:
    return [("answer", answer), ("tests", q.tests)]


def judge_code(q: Question, answer: str, result: RunResult | None) -> Verdict:
    """A code answer passes when it uses nothing forbidden and answer + tests ran to the end."""
    hits = forbidden_uses(answer, q.forbid)
    if hits:
        return Verdict(False, f"not allowed here: {', '.join(hits)}", result)
    if result is None:
        return Verdict(False, "not run")
    if result.ok:
        return Verdict(True, "", result)
    return Verdict(False, describe_failure(result), result)


def describe_failure(result: RunResult, limit: int = 400) -> str:
    """One line: where it failed, the line, and the error (folded, cut to `limit`)."""
    head = result.where or result.status
    if result.line:
        head += f" `{result.line}`"
    text = f"{head}: {fold(result.error or result.status)}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
