"""One module per question type: its fields, parsing, judging, verify step, the input it needs and how
it is shown. A new type is one new module here (plus its schema entries) and a line in REGISTRY.

Each module has:
  NAME, FIELDS (its own fields), REQUIRED, INPUT ("reveal" | "line" | "choice" | "code"), RUNS (answering
  it needs the torch runner), SCHEMA (JSON Schema of its fields), Body (its typed payload), and
  parse(m, defaults) -> Body, order(q, rng) -> choice order or None, judge(q, answer, ctx) -> Verdict,
  verify(q, ctx) -> (reason, line) or None, extra(q, lang, order) -> blocks shown with the prompt,
  solution(q, lang, order) -> blocks showing the right answer.
Blocks are plain tuples that ui renders: ("md", text), ("code", text), ("choices", [(letter, text)]),
("answer", text).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import code, flashcard, mcq, output, short

REGISTRY = {m.NAME: m for m in (flashcard, short, mcq, output, code)}
NAMES = tuple(REGISTRY)


def of(q):
    """The type module of a question (or of a type name)."""
    return REGISTRY[q if isinstance(q, str) else q.type]


@dataclass
class Ctx:
    """What judging and verifying need: the runner (None where no code runs), the device, the language."""

    runner: object = None
    device: str = "cpu"
    lang: str = "en"
    cuda: bool = False
