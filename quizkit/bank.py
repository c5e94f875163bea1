"""Loading banks (YAML) into Question values, refusing anything off the format with file and line."""
from __future__ import annotations

import difflib
import os
import re
import stat
from pathlib import Path

import yaml

from .errors import BankError
from .model import TYPES, Bank, Question, Wrong
from .text import safe

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
BANK_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
LANG_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)?\Z")
DOTTED_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
LOOP_WORDS = ("for", "while")
# A requirement: a module name, optionally with a version range (torch>=2.4, numpy>=1.26,<3).
REQUIRE_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*([<>=!~].*)?\Z")
ALLOW_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

MAX_BANK_BYTES = 8 * 1024 * 1024
MAX_NODES = 200_000       # YAML nodes after aliases are expanded: a bank is thousands, a bomb billions
MAX_ALIASES = 10_000

TOP_FIELDS = ("bank", "title", "tags", "setup", "seeds", "questions")
COMMON = ("id", "type", "prompt", "tags", "difficulty", "hint", "explanation", "requires", "timeout", "source")
TYPE_FIELDS = {
    "flashcard": ("answer",),
    "short": ("accept", "answer", "examples", "reject", "code"),
    "mcq": ("choices", "answer", "code", "check", "shuffle"),
    "output": ("code", "expected", "accept", "tolerance"),
    "code": ("starter", "solution", "tests", "wrong", "setup", "forbid", "allow", "max_lines", "seeds"),
}
# Fields holding Python code: each must compile, and a failure inside one maps back to its line.
CODE_FIELDS = ("setup", "starter", "solution", "tests", "check", "code")
REQUIRED = {
    "flashcard": ("answer",),
    "short": ("accept",),
    "mcq": ("choices", "answer"),
    "output": ("code", "expected"),
    "code": ("starter", "solution", "tests"),
}


class _Map(dict):
    """A mapping that remembers the line of itself, of each key, and where each value's text starts."""
    line = 0
    lines: dict
    starts: dict


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Every plain scalar stays a string: `expected: 0.10` must not become 0.1.
    Typed fields (difficulty, answer, ...) are converted by the validator.
    libyaml's parser where PyYAML has it: the shipped banks load in 0.04 s instead of 0.32 s."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:merge"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_map(loader, node):
    # Keys written in this mapping override keys merged in with `<<: *base`; a key written twice is an error.
    own = {id(k) for k, _ in node.value if k.tag != MERGE_TAG}
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.lines, out.starts = {}, {}
    mine: set = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise _Located(line, "keys must be plain words")
        is_own = id(key_node) in own
        if key in mine and is_own:
            raise _Located(line, f"duplicate key '{key}' (first at line {out.lines[key]})")
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
        # A block scalar (| or >) starts its text on the line after the indicator.
        block = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">")
        out.starts[key] = value_node.start_mark.line + 1 + (1 if block else 0)
        if is_own:
            mine.add(key)
    return out


