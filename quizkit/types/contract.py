"""What a question type module declares: the contract every type keeps, the built-in five and a package's
alike (docs/bank-format.md, "Question types from a package"). mypy checks the built-ins against it
(quizkit/types/__init__.py); the loader checks a package's module has what NEEDED names."""

from __future__ import annotations

from typing import Any, Protocol

from ..model import InputKind, MockKind, RunResult, Text, Verdict

# A display block, rendered by ui and anki: ("md", text), ("code", text), ("choices", [(letter, text)]),
# ("answer", text).
Block = tuple[str, Any]


class Runs(Protocol):
    """What judging and verifying call on the runner (quizkit/runner.py's Runner keeps it)."""

    def run(
        self,
        pieces: list[tuple[str, str]],
        device: str = ...,
        timeout: float = ...,
        answer: int | None = ...,
        seeds: int = ...,
        memory_mb: int | None = ...,
        question: Any = ...,
        reach: Any = ...,
    ) -> RunResult: ...


class QuestionType(Protocol):
    """Read-only members (properties here), so a module's own narrower types keep the contract."""

    @property
    def NAME(self) -> str: ...
    @property
    def FIELDS(self) -> tuple[str, ...]: ...  # its own fields, beside the common ones (id, prompt, hint...)
    @property
    def REQUIRED(self) -> tuple[str, ...]: ...
    @property
    def INPUT(self) -> InputKind: ...
    @property
    def RUNS(self) -> bool: ...  # answering it needs the torch runner
    @property
    def SCHEMA(self) -> dict[str, Any]: ...  # JSON Schema of each of its fields
    @property
    def LABEL(self) -> str | Text: ...  # its name as shown (a msgid, or {en, zh})
    @property
    def SHORT(self) -> str | Text: ...
    @property
    def MOCK(self) -> MockKind: ...
    @property
    def Body(self) -> type: ...

    def parse(self, m: Any, defaults: dict[str, Any]) -> Any: ...

    def order(self, q: Any, rng: Any) -> list[int] | None: ...

    def judge(self, q: Any, answer: str, ctx: Any, order: list[int] | None = None) -> Verdict: ...

    def verify(self, q: Any, ctx: Any) -> tuple[str, int] | None: ...

    def extra(self, q: Any, lang: str, order: list[int] | None) -> list[Block]: ...

    def solution(self, q: Any, lang: str, order: list[int] | None) -> list[Block]: ...


# What the loader checks a module has before it is registered (the rest have defaults: KEYS_LINE, SHOWS_RUN,
# SOLUTION_ON_VERDICT).
NEEDED = (
    "NAME",
    "FIELDS",
    "REQUIRED",
    "INPUT",
    "RUNS",
    "SCHEMA",
    "Body",
    "parse",
    "order",
    "judge",
    "verify",
    "extra",
    "solution",
)
INPUTS = ("reveal", "line", "choice", "code")
MOCKS = ("code", "read", "recall")
