"""Rules that cannot match: a `forbid` (or `allow`) entry that names nothing an answer could use.

`forbid: [cos]` forbids the bare name `cos`, which no answer has (it is `torch.cos` or `math.cos`), so the
rule holds nothing back while its author believes it does. Two steps find such entries:

- at load time, here, without torch: a bare name must be a builtin, a keyword the rules know (`for`,
  `while`), a name every run has (`torch`, `nn`, `F`, `math`, `assert_close`, `device`) or a name the
  question's setup or tests define; a `math.` name must exist in math; any other dotted name must start
  with such a name or with a module that is installed here (found without importing it). What fails is a
  warning on the question, with the line of its `forbid`/`allow`, which `check` and `verify` show (and
  `doctor --json` lists) and which fails the question in `verify`.
- in `verify`, in the worker (only the worker imports torch): every dotted name under `torch` (also written
  `nn.`, `F.`) must resolve in the torch that runs the answers (`torch_snippet`; a submodule is imported
  the way an answer's `import` would). A name that does not fails the question, with a close match.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import json
import keyword
import math
from collections.abc import Iterable

LOOPS = ("for", "while")
SCOPE = ("torch", "nn", "F", "math", "assert_close", "device")  # what every run's namespace holds
_ALIASES = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional"}
_MARK = "__quizkit_unresolved__ "


def canonical(name: str) -> str:
    head, _, rest = name.partition(".")
    base = _ALIASES.get(head, head)
    return f"{base}.{rest}" if rest else base


def defined_names(*codes: str | None) -> set[str]:
    """Every name the code binds anywhere (functions, classes, variables, imports): an over-estimate of
    what its top level defines, which is all a lint needs."""
    names: set[str] = set()
    for code in codes:
        if not code:
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _module_here(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None  # a top-level name: found, never imported
    except (ImportError, ValueError):
        return False


def _bare(name: str, defined: set[str]) -> str | None:
    if keyword.iskeyword(name) or name in ("match", "case", "type"):
        return f"'forbid': '{name}' is a keyword; of the keywords only `for` and `while` can be forbidden"
    if hasattr(builtins, name) or name in SCOPE or name in defined:
        return None
    near = f"math.{name}" if hasattr(math, name) else f"torch.{name}"
    return (
        f"'forbid': '{name}' matches nothing: it is no builtin, no keyword and no name the run, setup or tests "
        f"define, so no answer can use it (write the dotted name, e.g. '{near}')"
    )


def _dotted(key: str, name: str, defined: set[str]) -> str | None:
    head, _, rest = name.partition(".")
    if head in _ALIASES:
        return None  # resolved in the worker, by verify
    if head == "math":
        obj: object = math
        for part in rest.split("."):
            if not hasattr(obj, part):
                near = difflib.get_close_matches(part, dir(obj), n=1)
                hint = f" (did you mean '{name.rsplit('.', 1)[0]}.{near[0]}'?)" if near else ""
                return f"'{key}': '{name}' does not exist in math, so it matches nothing{hint}"
            obj = getattr(obj, part)
        return None
    if hasattr(builtins, head) or head in defined or _module_here(head):
        return None
    return (
        f"'{key}': '{name}' matches nothing: '{head}' is no module installed here and no name in scope (an "
        f"answer's `import numpy as np` is followed: forbid the module's own name, numpy.sum, not np.sum)"
    )


def static_problems(forbid: Iterable[str], allow: Iterable[str], defined: set[str]) -> list[tuple[str, str]]:
    """(field, what is wrong) with the rules, as far as it can be told without torch (see the module's doc)."""
    out: list[tuple[str, str]] = []
    for name in forbid:
        if name in LOOPS:
            continue
        problem = _dotted("forbid", name, defined) if "." in name else _bare(name, defined)
        if problem:
            out.append(("forbid", problem))
    for name in allow:
        if "." in name:
            problem = _dotted("allow", name, defined)
            if problem:
                out.append(("allow", problem))
    return out


def torch_names(forbid: Iterable[str], allow: Iterable[str]) -> list[tuple[str, str]]:
    """(field, name as written) of every dotted rule entry under torch: for the worker to resolve."""
    return [
        (key, name)
        for key, names in (("forbid", forbid), ("allow", allow))
        for name in names
        if "." in name and name.partition(".")[0] in _ALIASES
    ]


def torch_snippet(names: list[tuple[str, str]]) -> str:
    """Code for the worker: prints, on one marked line, the names that do not resolve in its torch, each
    with a close match in the object where the lookup stopped (or '')."""
    wanted = [canonical(name) for _key, name in names]
    return f"""
import difflib as _difflib, importlib as _importlib, json as _json
def _resolve(name):
    parts = name.split(".")
    obj = torch
    for i in range(1, len(parts)):
        try:
            obj = getattr(obj, parts[i])
        except AttributeError:
            try:
                obj = _importlib.import_module(".".join(parts[: i + 1]))
            except ImportError:
                near = _difflib.get_close_matches(parts[i], dir(obj), n=1)
                return ".".join(parts[:i] + near) if near else ""
    return None
_out = {{n: _resolve(n) for n in {wanted!r}}}
print({_MARK!r} + _json.dumps({{n: m for n, m in _out.items() if m is not None}}))
"""


def unresolved(names: list[tuple[str, str]], stdout: str) -> list[tuple[str, str, str]]:
    """(field, name as written, a close match or '') for each name the snippet's output says did not
    resolve."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        if line.startswith(_MARK):
            found = json.loads(line[len(_MARK) :])
    return [(key, name, found[canonical(name)]) for key, name in names if canonical(name) in found]
