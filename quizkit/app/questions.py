"""Questions for every front end: load the banks, find one, list and search them with the learner's
status, and a question's public view: what a learner may see before answering.

The public view never holds a solution, tests, wrong or right answers, accepted patterns, an expected
output or mcq answers: only the prompt, what the type shows under it (a starter, a snippet, the choices),
the rules an answer must keep, and the hints revealed so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .. import catalog, checks, types
from ..errors import BankError, QuizkitError
from ..i18n import _
from ..model import Bank, Question, pick


def load(paths: Sequence[str] | None = None) -> tuple[list[Bank], list[Question], list[BankError]]:
    """(banks, questions, errors): the banks named (a path or a bank's name), or the shipped and installed
    ones; each broken bank is an error beside those that load."""
    banks, questions, errors = catalog.load(list(paths) if paths else None)
    return banks, questions, errors


def find(questions: Sequence[Question], qid: str) -> Question:
    return catalog.find(questions, qid)


@dataclass(frozen=True)
class Row:
    """One question in a listing, with the learner's status on it."""

    id: str
    bank: str
    type: str
    level: int
    title: str
    tags: tuple[str, ...]
    topic: str
    status: str

    def to_json(self) -> dict[str, Any]:
        return dict(asdict(self), tags=list(self.tags))


def title(q: Question, lang: str = "en") -> str:
    """The prompt's first line, without Markdown's heading marks."""
    text = pick(q.prompt, lang).strip()
    return text.split("\n", 1)[0].lstrip("# ").strip() if text else q.id


def rows(
    questions: Sequence[Question],
    store: Any,
    *,
    search: str | None = None,
    tags: Sequence[str] = (),
    qtypes: Sequence[str] = (),
    banks: Sequence[str] = (),
    statuses: Sequence[str] = (),
    limit: int | None = None,
    lang: str = "en",
) -> list[Row]:
    """The questions matching every filter given, in bank order, with their status (new, learning,
    review, done, missed)."""
    for st in statuses:
        if st not in catalog.STATUSES:
            raise QuizkitError(
                _("--status must be one of {names}, not '{value}'").format(names=", ".join(catalog.STATUSES), value=st)
            )
    chosen = catalog.matching(questions, tags, qtypes, runnable=False)
    if banks:
        chosen = [q for q in chosen if q.bank in banks]
    if search:
        chosen = catalog.search(chosen, search)
    progress, phases = store.progress(), store.phases()
    out = []
    for q in chosen:
        st = catalog.status(q.full_id, progress, phases)
        if statuses and st not in statuses:
            continue
        out.append(Row(q.full_id, q.bank, q.type, q.difficulty, title(q, lang), q.tags, catalog.topic_of(q), st))
        if limit is not None and len(out) >= limit:
            break
    return out


def rules(q: Question) -> dict[str, Any]:
    """The rules an answer must keep (code questions): names it may not use, the only names it may use,
    and its longest length. Empty where the question has none."""
    body = q.body
    out: dict[str, Any] = {}
    if getattr(body, "forbid", ()):
        out["forbid"] = list(body.forbid)
    if getattr(body, "allow", ()):
        out["allow"] = list(body.allow)
    if getattr(body, "max_lines", None):
        out["max_lines"] = body.max_lines
    return out


def rule_lines(q: Question) -> list[str]:
    """The rules as every front end shows them with the prompt: one Markdown line each, in the interface's
    language (quizkit.checks.rule_lines; the same words a refusal names). Empty where there are none."""
    return checks.rule_lines(q.body)


def public_view(q: Question, lang: str = "en", hints_shown: int = 0, order: list[int] | None = None) -> dict[str, Any]:
    """What a learner sees of `q` before answering, as plain JSON values. `order`: an mcq's choices in the
    order this learner is shown them."""
    kind = types.of(q)
    blocks = kind.extra(q, lang, order)
    view: dict[str, Any] = {
        "id": q.full_id,
        "bank": q.bank,
        "type": q.type,
        "input": kind.INPUT,
        "level": q.difficulty,
        "title": title(q, lang),
        "tags": list(q.tags),
        "topic": catalog.topic_of(q),
        "prompt": pick(q.prompt, lang),
        "blocks": [[k, v if isinstance(v, str) else [list(c) for c in v]] for k, v in blocks],
        "rules": rules(q),
        "rule_lines": rule_lines(q),
        "hints": [pick(h, lang) for h in q.hint[:hints_shown]],
        "hints_total": len(q.hint),
        "requires": list(q.requires),
    }
    starter = getattr(q.body, "starter", None)
    if kind.INPUT == "code" and starter is not None:
        view["starter"] = starter
    for k, v in blocks:
        if k == "choices":
            view["choices"] = [{"letter": letter, "text": text} for letter, text in v]
    return view


def bank_format() -> str:
    """The bank format reference (docs/bank-format.md, installed as quizkit/docs), as Markdown."""
    from importlib import resources
    from pathlib import Path

    try:
        return resources.files("quizkit.docs").joinpath("bank-format.md").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    here = Path(__file__).resolve().parents[2] / "docs" / "bank-format.md"  # a checkout installed before docs were
    if here.is_file():
        return here.read_text(encoding="utf-8")
    raise QuizkitError(_("the bank format reference is not installed with this quizkit"))
