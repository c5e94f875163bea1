"""The learner's numbers for every front end: stats (today, streak, accuracy by topic, retention, the due
forecast, a heatmap, the last mocks) and what is due for review now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import catalog
from .. import stats as numbers
from .context import App
from .optimize import in_force


def stats(app: App, store: Any, banks: Sequence[Any], mocks: int = 10) -> dict[str, Any]:
    """`banks` name the topics; a question no bank loaded is counted under its bank's name."""
    topic = {q.full_id: catalog.topic_of(q) for b in banks for q in b.questions}
    data = numbers.compute(
        store, lambda qid: topic.get(qid) or qid.split("/")[0], app.scheduler(store=store), app.clock()
    )
    data["mocks"] = store.mocks(mocks)
    data["fsrs"] = in_force(store)
    return data


def due(app: App, store: Any, limit: int = 20) -> list[dict[str, Any]]:
    """The cards due now, most overdue first: id, due time, phase and stability."""
    from ..scheduler import CardState

    out = []
    for qid, state in store.due_cards(app.clock(), limit):
        card = CardState.from_json(state)
        out.append({"id": qid, "due": card.due.isoformat(timespec="seconds"), "phase": card.phase.name.lower(),
                    "stability": round(card.card.stability or 0.0, 2)})  # fmt: skip
    return out
