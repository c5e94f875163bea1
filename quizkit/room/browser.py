"""The browser: every question in a table (id, bank, type, level, status, due, last result), a search box,
filters by type and status, a sort, and a detail pane (the prompt, your attempts and their code, the review
history, the card's stability and next due); Enter starts the question highlighted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Markdown, Select, Static

from ..app import browse
from ..i18n import N_, _
from .common import Keys, fence, translate_keys

TYPES = ("flashcard", "short", "mcq", "output", "code")
STATUSES = ("new", "learning", "review", "done", "missed")
SORT_LABELS = {
    "bank": N_("bank order"), "id": N_("id"), "type": N_("type"), "level": N_("level"), "status": N_("status"),
    "due": N_("due"), "last": N_("last result"),
}  # fmt: skip
STATUS_LABELS = {"new": N_("new"), "learning": N_("learning"), "review": N_("review"), "done": N_("done"),
                 "missed": N_("missed")}  # fmt: skip
GRADES = {1: N_("again"), 2: N_("hard"), 3: N_("good"), 4: N_("easy")}


def when(t: datetime | None) -> str:
    return t.strftime("%m-%d %H:%M") if t else "–"


class BrowserScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+f", "search", N_("search"), priority=True),
        Binding("ctrl+o", "sort", N_("sort"), priority=True),
    ]
    DEFAULT_CSS = """
    BrowserScreen #filters { height: 3; }
    BrowserScreen #search { width: 1fr; }
    BrowserScreen #type { width: 18; }
    BrowserScreen #status { width: 20; }
    BrowserScreen #table { height: 1fr; }
    BrowserScreen #detail { height: 9; border: round $secondary; padding: 0 1; }
    BrowserScreen #count { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, backend: Any, name: str | None = None):
        super().__init__(name=name)
        translate_keys(self)
        self.backend = backend
        self.sort = "bank"
        self.cards: list[browse.Card] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder=_("search ids, tags, prompts"), id="search")
            yield Select([(t, t) for t in TYPES], prompt=_("any type"), id="type")
            yield Select([(_(STATUS_LABELS[s]), s) for s in STATUSES], prompt=_("any status"), id="status")
        with Vertical():
            yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="count")
            yield Markdown("", id="detail")
        yield Keys()

    async def on_mount(self) -> None:
        table = self.query_one("#table", DataTable)
        for label in (N_("id"), N_("type"), N_("level"), N_("status"), N_("due"), N_("last")):
            table.add_column(_(label), key=label)
        self.query_one("#detail").border_title = _("detail")
        await self.refill()
        table.focus()

    async def on_screen_resume(self) -> None:
        if self.is_mounted:
            await self.refill()

    # ---- filters, search, sort ----

    def filters(self) -> dict[str, Any]:
        qtype = self.query_one("#type", Select).value
        status = self.query_one("#status", Select).value
        return {
            "search": self.query_one("#search", Input).value.strip() or None,
            "qtypes": [qtype] if isinstance(qtype, str) else [],
            "statuses": [status] if isinstance(status, str) else [],
            "sort": self.sort,
            "lang": self.backend.lang,
        }

    async def refill(self) -> None:
        self.cards = await self.backend.call(browse.cards, self.backend.questions, self.backend.store, **self.filters())
        table = self.query_one("#table", DataTable)
        table.clear()
        for c in self.cards:
            last = "–" if c.last is None else "✓" if c.last else "✗"
            table.add_row(c.row.id, c.row.type, "★" * c.row.level, _(STATUS_LABELS[c.row.status]), when(c.due), last,
                          key=c.row.id)  # fmt: skip
        self.query_one("#count", Static).update(
            _("{n} questions · sorted by {sort}").format(n=len(self.cards), sort=_(SORT_LABELS[self.sort]))
        )
        if self.cards:
            await self.show_detail(self.cards[0].row.id)
        else:
            await self.query_one("#detail", Markdown).update(_("no questions match"))

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    async def _filter(self) -> None:
        await self.refill()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    async def action_sort(self) -> None:
        keys = list(SORT_LABELS)
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)]
        await self.refill()

    # ---- the detail pane, and starting a question ----

    @on(DataTable.RowHighlighted, "#table")
    async def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            await self.show_detail(event.row_key.value)

    @on(DataTable.RowSelected, "#table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.start_question(event.row_key.value)  # type: ignore[attr-defined]

    async def show_detail(self, qid: str) -> None:
        d = await self.backend.call(browse.detail, self.backend.questions, self.backend.store, qid, self.backend.lang)
        await self.query_one("#detail", Markdown).update(detail_markdown(d))


def detail_markdown(d: browse.Detail) -> str:
    v = d.view
    parts = [f"**{v['id']}** · {v['type']} · {'★' * v['level']} · {_(STATUS_LABELS[v['status']])}", v["prompt"]]
    if d.card is not None:
        c = d.card
        parts.append(
            _("card: stability {stability} days · difficulty {difficulty} · next due {due} · {reps} reviews, "
              "{lapses} lapses").format(
                stability=c["stability"], difficulty=c["difficulty"], due=when(c["due"]), reps=c["reps"],
                lapses=c["lapses"],
            )
        )  # fmt: skip
    else:
        parts.append(_("not in review yet"))
    if not d.attempts:
        parts.append(_("no attempts yet"))
    for a in reversed(d.attempts):
        mark = "✓" if a["correct"] else "✗"
        line = f"{mark} {a['time'][:16].replace('T', ' ')} · {a['mode']}"
        if a["rating"]:
            line += " · " + _("rated {rating}").format(rating=_(GRADES[int(a["rating"])]))
        if a["hints"]:
            line += " · " + _("{n} hints").format(n=a["hints"])
        parts.append(line)
        parts.append(fence(a["answer"], "python" if v["input"] == "code" else ""))
    return "\n\n".join(parts)