def _check_size(node):
    """Refuse alias bombs before anything expands them: count the nodes as if every alias were a copy."""
    sizes: dict = {}
    aliases = 0

    def size(n):
        nonlocal aliases
        key = id(n)
        if key in sizes:
            if sizes[key] is None:
                raise _Located(n.start_mark.line + 1, "YAML alias refers to itself")
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _Located(n.start_mark.line + 1, f"more than {MAX_ALIASES} YAML aliases")
            return sizes[key]
        sizes[key] = None
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(size(c) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in n.value)
        if total > MAX_NODES:
            raise _Located(n.start_mark.line + 1, f"YAML aliases expand this to more than {MAX_NODES} values")
        sizes[key] = total
        return total

    size(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _construct_str(loader, node):
    # Bank text reaches the terminal: no escape sequences or control characters ("\e[2J" in a prompt).
    return safe(loader.construct_scalar(node), line_limit=0)


_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


class _Located(Exception):
    def __init__(self, line, message):
        self.line, self.message = line, message


def shipped_dir() -> Path:
    """The banks that come with quizkit: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "questions", here.parent / "questions"):
        if candidate.is_dir():
            return candidate
    return here / "questions"


def bank_files(paths) -> list[Path]:
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


def load_banks(paths=None) -> tuple[list[Bank], list[BankError]]:
    """Every bank under `paths` (default: the shipped ones). A broken bank is reported, the rest still load."""
    banks, errors, seen = [], [], {}
    for f in bank_files(paths or [shipped_dir()]):
        try:
            bank = load_bank(f)
        except BankError as e:
            errors.append(e)
            continue
        if bank.id in seen:
            errors.append(BankError(f, 0, f"bank id '{bank.id}' is already used by {seen[bank.id]}"))
            continue
        seen[bank.id] = f
        banks.append(bank)
    return banks, errors


def load_bank(path) -> Bank:
    """One bank file. Whatever goes wrong is this bank's one-line BankError, never a traceback."""
    path = Path(path)
    try:
        return _load(path, _read(path))
    except BankError:
        raise
    except _Located as e:
        raise BankError(path, e.line, e.message) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise BankError(path, mark.line + 1 if mark else 0, f"bad YAML: {_excerpt(problem, 120)}") from None
    except RecursionError:
        raise BankError(path, 0, "nested too deeply") from None
    except Exception as e:  # noqa: BLE001  (a hostile bank must not take the others down with it)
        raise BankError(path, 0, f"cannot load: {type(e).__name__}: {_excerpt(str(e), 120)}") from None


def _read(path: Path) -> str:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise BankError(path, 0, "not a regular file")  # a FIFO or a device would block or never end
        if st.st_size > MAX_BANK_BYTES:
            raise BankError(path, 0, f"larger than {MAX_BANK_BYTES // (1024 * 1024)} MiB")
        with open(path, encoding="utf-8") as f:
            return f.read(MAX_BANK_BYTES + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise BankError(path, 0, f"cannot read: {getattr(e, 'strerror', None) or _excerpt(str(e), 120)}") from None


def _load(path: Path, text: str) -> Bank:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_size(node)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return _bank(path, data)


def _bank(path: Path, data) -> Bank:
    if not isinstance(data, _Map):
        raise _Located(1, "a bank must be a mapping with a 'questions' list")
    _no_unknown(data, TOP_FIELDS, "bank")
    bank_id = _str(data, "bank") if "bank" in data else path.stem
    if not BANK_RE.match(bank_id):
        raise _Located(data.lines.get("bank", 1), f"bank id '{_excerpt(bank_id)}' must be letters, digits, '-', '_' or '.'")
    title = _text(data, "title") if "title" in data else None
    tags = _str_list(data, "tags") if "tags" in data else []
    defaults = {
        "setup": _code(data, "setup") if "setup" in data else None,
        "seeds": _int(data, "seeds", 1, 100) if "seeds" in data else 1,
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
    return bank


def _question(bank_id, path, m, bank_tags, list_line, defaults) -> Question:
    if not isinstance(m, _Map):
        raise _Located(list_line, "each question must be a mapping")
    for key in ("id", "type"):
        if key not in m:
            raise _Located(m.line, f"question is missing '{key}'")
    qid = _str(m, "id")
    if not ID_RE.match(qid):
        raise _Located(m.lines["id"], f"id '{_excerpt(qid)}' must match [a-z0-9][a-z0-9-]*")
    qtype = _str(m, "type")
    if qtype not in TYPES:
        raise _Located(m.lines["type"], f"question '{qid}': type '{_excerpt(qtype)}' is not one of {', '.join(TYPES)}")
    allowed = COMMON + TYPE_FIELDS[qtype]
    _no_unknown(m, allowed, f"{qtype} question '{qid}'")
    for key in ("prompt",) + REQUIRED[qtype]:
        if key not in m:
            raise _Located(m.line, f"{qtype} question '{qid}' is missing '{key}'")

    f = {
        "bank": bank_id, "id": qid, "type": qtype, "path": str(path), "line": m.line,
        "prompt": _text(m, "prompt"),
        "tags": tuple(dict.fromkeys(bank_tags + (_str_list(m, "tags") if "tags" in m else []))),
        "lines": tuple((k, m.starts[k]) for k in m if k in CODE_FIELDS),
    }
    if "difficulty" in m:
        f["difficulty"] = _int(m, "difficulty", 1, 5)
    for key in ("hint", "explanation"):
        if key in m:
            f[key] = _text(m, key)
    if "requires" in m:
        f["requires"] = tuple(_requires(m))
    if "timeout" in m:
        f["timeout"] = _number(m, "timeout", 0.1, 600)
    if "source" in m:
        f["source"] = _str(m, "source")
    if "expected" in m:
        f["expected"] = _str(m, "expected", strip=False)
    for key in CODE_FIELDS:
        if key in m and key != "setup":
            f[key] = _code(m, key)
    if "accept" in m:
        f["accept"] = tuple(_accept(m))

    if qtype == "flashcard":
        f["answer"] = _text(m, "answer")
    elif qtype == "short":
        if "answer" in m:
            f["answer"] = _text(m, "answer")
        for key in ("examples", "reject"):
            if key in m:
                f[key] = tuple(_str_list(m, key))
    elif qtype == "output":
        if "tolerance" in m:
            f["tolerance"] = _tolerance(m)
    elif qtype == "mcq":
        f["choices"] = _choices(m)
        f["correct"] = _mcq_answer(m, len(f["choices"]))
        if "shuffle" in m:
            f["shuffle"] = _bool(m, "shuffle")
    elif qtype == "code":
        if "forbid" in m:
            f["forbid"] = tuple(_forbid(m))
        if "allow" in m:
            f["allow"] = tuple(_allow(m))
        if "max_lines" in m:
            f["max_lines"] = _int(m, "max_lines", 1, 1000)
        own = _code(m, "setup") if "setup" in m else None
        setups = [s for s in (defaults["setup"], own) if s]
        if setups:
            f["setup"] = "\n".join(setups)
        f["seeds"] = _int(m, "seeds", 1, 100) if "seeds" in m else defaults["seeds"]
        if "wrong" in m:
            f["wrong"] = _wrong(m)
    return Question(**f)


def _code(m, key) -> str:
    """Python code that must compile; a syntax error points at its own line in the bank file."""
    code = _str(m, key, strip=False)
    try:
        compile(code, f"<{key}>", "exec", dont_inherit=True)
    except SyntaxError as e:
        line = m.starts[key] + (e.lineno or 1) - 1
        raise _Located(line, f"'{key}' is not valid Python: {_excerpt(e.msg or 'syntax error', 80)}") from None
    except (ValueError, MemoryError, RecursionError) as e:
        raise _Located(m.starts[key], f"'{key}' is not valid Python: {_excerpt(str(e), 80)}") from None
    return code


def _wrong(m) -> tuple:
    v = m["wrong"]
    if not isinstance(v, list) or not v:
        raise _Located(m.lines["wrong"], "'wrong' must be a list of {code, why}")
    out = []
    for item in v:
        if not isinstance(item, _Map):
            raise _Located(m.lines["wrong"], "each 'wrong' answer must be a mapping with 'code' and 'why'")
        _no_unknown(item, ("code", "why"), "'wrong' answer")
        for key in ("code", "why"):
            if key not in item:
                raise _Located(item.line, f"'wrong' answer is missing '{key}'")
        out.append(Wrong(code=_code(item, "code"), why=_text(item, "why"), line=item.starts["code"]))
    return tuple(out)


# ---- field checks: each raises _Located with the line of the offending key ----

def _no_unknown(m: _Map, allowed, what):
    for key in m:
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise _Located(m.lines[key], f"{what}: unknown field '{_excerpt(key)}'{hint}")


def _str(m, key, strip=True) -> str:
    v = m[key]
    if not isinstance(v, str):
        raise _Located(m.lines[key], f"'{key}' must be text")
    if not v.strip():
        raise _Located(m.lines[key], f"'{key}' is empty")
    return v.strip() if strip else v


def _text(m, key) -> dict:
    """Text, or a language mapping {en: ..., zh: ...}."""
    v = m[key]
    if isinstance(v, str):
        if not v.strip():
            raise _Located(m.lines[key], f"'{key}' is empty")
        return {"en": v.strip()}
    if isinstance(v, _Map) and v:
        for lang, s in v.items():
            if not LANG_RE.match(lang):
                raise _Located(v.lines[lang], f"'{key}': '{_excerpt(lang)}' is not a language code (en, zh, ...)")
            if not isinstance(s, str) or not s.strip():
                raise _Located(v.lines[lang], f"'{key}.{lang}' must be non-empty text")
        return {lang: s.strip() for lang, s in v.items()}
    raise _Located(m.lines[key], f"'{key}' must be text or a mapping of language to text")


def _str_list(m, key) -> list[str]:
    v = m[key]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise _Located(m.lines[key], f"'{key}' must be a list of words")
    return [x.strip() for x in v]


def _int(m, key, lo, hi) -> int:
    v = m[key]
    try:
        n = int(v)
    except (TypeError, ValueError):
        raise _Located(m.lines[key], f"'{key}' must be a whole number from {lo} to {hi}, not {_excerpt(v)}") from None
    if not lo <= n <= hi:
        raise _Located(m.lines[key], f"'{key}' must be from {lo} to {hi}, not {n}")
    return n


def _number(m, key, lo, hi) -> float:
    v = m[key]
    try:
        n = float(v)
    except (TypeError, ValueError):
        raise _Located(m.lines[key], f"'{key}' must be a number of seconds, not {_excerpt(v)}") from None
    if not lo <= n <= hi:
        raise _Located(m.lines[key], f"'{key}' must be from {lo:g} to {hi:g} seconds, not {n:g}")
    return n


def _bool(m, key) -> bool:
    v = str(m[key]).lower()
    if v in ("true", "yes", "on"):
        return True
    if v in ("false", "no", "off"):
        return False
    raise _Located(m.lines[key], f"'{key}' must be true or false, not {_excerpt(m[key])}")


def _accept(m) -> list[str]:
    v = m["accept"]
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
        raise _Located(m.lines["accept"], "'accept' must be a non-empty list of answers")
    for x in v:
        x = x.strip()
        if len(x) > 1 and x.startswith("/") and x.endswith("/"):
            try:
                re.compile(x[1:-1])
            except re.error as e:
                raise _Located(m.lines["accept"], f"'accept': bad regular expression {_excerpt(x)}: {e}") from None
    return [x.strip() for x in v]


def _choices(m) -> tuple:
    """A list of texts (each may be a language mapping), or a mapping of language to a list."""
    v, line = m["choices"], m.lines["choices"]
    if isinstance(v, _Map):
        lists = {lang: items for lang, items in v.items()}
        sizes = {len(x) if isinstance(x, list) else -1 for x in lists.values()}
        if len(sizes) != 1 or -1 in sizes or not all(
                isinstance(s, str) and s.strip() for x in lists.values() for s in x):
            raise _Located(line, "'choices' per language must be lists of text of the same length")
        n = sizes.pop()
        items = [{lang: lists[lang][i].strip() for lang in lists} for i in range(n)]
    elif isinstance(v, list):
        items = []
        for x in v:
            if isinstance(x, str) and x.strip():
                items.append({"en": x.strip()})
            elif isinstance(x, _Map) and x and all(isinstance(s, str) and s.strip() for s in x.values()):
                items.append({lang: s.strip() for lang, s in x.items()})
            else:
                raise _Located(line, "each choice must be text or a language mapping")
    else:
        raise _Located(line, "'choices' must be a list")
    if not 2 <= len(items) <= 8:
        raise _Located(line, f"'choices' must hold 2 to 8 choices, not {len(items)}")
    return tuple(items)


def _mcq_answer(m, n) -> tuple:
    v, line = m["answer"], m.lines["answer"]
    raw = v if isinstance(v, list) else [v]
    out = []
    for x in raw:
        try:
            i = int(x)
        except (TypeError, ValueError):
            raise _Located(line, f"mcq 'answer' must be a choice index (0-based) or a list of them, not {_excerpt(x)}") from None
        if not 0 <= i < n:
            raise _Located(line, f"mcq 'answer' {i} is out of range: there are {n} choices (0 to {n - 1})")
        if i in out:
            raise _Located(line, f"mcq 'answer' lists {i} twice")
        out.append(i)
    if not out:
        raise _Located(line, "mcq 'answer' is empty")
    return tuple(sorted(out))


def _allow(m) -> list[str]:
    names = _str_list(m, "allow")
    for name in names:
        if not ALLOW_RE.match(name):
            raise _Located(m.lines["allow"], f"'allow': '{_excerpt(name)}' is not a name or dotted name")
    return names


def _tolerance(m) -> tuple:
    """A number (absolute tolerance) or {atol, rtol}."""
    v, line = m["tolerance"], m.lines["tolerance"]
    parts = dict(v) if isinstance(v, _Map) else {"atol": v}
    unknown = set(parts) - {"atol", "rtol"}
    if unknown:
        raise _Located(line, f"'tolerance' takes atol and rtol, not {', '.join(sorted(unknown))}")
    out = []
    for key in ("atol", "rtol"):
        try:
            x = float(parts.get(key, 0))
        except (TypeError, ValueError):
            raise _Located(line, f"'tolerance' {key} must be a number, not {_excerpt(parts[key])}") from None
        if not 0 <= x < 1e6:
            raise _Located(line, f"'tolerance' {key} must be a number from 0, not {x:g}")
        out.append(x)
    return tuple(out)


def _requires(m) -> list[str]:
    """cuda, or a module name with an optional version range; checked here, never imported."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    names = _str_list(m, "requires")
    for name in names:
        match = REQUIRE_RE.match(name)
        if not match:
            raise _Located(m.lines["requires"], f"'requires': '{_excerpt(name)}' is not cuda, a module name or "
                                                "a module with a version range (torch>=2.4)")
        if match.group(2):
            try:
                SpecifierSet(match.group(2).replace(" ", ""))
            except InvalidSpecifier:
                raise _Located(m.lines["requires"], f"'requires': bad version range in '{_excerpt(name)}'") from None
    return names


def _excerpt(value, limit: int = 40) -> str:
    """A bank value echoed in an error: short, printable, never the whole of a hostile value."""
    text = value if isinstance(value, str) else repr(value) if not isinstance(value, (list, dict)) else \
        type(value).__name__
    text = "".join(c if c.isprintable() else "?" for c in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _forbid(m) -> list[str]:
    names = _str_list(m, "forbid")
    for name in names:
        if name not in LOOP_WORDS and not DOTTED_RE.match(name):
            raise _Located(m.lines["forbid"], f"'forbid': '{_excerpt(name)}' is not a dotted name or for/while")
    return names
