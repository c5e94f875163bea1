"""Loading banks (YAML) into Question values, refusing anything off the format with file and line."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import fields, types
from .errors import BankError
from .fields import Located as _Located
from .fields import Map as _Map
from .model import Bank, LearningPath, Question

Source = tuple[Path, str]  # a file or folder of banks and its origin ("shipped", a package's name, "": a path given)

BANK_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")

MAX_BANK_BYTES = 8 * 1024 * 1024
MAX_PATH_STEPS = 500  # a path is a curriculum someone follows in order, not a list of every question
MAX_QUESTION_SECONDS = 900  # seeds × timeout: one question's runs, at most

TOP_FIELDS = ("bank", "title", "tags", "topic", "setup", "seeds", "paths", "questions")
COMMON = (
    "id", "type", "prompt", "tags", "topic", "difficulty", "hint", "explanation", "requires", "timeout", "source",
    "after",
)  # fmt: skip
PATH_FIELDS = ("id", "title", "steps")
TYPE_FIELDS = {name: m.FIELDS for name, m in types.REGISTRY.items()}
REQUIRED = {name: m.REQUIRED for name, m in types.REGISTRY.items()}
# Fields holding Python code: a failure inside one maps back to its line in the bank file.
CODE_FIELDS = ("setup", "starter", "solution", "tests", "check", "code")


def shipped_dir() -> Path:
    """The banks that come with quizkit: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "questions", here.parent / "questions"):
        if candidate.is_dir():
            return candidate
    return here / "questions"


def warnings_of(questions: Iterable[Question]) -> list[str]:
    """One line per warning of the questions (file:line: id: what), for check, verify and doctor to show."""
    return [f"{q.path}:{line}: {q.full_id}: {why}" for q in questions for line, why in q.warnings]


