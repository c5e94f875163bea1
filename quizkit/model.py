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
    allow: tuple = ()                   # code: the only names the answer may use
    max_lines: int | None = None        # code: at most this many logical lines
    setup: str | None = None            # code: run before the answer (the bank's setup, then the question's)
    seeds: int = 1                      # code: runs under seeds 0 .. seeds-1
    wrong: tuple = ()                   # code: Wrong answers verify proves the tests reject
    examples: tuple = ()                # short: answers that must be accepted
    reject: tuple = ()                  # short: answers that must not be
    tolerance: tuple | None = None      # output: (atol, rtol) for the numbers in the text
    lines: tuple = ()                   # (field, first line of its text in the bank file)

    @property
    def full_id(self) -> str:
        return f"{self.bank}/{self.id}"

    def line_of(self, name: str) -> int:
        """The line in the bank file where field `name`'s text starts (the question's line if unknown)."""
        return dict(self.lines).get(name, self.line)


@dataclass(frozen=True)
class Wrong:
    """A plausible wrong answer to a code question, and the misconception it stands for."""
    code: str
    why: Text
    line: int = 0


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
    seed: int | None = None         # under `seeds`, the seed of the run that failed

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
    path: str = ""                  # the bank file, and the line the failure points at
    line: int = 0
