"""Reading one field of a bank mapping: each check raises Located with the line of the offending key.

Shared by the bank loader and the question types (quizkit/types/), so each type parses its own fields
with the same checks and messages.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from .model import Right, Text, Wrong

_A = TypeVar("_A", Wrong, Right)

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
# Ids (a question's, a path's, a bank's) are shown whole in tables and stored in every answer row. The original
# contract sets no length: the cap is far above any real id, and only stops a screenful.
MAX_ID = 200
LANG_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)?\Z")
DOTTED_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
LOOP_WORDS = ("for", "while")
# A requirement: a module name, optionally with a version range (torch>=2.4, numpy>=1.26,<3).
LOOPBACK = "network-loopback"  # a run of the question may use loopback (127.0.0.1, ::1) inside itself
REQUIRE_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*([<>=!~].*)?\Z")
ALLOW_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


class Map(dict[str, Any]):
    """A mapping that remembers the line of itself, of each key, and where each value's text starts."""

    line = 0
    lines: dict[str, int]
    starts: dict[str, int]


class Located(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


def code(m: Map, key: str) -> str:
    """Python code that must compile; a syntax error points at its own line in the bank file."""
    code = string(m, key, strip=False)
    try:
        compile(code, f"<{key}>", "exec", dont_inherit=True)
    except SyntaxError as e:
        line = m.starts[key] + (e.lineno or 1) - 1
        raise Located(line, f"'{key}' is not valid Python: {excerpt(e.msg or 'syntax error', 80)}") from None
    except (ValueError, MemoryError, RecursionError) as e:
        raise Located(m.starts[key], f"'{key}' is not valid Python: {excerpt(str(e), 80)}") from None
    return code


def wrong(m: Map) -> tuple[Wrong, ...]:
    return _answers(m, "wrong", Wrong)


def right(m: Map) -> tuple[Right, ...]:
    return _answers(m, "right", Right)


def _answers(m: Map, key: str, kind: type[_A]) -> tuple[_A, ...]:
    """`wrong` or `right`: a list of {code, why}, each code compiling, each kept with its line."""
    v = m[key]
    if not isinstance(v, list) or not v:
        raise Located(m.lines[key], f"'{key}' must be a list of {{code, why}}")
    out = []
    for item in v:
        if not isinstance(item, Map):
            raise Located(m.lines[key], f"each '{key}' answer must be a mapping with 'code' and 'why'")
        no_unknown(item, ("code", "why"), f"'{key}' answer")
        required(item, ("code", "why"), f"'{key}' answer")
        out.append(kind(code=code(item, "code"), why=text(item, "why"), line=item.starts["code"]))
    return tuple(out)


def no_unknown(m: Map, allowed: Sequence[str], what: str) -> None:
    for key in m:
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise Located(m.lines[key], f"{what}: unknown field '{excerpt(key)}'{hint}")


def required(m: Map, keys: Iterable[str], what: str) -> None:
    """Every one of `keys` is in `m`, or the error names the first missing one, at `m`'s line."""
    for key in keys:
        if key not in m:
            raise Located(m.line, f"{what} is missing '{key}'")


def ident(m: Map, label: str) -> str:
    """m's `id`: text matching ID_RE (a question's, a path's)."""
    value = string(m, "id")
    if not ID_RE.match(value):
        raise Located(m.lines["id"], f"{label} '{excerpt(value)}' must match [a-z0-9][a-z0-9-]*")
    if len(value) > MAX_ID:
        raise Located(m.lines["id"], f"{label} '{excerpt(value)}' must be at most {MAX_ID} characters")
    return value


def string(m: Map, key: str, strip: bool = True) -> str:
    v = m[key]
    if not isinstance(v, str):
        raise Located(m.lines[key], f"'{key}' must be text")
    if not v.strip():
        raise Located(m.lines[key], f"'{key}' is empty")
    return v.strip() if strip else v


def text(m: Map, key: str) -> Text:
    """Text, or a language mapping {en: ..., zh: ...}."""
    v = m[key]
    if isinstance(v, str):
        if not v.strip():
            raise Located(m.lines[key], f"'{key}' is empty")
        return {"en": v.strip()}
    if isinstance(v, Map) and v:
        for lang, s in v.items():
            if not LANG_RE.match(lang):
                raise Located(v.lines[lang], f"'{key}': '{excerpt(lang)}' is not a language code (en, zh, ...)")
            if not isinstance(s, str) or not s.strip():
                raise Located(v.lines[lang], f"'{key}.{lang}' must be non-empty text")
        return {lang: s.strip() for lang, s in v.items()}
    raise Located(m.lines[key], f"'{key}' must be text or a mapping of language to text")


def texts(m: Map, key: str) -> tuple[Text, ...]:
    """One text, or a list of texts (progressive hints: each `?` shows the next)."""
    v = m[key]
    if not isinstance(v, list):
        return (text(m, key),)
    if not v:
        raise Located(m.lines[key], f"'{key}' is an empty list")
    out = []
    for i, item in enumerate(v):
        one = Map({key: item})
        one.lines = {key: m.lines[key]}
        if isinstance(item, Map):
            one.lines = {key: item.line or m.lines[key]}
        try:
            out.append(text(one, key))
        except Located as e:
            raise Located(e.line, e.message.replace(f"'{key}'", f"'{key}[{i}]'", 1)) from None
    return tuple(out)


def words(m: Map, key: str) -> list[str]:
    v = m[key]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise Located(m.lines[key], f"'{key}' must be a list of words")
    return [x.strip() for x in v]


def whole(m: Map, key: str, lo: int, hi: int) -> int:
    v = m[key]
    try:
        n = int(v)
    except (TypeError, ValueError):
        raise Located(m.lines[key], f"'{key}' must be a whole number from {lo} to {hi}, not {excerpt(v)}") from None
    if not lo <= n <= hi:
        raise Located(m.lines[key], f"'{key}' must be from {lo} to {hi}, not {n}")
    return n


def number(m: Map, key: str, lo: float, hi: float) -> float:
    v = m[key]
    try:
        n = float(v)
    except (TypeError, ValueError):
        raise Located(m.lines[key], f"'{key}' must be a number of seconds, not {excerpt(v)}") from None
    if not lo <= n <= hi:
        raise Located(m.lines[key], f"'{key}' must be from {lo:g} to {hi:g} seconds, not {n:g}")
    return n


def flag(m: Map, key: str) -> bool:
    v = str(m[key]).lower()
    if v in ("true", "yes", "on"):
        return True
    if v in ("false", "no", "off"):
        return False
    raise Located(m.lines[key], f"'{key}' must be true or false, not {excerpt(m[key])}")


def accept(m: Map) -> list[str]:
    v = m["accept"]
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
        raise Located(m.lines["accept"], "'accept' must be a non-empty list of answers")
    for x in v:
        x = x.strip()
        if len(x) > 1 and x.startswith("/") and x.endswith("/"):
            try:
                re.compile(x[1:-1])
            except re.error as e:
                raise Located(m.lines["accept"], f"'accept': bad regular expression {excerpt(x)}: {e}") from None
            if backtracks(x[1:-1]):
                raise Located(
                    m.lines["accept"],
                    f"'accept': the regular expression {excerpt(x)} repeats a repetition, which can take "
                    "forever on some answers; rewrite it",
                )
    return [x.strip() for x in v]


def backtracks(pattern: str) -> bool:
    """A repeat inside a repeat, such as (a+)+ or (\\w*)*: Python's re can take exponential time on those,
    so a bank's pattern could hang drill and verify on a crafted (or unlucky) answer."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse as parser
    repeats = {parser.MAX_REPEAT, parser.MIN_REPEAT, getattr(parser, "POSSESSIVE_REPEAT", None)}

    def walk(items: Any, inside: bool) -> bool:  # the regex parser's private SubPattern
        for op, arg in items:
            if op in repeats:
                _low, high, sub = arg
                unbounded = high == parser.MAXREPEAT or high > 1
                if (unbounded and inside) or walk(sub, inside or unbounded):
                    return True
            elif op is parser.SUBPATTERN:
                if walk(arg[-1], inside):
                    return True
            elif op is parser.BRANCH:
                if any(walk(b, inside) for b in arg[1]):
                    return True
        return False

    try:
        return walk(parser.parse(pattern), False)
    except Exception:  # noqa: BLE001  (compiled above; a parser change must not refuse good banks)
        return False


def choices(m: Map) -> tuple[Text, ...]:
    """A list of texts (each may be a language mapping), or a mapping of language to a list."""
    v, line = m["choices"], m.lines["choices"]
    if isinstance(v, Map):
        lists = {lang: items for lang, items in v.items()}
        sizes = {len(x) if isinstance(x, list) else -1 for x in lists.values()}
        if (
            len(sizes) != 1
            or -1 in sizes
            or not all(isinstance(s, str) and s.strip() for x in lists.values() for s in x)
        ):
            raise Located(line, "'choices' per language must be lists of text of the same length")
        n = sizes.pop()
        items = [{lang: lists[lang][i].strip() for lang in lists} for i in range(n)]
    elif isinstance(v, list):
        items = []
        for x in v:
            if isinstance(x, str) and x.strip():
                items.append({"en": x.strip()})
            elif isinstance(x, Map) and x and all(isinstance(s, str) and s.strip() for s in x.values()):
                items.append({lang: s.strip() for lang, s in x.items()})
            else:
                raise Located(line, "each choice must be text or a language mapping")
    else:
        raise Located(line, "'choices' must be a list")
    if not 2 <= len(items) <= 8:
        raise Located(line, f"'choices' must hold 2 to 8 choices, not {len(items)}")
    return tuple(items)


def mcq_answer(m: Map, n: int) -> tuple[int, ...]:
    v, line = m["answer"], m.lines["answer"]
    raw = v if isinstance(v, list) else [v]
    out = []
    for x in raw:
        try:
            i = int(x)
        except (TypeError, ValueError):
            raise Located(
                line, f"mcq 'answer' must be a choice index (0-based) or a list of them, not {excerpt(x)}"
            ) from None
        if not 0 <= i < n:
            raise Located(line, f"mcq 'answer' {i} is out of range: there are {n} choices (0 to {n - 1})")
        if i in out:
            raise Located(line, f"mcq 'answer' lists {i} twice")
        out.append(i)
    if not out:
        raise Located(line, "mcq 'answer' is empty")
    return tuple(sorted(out))


def allow(m: Map) -> list[str]:
    names = words(m, "allow")
    for name in names:
        if not ALLOW_RE.match(name):
            raise Located(m.lines["allow"], f"'allow': '{excerpt(name)}' is not a name or dotted name")
    return names


def tolerance(m: Map) -> tuple[float, ...]:
    """A number (absolute tolerance) or {atol, rtol}."""
    v, line = m["tolerance"], m.lines["tolerance"]
    parts = dict(v) if isinstance(v, Map) else {"atol": v}
    unknown = set(parts) - {"atol", "rtol"}
    if unknown:
        raise Located(line, f"'tolerance' takes atol and rtol, not {', '.join(sorted(unknown))}")
    out = []
    for key in ("atol", "rtol"):
        try:
            x = float(parts.get(key, 0))
        except (TypeError, ValueError):
            raise Located(line, f"'tolerance' {key} must be a number, not {excerpt(parts[key])}") from None
        if not 0 <= x < 1e6:
            raise Located(line, f"'tolerance' {key} must be a number from 0, not {x:g}")
        out.append(x)
    return tuple(out)


def requires(m: Map) -> list[str]:
    """cuda, network-loopback, or a module name with an optional version range; checked here, never imported."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    names = words(m, "requires")
    for name in names:
        if name == LOOPBACK:
            continue
        match = REQUIRE_RE.match(name)
        if not match:
            raise Located(
                m.lines["requires"],
                f"'requires': '{excerpt(name)}' is not cuda, network-loopback, a module name or "
                "a module with a version range (torch>=2.4)",
            )
        if match.group(2):
            try:
                SpecifierSet(match.group(2).replace(" ", ""))
            except InvalidSpecifier:
                raise Located(m.lines["requires"], f"'requires': bad version range in '{excerpt(name)}'") from None
    return names


def excerpt(value: object, limit: int = 40) -> str:
    """A bank value echoed in an error: short, printable, never the whole of a hostile value."""
    text = (
        value
        if isinstance(value, str)
        else repr(value)
        if not isinstance(value, (list, dict))
        else type(value).__name__
    )
    text = "".join(c if c.isprintable() else "?" for c in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def forbid(m: Map) -> list[str]:
    names = words(m, "forbid")
    for name in names:
        if name not in LOOP_WORDS and not DOTTED_RE.match(name):
            raise Located(m.lines["forbid"], f"'forbid': '{excerpt(name)}' is not a dotted name or for/while")
    return names