def bank_files(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files named or found (recursively) under the given paths, in a stable order."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file())
            if not found:
                raise BankError(p, 0, "no bank in this folder (banks are .yaml or .yml files)")
            files += found
        elif p.exists():
            files.append(p)
        else:
            raise BankError(p, 0, "no such file or folder")
    return files


def load_banks(paths: Sequence[Source | Path | str] | None = None) -> tuple[list[Bank], list[BankError]]:
    """See _load_banks. The cyclic garbage collector is held off meanwhile: building 100,000 questions
    triggers it hundreds of times over objects that are all alive (it cost a third of the load)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        return _load_banks(paths)
    finally:
        if was:
            gc.enable()


def _load_banks(paths: Sequence[Source | Path | str] | None = None) -> tuple[list[Bank], list[BankError]]:
    """Every bank under `paths` (default: the shipped ones). A broken bank is reported, the rest still load.

    An item of `paths` is a file or folder, or a (file or folder, origin) pair: the origin ("shipped", a
    package's name) is set on its banks and named in its errors; a missing folder with an origin is that
    origin's error, a missing path given alone is the caller's (raised). Bank ids are one namespace: a bank
    whose id is taken by an earlier one is refused, naming both."""
    banks: list[Bank] = []
    errors: list[BankError] = []
    seen: dict[str, tuple[Path, str]] = {}
    for item in paths or [(shipped_dir(), "shipped")]:
        where, origin = item if isinstance(item, tuple) else (item, "")
        try:
            files = bank_files([where])
        except BankError as e:
            if not origin:
                raise
            errors.append(_from(e, origin))
            continue
        for f in files:
            try:
                bank = load_bank(f)
            except BankError as e:
                errors.append(_from(e, origin))
                continue
            if bank.id in seen:
                first, first_origin = seen[bank.id]
                by = (
                    f"{first_origin} bank {first}"
                    if first_origin == "shipped"
                    else f"{first}" + (f" (package {first_origin})" if first_origin else "")
                )
                errors.append(_from(BankError(f, 0, f"bank id '{bank.id}' is already used by {by}"), origin))
                continue
            bank.origin = origin
            seen[bank.id] = (f, origin)
            banks.append(bank)
    return banks, errors


def _from(e: BankError, origin: str) -> BankError:
    """The error, naming the installed package it came from."""
    if not origin or origin == "shipped":
        e.origin = origin
        return e
    named = BankError(e.path, e.line, f"{e.message} (package {origin})")
    named.origin = origin
    return named


def load_bank(path: str | Path) -> Bank:
    """One bank file, from the cache when the file is unchanged. Whatever goes wrong is this bank's
    one-line BankError, never a traceback."""
    from . import cache

    path = Path(path)
    try:
        st = _stat(path)
        cached = cache.get(path, st)
        if cached is not None:
            return cached
        bank = _load(path, _read(path))
        cache.put(path, st, bank)
        return bank
    except BankError:
        raise
    except _Located as e:
        raise BankError(path, e.line, e.message) from None
    except RecursionError:
        raise BankError(path, 0, "nested too deeply") from None
    except Exception as e:  # noqa: BLE001  (a hostile bank must not take the others down with it)
        yaml = sys.modules.get("yaml")  # imported only when a bank was parsed, not read from the cache
        if yaml is not None and isinstance(e, yaml.YAMLError):
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            problem = getattr(e, "problem", None) or str(e)
            raise BankError(path, mark.line + 1 if mark else 0, f"bad YAML: {fields.excerpt(problem, 120)}") from None
        raise BankError(path, 0, f"cannot load: {type(e).__name__}: {fields.excerpt(str(e), 120)}") from None


def _stat(path: Path) -> os.stat_result:
    try:
        st = os.stat(path)
    except OSError as e:
        raise BankError(path, 0, f"cannot read: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise BankError(path, 0, "not a regular file")  # a FIFO or a device would block or never end
    if st.st_size > MAX_BANK_BYTES:
        raise BankError(path, 0, f"larger than {MAX_BANK_BYTES // (1024 * 1024)} MiB")
    return st


def _read(path: Path) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read(MAX_BANK_BYTES + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise BankError(
            path, 0, f"cannot read: {getattr(e, 'strerror', None) or fields.excerpt(str(e), 120)}"
        ) from None


def _load(path: Path, text: str) -> Bank:
    from .yamlload import Loader as _Loader
    from .yamlload import check_size as _check_size

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_size(node)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return _bank(path, data)


def _bank(path: Path, data: object) -> Bank:
    if not isinstance(data, _Map):
        raise _Located(1, "a bank must be a mapping with a 'questions' list")
    fields.no_unknown(data, TOP_FIELDS, "bank")
    bank_id = fields.string(data, "bank") if "bank" in data else path.stem
    if not BANK_RE.match(bank_id):
        raise _Located(
            data.lines.get("bank", 1), f"bank id '{fields.excerpt(bank_id)}' must be letters, digits, '-', '_' or '.'"
        )
    if len(bank_id) > fields.MAX_ID:
        raise _Located(
            data.lines.get("bank", 1), f"bank id '{fields.excerpt(bank_id)}' must be at most {fields.MAX_ID} characters"
        )
    title = fields.text(data, "title") if "title" in data else None
    tags = fields.words(data, "tags") if "tags" in data else []
    defaults = {
        "topic": _topic(data) if "topic" in data else None,
        "setup": fields.code(data, "setup") if "setup" in data else None,
        "seeds": fields.whole(data, "seeds", 1, 100) if "seeds" in data else 1,
    }
    if "questions" not in data:
        raise _Located(data.line, "missing 'questions'")
    items = data["questions"]
    if not isinstance(items, list) or not items:
        raise _Located(data.lines["questions"], "'questions' must be a non-empty list")
    bank = Bank(id=bank_id, path=str(path), title=title)
    seen: dict[str, int] = {}
    for item in items:
        q = _question(bank_id, path, item, tags, data.lines["questions"], defaults)
        if q.id in seen:
            raise _Located(q.line, f"duplicate id '{q.id}' (first at line {seen[q.id]})")
        seen[q.id] = q.line
        bank.questions.append(q)
    for q in bank.questions:
        _known(bank_id, seen, q.after, dict(q.lines).get("after", q.line), f"question '{q.id}': 'after'")
    if "paths" in data:
        bank.paths = _paths(bank_id, data, seen)
    return bank


def _full(bank_id: str, ref: str) -> str:
    """A reference to a question: a bare id is in this bank, `bank/id` in any loaded bank."""
    return ref if "/" in ref else f"{bank_id}/{ref}"


def _known(bank_id: str, seen: dict[str, int], refs: Iterable[str], line: int, what: str) -> None:
    """References into this bank must name its questions; other banks' are checked once all are loaded."""
    for ref in refs:
        bank, _, qid = ref.partition("/")
        if not BANK_RE.match(bank) or not fields.ID_RE.match(qid):
            raise _Located(line, f"{what}: '{fields.excerpt(ref)}' is not a question id (ID or BANK/ID)")
        if bank == bank_id and qid not in seen:
            raise _Located(line, f"{what}: no question '{fields.excerpt(qid)}' in this bank")


def _paths(bank_id: str, data: _Map, seen: dict[str, int]) -> list[LearningPath]:
    items = data["paths"]
    if not isinstance(items, list) or not items:
        raise _Located(data.lines["paths"], "'paths' must be a non-empty list")
    out: list[LearningPath] = []
    for m in items:
        if not isinstance(m, _Map):
            raise _Located(data.lines["paths"], "each path must be a mapping with 'id' and 'steps'")
        fields.no_unknown(m, PATH_FIELDS, "path")
        fields.required(m, ("id", "steps"), "path")
        pid = fields.ident(m, "path id")
        if any(p.id == pid for p in out):
            raise _Located(m.lines["id"], f"duplicate path id '{pid}'")
        steps = tuple(_full(bank_id, s) for s in fields.words(m, "steps"))
        if not steps:
            raise _Located(m.lines["steps"], f"path '{pid}': 'steps' is an empty list")
        if len(steps) > MAX_PATH_STEPS:
            raise _Located(m.lines["steps"], f"path '{pid}': more than {MAX_PATH_STEPS} steps; split it")
        if len(set(steps)) != len(steps):
            raise _Located(m.lines["steps"], f"path '{pid}': a step is listed twice")
        _known(bank_id, seen, steps, m.lines["steps"], f"path '{pid}'")
        title = fields.text(m, "title") if "title" in m else None
        out.append(LearningPath(pid, bank_id, steps, title, m.line))
    return out


def _topic(m: _Map) -> str:
    value = fields.string(m, "topic")
    if not fields.ID_RE.match(value) or len(value) > fields.MAX_ID:
        raise _Located(m.lines["topic"], f"topic '{fields.excerpt(value)}' must match [a-z0-9][a-z0-9-]* (it is a tag)")
    return value


def _question(
    bank_id: str, path: Path, m: object, bank_tags: list[str], list_line: int, defaults: dict[str, Any]
) -> Question:
    """The fields every question has; the type's own module parses the rest into its Body."""
    if not isinstance(m, _Map):
        raise _Located(list_line, "each question must be a mapping")
    fields.required(m, ("id", "type"), "question")
    qid = fields.ident(m, "id")
    qtype = fields.string(m, "type")
    if qtype not in types.REGISTRY:
        raise _Located(
            m.lines["type"], f"question '{qid}': type '{fields.excerpt(qtype)}' is not one of {', '.join(types.NAMES)}"
        )
    kind = types.of(qtype)
    fields.no_unknown(m, COMMON + kind.FIELDS, f"{qtype} question '{qid}'")
    fields.required(m, ("prompt",) + kind.REQUIRED, f"{qtype} question '{qid}'")
    f = {
        "bank": bank_id,
        "id": qid,
        "type": qtype,
        "path": str(path),
        "line": m.line,
        "prompt": fields.text(m, "prompt"),
        "tags": tuple(dict.fromkeys(bank_tags + (fields.words(m, "tags") if "tags" in m else []))),
        "topic": _topic(m) if "topic" in m else defaults.get("topic"),
        "lines": tuple((k, m.starts[k]) for k in m if k in CODE_FIELDS),
        "body": kind.parse(m, defaults),
    }
    if f["topic"] and f["topic"] not in f["tags"]:
        f["tags"] = (f["topic"], *f["tags"])  # a topic is a tag too: --tag/--topic finds it
    if "difficulty" in m:
        f["difficulty"] = fields.whole(m, "difficulty", 1, 5)
    if "explanation" in m:
        f["explanation"] = fields.text(m, "explanation")
    if "hint" in m:
        f["hint"] = fields.texts(m, "hint")
    if "requires" in m:
        f["requires"] = tuple(fields.requires(m))
    if "after" in m:
        f["after"] = tuple(_full(bank_id, ref) for ref in fields.words(m, "after"))
        if f"{bank_id}/{qid}" in f["after"]:
            raise _Located(m.lines["after"], f"question '{qid}': 'after' names the question itself")
        f["lines"] += (("after", m.lines["after"]),)
    if "timeout" in m:
        f["timeout"] = fields.number(m, "timeout", 0.1, 600)
    runs = getattr(f["body"], "seeds", 1) * f.get("timeout", 10.0)
    if runs > MAX_QUESTION_SECONDS:
        raise _Located(
            m.line,
            f"question '{qid}': seeds × timeout allows {runs:g} s of runs; at most "
            f"{MAX_QUESTION_SECONDS} s (a verify must end)",
        )
    if "source" in m:
        f["source"] = fields.string(m, "source")
    f["lines"] += tuple((k, m.lines[k]) for k in ("forbid", "allow", "max_lines") if k in m)
    lint = getattr(kind, "lint", None)
    if lint is not None:
        f["warnings"] = tuple(lint(m, f["body"]))
    return Question(**f)
