"""A browser of the learner's cards, as Anki has: every question with its status, next due time and last
result, searched, filtered and sorted; and one card's detail (its attempts and their code, its review
history, the card's stability and next due time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import catalog
from ..errors import QuizkitError
from ..i18n import _
from ..model import Question
from . import questions as qs

SORTS = ("bank", "id", "type", "level", "status", "due", "last")


@dataclass(frozen=True)
class Card:
    """A question's row in the browser."""

    row: qs.Row
    due: datetime | None  # the card's next review (None: never scheduled)
    last: bool | None  # whether the last answer was right (None: never answered)
    attempts: int


@dataclass(frozen=True)
class Detail:
    """One card: its public view, every attempt (oldest first: time, right, mode, answer, hints, seconds,
    and the review's rating where it was one) and the card's state (None: never scheduled)."""

    view: dict[str, Any]
    attempts: list[dict[str, Any]]
    card: dict[str, Any] | None


def cards(
    questions: Sequence[Question],
    store: Any,
    *,
    search: str | None = None,
    qtypes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    banks: Sequence[str] = (),
    level: str | None = None,
    sort: str = "bank",
    lang: str = "en",
) -> list[Card]:
    """The questions matching every filter, sorted by `sort` (one of SORTS; `due`: the soonest first and
    never scheduled last; `last`: the last answer wrong first, then right, then never answered)."""
    if sort not in SORTS:
        raise QuizkitError(_("sort by one of {names}, not '{value}'").format(names=", ".join(SORTS), value=sort))
    pool = list(questions)
    if level:
        lo, hi = catalog.parse_difficulty(level, "--level")
        pool = [q for q in pool if lo <= q.difficulty <= hi]
    found = qs.rows(pool, store, search=search or None, qtypes=qtypes, banks=banks, statuses=statuses, lang=lang)
    dues = {qid: datetime.fromisoformat(due) for qid, due, _leech in store.card_dues()}
    progress = store.progress()
    out = [
        Card(
            r,
            dues.get(r.id),
            progress[r.id].last_right if r.id in progress else None,
            progress[r.id].attempts if r.id in progress else 0,
        )
        for r in found
    ]
    return sorted(out, key=_key(sort)) if sort != "bank" else out


def _key(sort: str) -> Any:
    far = datetime.max.replace(tzinfo=None)
    keys: dict[str, Any] = {
        "id": lambda c: c.row.id,
        "type": lambda c: (c.row.type, c.row.id),
        "level": lambda c: (c.row.level, c.row.id),
        "status": lambda c: (catalog.STATUSES.index(c.row.status), c.row.id),
        "due": lambda c: (c.due is None, c.due.replace(tzinfo=None) if c.due else far, c.row.id),
        "last": lambda c: ({False: 0, True: 1, None: 2}[c.last], c.row.id),
    }
    return keys[sort]


def detail(questions: Sequence[Question], store: Any, qid: str, lang: str = "en") -> Detail:
    """A card's detail. An unknown id is a QuizkitError naming the closest ids."""
    from ..scheduler import CardState

    q = qs.find(questions, qid)
    view = qs.public_view(q, lang, store.workspace_hints(q.full_id))
    view["status"] = catalog.status(q.full_id, store.progress(), store.phases())
    keep = ("time", "correct", "mode", "answer", "hints", "seconds", "rating", "due", "stability")
    attempts = [{k: a[k] for k in keep} for a in store.iter_attempts() if a["question"] == q.full_id]
    state = store.card(q.full_id)
    card = None
    if state is not None:
        c = CardState.from_json(state)
        card = {
            "due": c.due,
            "phase": c.phase.name.lower(),
            "stability": round(c.card.stability or 0.0, 2),
            "difficulty": round(c.card.difficulty or 0.0, 2),
            "reps": c.reps,
            "lapses": c.lapses,
            "leech": c.leech,
        }
    return Detail(view, attempts, card)
