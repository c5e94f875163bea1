"""The interview: a live countdown above the prompt, an editor (or the widget a question type takes) beside
it, the run's verdict below, and the keys in the footer. Every answer is judged and stored by the app
layer's sitting (quizkit/app/interview.py), on the backend's thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.screen import Screen
from textual.widgets import Input, Markdown, OptionList, Static  # Input: textual.app has it loaded already

from ..app.interview import Checked, Interview, Shown
from ..errors import QuizkitError
from ..i18n import N_, _
from . import report
from .common import Keys, mmss, translate_keys

if TYPE_CHECKING:
    from textual.widgets import SelectionList, TextArea

GRADES = (N_("again"), N_("hard"), N_("good"), N_("easy"))


class InterviewScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+r", "run", N_("run"), priority=True),
        Binding("ctrl+g", "hint", N_("hint"), priority=True),
        Binding("ctrl+n", "next", N_("skip · next"), priority=True),
        # after a right answer in review (shown only then; the editor's and the line's own keys otherwise)
        Binding("ctrl+t", "rate('h')", N_("hard"), priority=True),
        Binding("ctrl+e", "rate('e')", N_("easy"), priority=True),
        Binding("ctrl+u", "undo", N_("undo"), priority=True),
    ]
    DEFAULT_CSS = """
    InterviewScreen #bar { height: 1; padding: 0 1; background: $primary-background; }
    InterviewScreen #bar.low { background: $warning-darken-2; color: $text; }
    InterviewScreen #bar.out { background: $error; color: $text; }
    InterviewScreen #prompt-box { width: 2fr; height: 1fr; border: round $primary; }
    InterviewScreen #right { width: 3fr; }
    InterviewScreen #results-box { height: 9; border: round $secondary; }
    InterviewScreen Markdown { margin: 0; padding: 0 1; }
    InterviewScreen #results { padding: 0 1; }
    InterviewScreen #editor, InterviewScreen #choices { height: 1fr; }
    InterviewScreen #line { margin: 1 0; }
    InterviewScreen #back { height: auto; max-height: 12; }
    InterviewScreen #report { height: 1fr; padding: 0 1; }
    """

    def __init__(self, backend: Any, sitting: Interview, first: Shown | None = None, name: str | None = None):
        super().__init__(name=name)
        translate_keys(self)
        self.backend, self.sitting = backend, sitting
        self.first = first  # the first question, asked before the app started: composed, not mounted after
        self.editor: TextArea | None = None  # made for the first code task, kept for the next ones
        self.shown: Shown | None = None
        self.checked: Checked | None = None
        self.revealed = False
        self.busy = False
        self.ended = False

    def compose(self) -> ComposeResult:
        yield Static("", id="bar")
        with Vertical(id="body"):
            with Horizontal(id="top"):
                with VerticalScroll(id="prompt-box"):
                    yield Markdown(self.first.markdown if self.first else "", id="prompt")
                with Vertical(id="right"):  # the widget the question's type takes (`show` mounts the next)
                    yield from self._widgets(self.first) if self.first else ()
            with VerticalScroll(id="results-box"):
                yield Static("", id="results")
        yield Keys()  # the report's Markdown is mounted at the end: the first screen does not lay it out

    async def on_mount(self) -> None:
        self.query_one("#prompt-box").border_title = _("question")
        self.query_one("#results-box").border_title = _("results")
        self.set_interval(1.0, self.tick)
        if self.first is None:
            await self.advance()
            return
        # In the first frame, with no hop to the backend's thread and no second layout (issue 20's
        # start-up: a mount after the first paint cost a second full render, ~15 ms)
        self._present(self.first, list(self.query_one("#right").children))
        self.call_after_refresh(self._highlight)

    # ---- the clock ----

    def tick(self) -> None:
        """The header, once a second; at the end of a mock's time the report comes."""
        if self.ended:
            return
        bar = self.query_one("#bar", Static)
        clock = self.sitting.countdown()
        position = self.shown.position if self.shown else ""
        if clock is None:
            bar.update(position)
            return
        n, total = (self.shown.number, self.shown.total) if self.shown else (0, self.sitting.total)
        bar.update(
            " · ".join(
                (
                    _("question {n}/{total}").format(n=n, total=total),
                    _("⏱ {left} left").format(left=mmss(clock.left)),
                    _("this one {spent} / aim {aim}").format(spent=mmss(clock.spent), aim=mmss(clock.aim)),
                )
            )
        )
        bar.set_classes(clock.level)
        if clock.level == "out" and not self.busy:
            self.run_worker(self.finish(), exclusive=True, group="sitting")

    # ---- the keys ----

    def action_run(self) -> None:
        if self.ended or self.busy or self.shown is None:
            return
        if self.checked is not None and self.checked.done:
            self.notify(_("this question is done: the next key asks the next one"))
            return
        kind = self.shown.input
        if kind == "reveal":
            if not self.revealed:
                self.run_worker(self._reveal(), group="sitting")
            return
        answer = self._answer(kind)
        if answer is None:
            return
        self.run_worker(self.check(answer), exclusive=True, group="sitting")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Re-rate and undo exist only for a right answer in review that allows them (False: the key is
        not in the footer and goes to the focused widget, as ctrl+e and ctrl+u in the editor)."""
        if action == "rate":
            return self._after("rerate")
        if action == "undo":
            return self._after("undo")
        return True

    def _after(self, what: str) -> bool:
        c = self.checked
        return not self.ended and not self.busy and c is not None and bool(getattr(c, what))

    def action_rate(self, choice: str) -> None:
        if self._after("rerate"):
            self.run_worker(self._rerate(choice), exclusive=True, group="sitting")

    def action_undo(self) -> None:
        if self._after("undo"):
            self.run_worker(self._undo(), exclusive=True, group="sitting")

    def action_hint(self) -> None:
        if self.ended or self.busy or self.shown is None:
            return
        self.run_worker(self._hint(), group="sitting")

    def action_next(self) -> None:
        if self.ended or self.busy:
            return
        if self.checked is None or not self.checked.done:  # unanswered: skip; a failed try: give up
            self.run_worker(self._give_up(), exclusive=True, group="sitting")
            return
        self.run_worker(self.advance(), exclusive=True, group="sitting")

    @on(Input.Submitted, "#line")
    def _line_entered(self) -> None:
        self.action_run()

    @on(OptionList.OptionSelected, "#grades")
    def _graded(self, event: OptionList.OptionSelected) -> None:
        if self.revealed and self.checked is None and not self.busy:
            self.run_worker(self.check(str(event.option_index + 1)), exclusive=True, group="sitting")

    # ---- the work, on the backend's thread ----

    async def advance(self) -> None:
        self.busy = True
        try:
            shown = await self.backend.call(self.sitting.next)
        finally:
            self.busy = False
        if shown is None:
            await self.finish()
            return
        await self.show(shown)

    async def check(self, answer: str) -> None:
        """Judge `answer` (busy until its verdict is shown: the countdown ticks on meanwhile)."""
        self.busy = True
        try:
            await self._results(_("running…") if self.shown and self.shown.input == "code" else "")
            try:
                checked = await self.backend.call(self.sitting.check, answer)
            except QuizkitError as e:
                await self._results(str(e))
                return
            self.checked = checked
            await self._results(verdict(checked, self.sitting.is_mock))
        finally:
            self.busy = False
            self._keys()

    async def _rerate(self, choice: str) -> None:
        self.busy = True
        try:
            self.checked = await self.backend.call(self.sitting.rerate, choice)
            await self._results(verdict(self.checked, self.sitting.is_mock))
        finally:
            self.busy = False
            self._keys()

    async def _undo(self) -> None:
        self.busy = True
        try:
            await self.backend.call(self.sitting.undo)
        finally:
            self.busy = False
        self.notify(_("undone: the answer and its rating are taken back; it comes again now"))
        await self.advance()

    async def _give_up(self) -> None:
        self.busy = True
        try:
            failed = self.checked is not None
            checked = await self.backend.call(self.sitting.give_up if failed else self.sitting.skip)
            self.checked = checked
            await self._results(verdict(checked, self.sitting.is_mock))
        finally:
            self.busy = False
            self._keys()

    async def _hint(self) -> None:
        h = await self.backend.call(self.sitting.hint)
        if not h.text:
            self.notify(_("this question has no hint"))
            return
        label = _("hint {n}/{total}").format(n=h.number, total=h.total) if h.total > 1 else _("hint")
        md = self.query_one("#prompt", Markdown)
        await md.update(md.source + f"\n\n> **{label}:** {h.text}")

    async def _reveal(self) -> None:
        back = await self.backend.call(self.sitting.reveal)
        self.revealed = True
        await self.query_one("#back").remove()  # a Static until now: a card's first screen lays out no Markdown
        text = back + "\n\n" + _("how well did you know it? 1 again · 2 hard · 3 good · 4 easy")
        await self.query_one("#right").mount(Markdown(text, id="back"), before="#grades")
        self.query_one("#grades").display = True
        self.query_one("#grades").focus()

    async def finish(self) -> None:
        """The report (a mock's is stored with it), in place of the question."""
        if self.ended:
            return
        self.ended = True
        summary = await self.backend.call(self.sitting.finish)
        self.query_one("#body").display = False
        self.query_one("#bar", Static).update(_("the end: every answer is saved"))
        await self.mount(Markdown(report.markdown(summary), id="report"), before=self.query_one(Keys))

    # ---- showing ----

    async def show(self, shown: Shown) -> None:
        self.query_one("#prompt", Markdown).update(shown.markdown)
        right = self.query_one("#right")
        await right.remove_children([w for w in right.children if w is not self.editor])
        fresh = self.editor is None
        widgets = self._widgets(shown)
        if self.editor is not None:
            self.editor.display = shown.input == "code"
        await right.mount_all([w for w in widgets if w is not self.editor or fresh])
        self._present(shown, widgets)
        if fresh:
            self._highlight()

    def _widgets(self, shown: Shown) -> list[Any]:
        """The input a question's type takes (`_inputs`); a code task's editor is made once and given each
        task's starter: the editor's Python highlighting costs 30-70 ms each time it is set up (Textual
        compiles its tree-sitter query for every new document), so it is set up once, after the first paint."""
        if shown.input != "code":
            return _inputs(shown)
        starter = shown.view.get("starter", "")
        if self.editor is None:
            from textual.widgets import TextArea

            self.editor = TextArea.code_editor(starter, id="editor", soft_wrap=False)  # highlighting: `_highlight`
        else:  # an edit, not a new document: the highlighting stays set up
            self.editor.replace(starter, self.editor.document.start, self.editor.document.end)
            self.editor.history.clear()
            self.editor.move_cursor((0, 0))
        return [self.editor]

    def _highlight(self) -> None:
        """Python highlighting in the editor, once (after the first paint: the first screen waits for none)."""
        if self.editor is not None and self.editor.language is None:
            self.editor.language = "python"

    def _present(self, shown: Shown, widgets: list[Any]) -> None:
        """`shown` is the question now, its `widgets` mounted: the results pane says what to do, the
        input has the focus, the header is up to date."""
        self.shown, self.checked, self.revealed = shown, None, False
        self.query_one("#results", Static).update(Content(_keys_for(shown.input)))
        widgets[-1 if shown.input == "reveal" else 0].focus()
        if shown.input == "reveal":
            widgets[-1].display = False
        self.tick()
        self._keys()

    def _keys(self) -> None:
        """The footer, for what the keys do now (re-rate and undo come and go with the answer)."""
        if self.is_mounted:
            self.query_one(Keys).redraw()

    def _answer(self, kind: str) -> str | None:
        if kind == "code":
            return cast("TextArea", self.query_one("#editor")).text
        if kind == "choice":
            picked = sorted(cast("SelectionList[str]", self.query_one("#choices")).selected)
            if not picked:
                self.notify(_("choose at least one (space selects)"))
                return None
            return ",".join(picked)
        text = self.query_one("#line", Input).value.strip()
        if not text:
            self.notify(_("the answer is empty"))
            return None
        return text

    async def _results(self, text: str | Content) -> None:
        """Show `text` in the results pane (it is laid out at the next refresh); a str is shown as it is."""
        self.query_one("#results", Static).update(Content(text) if isinstance(text, str) else text)


def _inputs(shown: Shown) -> list[Any]:
    """The input a question's type takes other than code: choices, a line, or the place of a card's back
    and the four grades (reveal). Imported and made per question: the first screen loads only its own."""
    view = shown.view
    if shown.input == "choice":
        from textual.widgets import SelectionList

        choices = SelectionList[str](*[(f"{c['letter']}) {c['text']}", c["letter"]) for c in view.get("choices", [])],
                                     id="choices")  # fmt: skip
        choices.highlighted = 0
        return [choices]
    if shown.input == "line":
        return [Input(id="line", placeholder=_("your answer; Enter checks it"))]
    return [
        Static(_("ctrl+r shows the answer; then grade yourself"), id="back"),
        OptionList(*(f"{i} {_(g)}" for i, g in enumerate(GRADES, 1)), id="grades"),
    ]


def _keys_for(kind: str) -> str:
    return {
        "code": _("edit the starter, then ctrl+r runs it against the tests"),
        "choice": _("space selects (one or more), ctrl+r checks"),
        "line": _("type the answer; Enter checks it"),
    }.get(kind, _("ctrl+r shows the answer; then grade yourself"))


def verdict(c: Checked, in_mock: bool) -> Content:
    """A verdict: right or wrong, where a run failed (the line, its error with both values), what it
    printed, the right answer once shown, and what the keys do next. Plain Content, not Markdown: it is
    laid out in a millisecond, where a Markdown widget took 50 ms (a run's verdict is awaited on it)."""
    parts: list[Content] = []
    if c.correct is None:
        parts.append(Content.styled("↷ " + _("skipped"), "bold $warning"))
    elif c.correct:
        took = " · " + _("tests passed in {ms} ms").format(ms=f"{c.seconds * 1000:.0f}") if c.seconds else ""
        parts.append(Content.assemble(("✓ " + _("right"), "bold $success"), took))
        if c.first_correct is False:
            parts.append(Content(_("passed on a retry; the score keeps the first try")))
    else:
        head = [("✗ " + _("wrong"), "bold $error")]
        if c.where:
            head += [(" · ", ""), (c.where, "bold"), (": " if c.line else "", "")]
        parts.append(Content.assemble(*head, highlight(c.line, language="python") if c.line else ""))
        parts.append(Content.styled(c.error or c.detail, "$error"))
        if c.printed.strip():
            parts += [Content(_("it printed:")), Content(c.printed[-2000:].rstrip())]
    parts += [Content.styled(n, "dim") for n in c.notes]
    for kind, text in c.blocks:
        parts.append(highlight(text.rstrip(), language="python") if kind == "code" else Content(text))
    if c.rating is not None:
        rated = _("rated {rating}").format(rating=_(GRADES[c.rating - 1]))
        parts.append(Content(f"{rated} · {c.due}" if c.due else rated))
    if c.done and c.explanation:
        parts.append(Content(c.explanation))
    if c.done:
        parts.append(Content.styled(_("ctrl+n: the next question"), "italic"))
    elif not in_mock:
        parts.append(Content.styled(_("edit and run again (ctrl+r), or ctrl+n shows the answer"), "italic"))
    return Content("\n\n").join(parts)
