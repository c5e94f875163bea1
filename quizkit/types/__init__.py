"""One module per question type: its fields, parsing, judging, verify step, the input it needs and how
it is shown (the contract: quizkit/types/contract.py). Types are found through the entry-point group
`quizkit.types`, the built-in five (declared in quizkit's own pyproject.toml) and a package's alike: a
new type is a module in any installed distribution, and one entry point naming it.

Each module has:
  NAME, FIELDS (its own fields), REQUIRED, INPUT ("reveal" | "line" | "choice" | "code"), RUNS (answering
  it needs the torch runner), SCHEMA (JSON Schema of its fields), Body (its typed payload), LABEL and SHORT
  (its name as shown), MOCK (the share of a mock it fills: "code" | "read" | "recall"), optionally KEYS_LINE,
  SHOWS_RUN, SOLUTION_ON_VERDICT, and parse(m, defaults) -> Body, order(q, rng) -> choice order or None,
  judge(q, answer, ctx) -> Verdict, verify(q, ctx) -> (reason, line) or None, extra(q, lang, order) ->
  blocks shown with the prompt, solution(q, lang, order) -> blocks showing the right answer.
Blocks are plain tuples that ui renders: ("md", text), ("code", text), ("choices", [(letter, text)]),
("answer", text).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import packages
from ..model import Question, TypeInfo, register_type
from .contract import INPUTS, MOCKS, NEEDED, QuestionType, Runs

if TYPE_CHECKING:  # mypy holds the built-ins to the contract a package's type keeps
    from . import code, flashcard, mcq, output, short

    _flashcard: QuestionType = flashcard
    _short: QuestionType = short
    _mcq: QuestionType = mcq
    _output: QuestionType = output
    _code: QuestionType = code

GROUP = "quizkit.types"
BUILTIN = ("flashcard", "short", "mcq", "output", "code")  # and their order in lists and tables


def _checked(name: str, target: str) -> ModuleType:
    """The module an entry point names, once it keeps the contract; else ValueError saying what is missing."""
    module = importlib.import_module(target.partition(":")[0].strip())
    missing = [a for a in NEEDED if not hasattr(module, a)]
    if missing:
        raise ValueError(f"{target} lacks {', '.join(missing)}")
    if module.NAME != name:
        raise ValueError(f"entry point '{name}' names a type called '{module.NAME}'")
    if module.INPUT not in INPUTS or getattr(module, "MOCK", "read") not in MOCKS:
        raise ValueError(f"{target}: INPUT must be one of {', '.join(INPUTS)}; MOCK one of {', '.join(MOCKS)}")
    return module


def _info(m: Any) -> TypeInfo:
    label = getattr(m, "LABEL", m.NAME)
    return TypeInfo(
        name=m.NAME,
        label=label,
        short=getattr(m, "SHORT", label),
        input=m.INPUT,
        mock=getattr(m, "MOCK", "read"),
        keys=getattr(m, "KEYS_LINE", None),
        shows_run=getattr(m, "SHOWS_RUN", False),
        solution_on_verdict=getattr(m, "SOLUTION_ON_VERDICT", True),
    )


def _load() -> tuple[dict[str, Any], list[str]]:
    """(registry, errors): every type the installed distributions declare; the built-ins first, in their
    order. A type that cannot be loaded is left out with a one-line reason (doctor shows it); a built-in
    missing from the metadata (quizkit run from a source tree, not installed) is loaded directly."""
    found: dict[str, Any] = {}
    errors: list[str] = []
    entries = {n: (dist, target) for dist, _v, n, target in packages.entry_points(GROUP)}
    for name in BUILTIN:
        entries.setdefault(name, ("quizkit", f"quizkit.types.{name}"))
    for name in sorted(entries, key=lambda n: (n not in BUILTIN, BUILTIN.index(n) if n in BUILTIN else 0, n)):
        dist, target = entries[name]
        try:
            found[name] = _checked(name, target)
        except Exception as e:  # a broken plugin must not break quizkit for every bank
            errors.append(
                f"question type '{name}' from {dist}: {str(e).splitlines()[0] if str(e) else type(e).__name__}"
            )
    for m in found.values():
        register_type(_info(m))
    return found, errors


REGISTRY, ERRORS = _load()
NAMES = tuple(REGISTRY)


def of(q: Question | str) -> QuestionType:
    """The type module of a question (or of a type name)."""
    kind: QuestionType = REGISTRY[q if isinstance(q, str) else q.type]
    return kind


@dataclass
class Ctx:
    """What judging and verifying need: the runner (None where no code runs), the device, the language."""

    runner: Runs | None = None
    device: str = "cpu"
    lang: str = "en"
    cuda: bool = False
