"""Plain values passed between modules. Imports nothing of quizkit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# A text that may be translated: {"en": "...", "zh": "..."}.
Text = dict[str, str]


def pick(text: Text | None, lang: str = "en") -> str:
    """The text in `lang`, else English, else whatever language there is."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()))


@dataclass(frozen=True, slots=True)
class Question:
    bank: str
    id: str
    type: str
    prompt: Text
    path: str = ""
    line: int = 0
    tags: tuple[str, ...] = ()
    topic: str | None = None  # the bank's `topic:` (or the bank's default): what scores count it under
    difficulty: int = 2
    hint: tuple[Text, ...] = ()  # progressive hints: each `?` shows the next
    explanation: Text | None = None
    requires: tuple[str, ...] = ()
    timeout: float = 10.0
    source: str | None = None
    body: Any = None  # the type's own payload: quizkit/types/<type>.py Body
    lines: tuple[tuple[str, int], ...] = ()  # (field, first line of its text in the bank file)
    after: tuple[str, ...] = ()  # full ids of the questions to get right first (learning paths)
    warnings: tuple[tuple[int, str], ...] = ()  # (line, message): what the loader found wrong but loads

    @property
    def full_id(self) -> str:
        return f"{self.bank}/{self.id}"

    def line_of(self, name: str) -> int:
        """The line in the bank file where field `name`'s text starts (the question's line if unknown)."""
        line: int = dict(self.lines).get(name, self.line)
        return line


@dataclass(frozen=True, slots=True)
class Wrong:
    """A plausible wrong answer to a code question, and the misconception it stands for."""

    code: str
    why: Text
    line: int = 0


@dataclass(frozen=True, slots=True)
class Right:
    """A correct answer in another style than the solution (another API, loops...): verify proves the
    tests and rules accept it, so no right answer a strong candidate writes is refused."""

    code: str
    why: Text
    line: int = 0


@dataclass(frozen=True)
class LearningPath:
    """Questions in the order to learn them: each step unlocks the next (and a question's `after`)."""

    id: str
    bank: str  # the bank that declares it
    steps: tuple[str, ...]  # full ids, in order
    title: Text | None = None
    line: int = 0


@dataclass
class Bank:
    id: str
    path: str
    title: Text | None = None
    questions: list[Question] = field(default_factory=list)
    paths: list[LearningPath] = field(default_factory=list)
    origin: str = ""  # where it came from: "shipped", an installed package's name, or "" (a path given)


@dataclass
class RunResult:
    """What one isolated run of code did. status: pass fail error timeout memory crashed."""

    status: str
    stdout: str = ""
    stderr: str = ""
    error: str | None = None  # "ZeroDivisionError: division by zero"
    where: str | None = None  # "tests line 3"
    line: str | None = None  # the source text of the failing line
    seconds: float = 0.0
    seed: int | None = None  # under `seeds`, the seed of the run that failed

    @property
    def ok(self) -> bool:
        return self.status == "pass"


@dataclass
class Verdict:
    """How an answer was judged. `correct` None means skipped."""

    correct: bool | None
    detail: str = ""  # why, in one line (failing test, forbidden name, ...)
    run: RunResult | None = None
    notes: list[str] = field(default_factory=list)  # what else the learner should know (what this torch printed)


@dataclass
class VerifyResult:
    id: str
    type: str
    status: str  # pass | fail | skip
    reason: str = ""
    seconds: float = 0.0
    path: str = ""  # the bank file, and the line the failure points at
    line: int = 0
    cached: bool = False  # a pass remembered from an earlier verify: nothing it depends on changed


InputKind = Literal["reveal", "line", "choice", "code"]  # what a question asks the learner for
MockKind = Literal["code", "read", "recall"]  # which share of a mock interview a question fills


@dataclass(frozen=True)
class TypeInfo:
    """What the front ends and ui need of a question type, declared by the type (quizkit/types): nothing
    outside a type's own module spells its name."""

    name: str
    label: str | Text  # its name as shown: a msgid of quizkit's catalog, or {en, zh} from a plugin
    short: str | Text  # the same, short, for counts in `list`
    input: InputKind
    mock: MockKind
    keys: str | Text | None = None  # the keys line, where the input kind's own does not fit
    shows_run: bool = False  # a verdict carries a run: the failing line, the time the tests took
    solution_on_verdict: bool = True  # the right answer is shown with the verdict


_INFO: dict[str, TypeInfo] = {}  # filled by quizkit.types as it loads (before any question exists)


def register_type(info: TypeInfo) -> None:
    _INFO[info.name] = info


def type_info(name: str) -> TypeInfo:
    """A registered type's TypeInfo; an unknown name gets a plain one (shown by its name), never a KeyError."""
    return _INFO.get(name) or TypeInfo(name, name, name, "line", "read")


# ---- what the study engine returns (quizkit/engine.py): plain values for the CLI to render ----


@dataclass
class Asked:
    """The question being asked, as the engine presents it."""

    question: Question
    state: Any = None  # the card's scheduling state in review (None: new, or drill)
    order: list[int] | None = None  # mcq: bank indexes in the order shown
    input: InputKind = "line"  # what the learner is asked for
    position: str = ""  # "3/10", "review 4 · 12 left"
    extra: list[tuple[str, Any]] = field(default_factory=list)  # blocks shown under the prompt (code, choices...)
    started: float = 0.0
    hints: int = 0
    tries: int = 0
    first_correct: bool | None = None
    last_answer: str | None = None  # a retry starts from this


@dataclass(frozen=True)
class Hint:
    text: str  # empty: the question has no hint
    number: int = 0  # 1-based: which hint this is
    total: int = 0


@dataclass
class Outcome:
    """What happened to an answer (or a skip): the verdict, what to show, and whether the question is done."""

    question: Question
    verdict: Verdict
    done: bool = True  # False: a failing code answer that may be retried
    first_correct: bool | None = None
    solution: list[tuple[str, Any]] = field(default_factory=list)  # blocks showing the right answer
    explanation: str = ""  # only once done
    source: str | None = None
    scheduled: Any = None  # review: the scheduler's result for this card
    retry: bool = False


@dataclass(frozen=True)
class After:
    """What the learner may do once an answer is stored (engine.Session.after)."""

    rerate: bool = False  # change a right answer's rating to hard or easy
    undo: bool = False  # take the answer back and be asked again
    hinted: bool = False  # a hint was used: the rating is hard at best
    unscheduled: bool = False  # stored, but the card was not scheduled (the new-cards limit was reached)
    schedule: Any = None  # the scheduler's result, where the mode tells the next due time


@dataclass
class Summary:
    score: Any
    title: str = "session summary"
    saved: bool = True  # False: the last answer could not be stored
    report: Any = None  # what the mode adds (a mock interview's report)
