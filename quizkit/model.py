"""Plain values passed between modules. Imports nothing of quizkit."""
from __future__ import annotations

from dataclasses import dataclass, field

TYPES = ("flashcard", "short", "mcq", "output", "code")

# A text that may be translated: {"en": "...", "zh": "..."}.
Text = dict


def pick(text: Text | None, lang: str = "en") -> str:
    """The text in `lang`, else English, else whatever language there is."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()))


@dataclass(frozen=True)
class Question:
    bank: str
    id: str
    type: str
    prompt: Text
    path: str = ""
    line: int = 0
    tags: tuple = ()
    difficulty: int = 2
    hint: Text | None = None
    explanation: Text | None = None
    requires: tuple = ()
    timeout: float = 10.0
    source: str | None = None
    answer: Text | None = None          # flashcard
    correct: tuple = ()                 # mcq: indexes of the right choices
    choices: tuple = ()                 # mcq: tuple of Text
    shuffle: bool = True
    check: str | None = None            # mcq
    accept: tuple = ()                  # short, output
    code: str | None = None             # shown (short, mcq) or run (output)
    expected: str | None = None         # output
    starter: str | None = None          # code
    solution: str | None = None
    tests: str | None = None
    forbid: tuple = ()

    @property
    def full_id(self) -> str:
        return f"{self.bank}/{self.id}"


@dataclass
class Bank:
    id: str
    path: str
    title: Text | None = None
    questions: list = field(default_factory=list)


@dataclass
class RunResult:
    """What one isolated run of code did. status: pass fail error timeout memory crashed."""
    status: str
    stdout: str = ""
    stderr: str = ""
    error: str | None = None        # "ZeroDivisionError: division by zero"
    where: str | None = None        # "tests line 3"
    line: str | None = None         # the source text of the failing line
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "pass"


@dataclass
class Verdict:
    """How an answer was judged. `correct` None means skipped."""
    correct: bool | None
    detail: str = ""                # why, in one line (failing test, forbidden name, ...)
    run: RunResult | None = None


@dataclass
class VerifyResult:
    id: str
    type: str
    status: str                     # pass | fail | skip
    reason: str = ""
    seconds: float = 0.0
