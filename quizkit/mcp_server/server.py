"""The tools, prompts and resources of `quizkit mcp`, each a thin call into the app layer (through the host).

Every tool returns one JSON object (its shape is in docs/mcp.md and stays stable). A request quizkit
refuses (an unknown id, a reveal before any try, an empty answer) is a tool error whose message is one
line; anything unexpected is a one-line tool error too, its traceback on stderr (stdout is the protocol).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import ValidationError

from ..app import progress
from ..app import questions as qs
from ..app.desk import Desk
from ..errors import QuizkitError
from ..i18n import _
from ..version import __version__
from . import prompts
from .host import Host

log = logging.getLogger("quizkit.mcp")
Result = dict[str, Any]
Lang = Literal["en", "zh"]

LIST_LIMIT = 50  # list_questions without a limit: enough to choose from, short enough for a context window


async def _ask(host: Host, tool: str, fn: Callable[[Desk], Result]) -> Result:
    """`fn(desk)` on the host, its QuizkitError a tool error with its one line, anything else one line too."""
    try:
        return await host.call(fn)
    except QuizkitError as e:
        raise ToolError(" ".join(str(e).splitlines())) from None  # one line, whatever the message held
    except Exception as e:  # a bug: the model gets one line, stderr the traceback
        log.exception("tool %s failed", tool)
        raise ToolError(_("{tool}: internal error: {error}").format(tool=tool, error=_one_line(e))) from None


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


class _Server(MCPServer[Any]):
    """The SDK's server, with arguments that fail the input schema refused in one line (pydantic's
    message is several, with a link)."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as e:
            if not isinstance(e.__cause__, ValidationError):
                raise
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or name}: {err['msg']}" for err in e.__cause__.errors()
            )
            raise ToolError(
                f"Error executing tool {name}: " + _("bad arguments: {problems}").format(problems=problems)
            ) from e.__cause__


def build(host: Host) -> MCPServer[Any]:
    """The server: its tools, prompts and resources over `host`'s desk."""
    server: MCPServer[Any] = _Server(
        "quizkit", version=__version__, instructions=prompts.INSTRUCTIONS, log_level="WARNING"
    )
    _questions(server, host)
    _judging(server, host)
    _mocks(server, host)
    _numbers(server, host)
    prompts.register(server)
    _resources(server, host)
    return server


def _tool(server: MCPServer[Any], fn: Callable[..., Awaitable[Result]]) -> None:
    server.add_tool(fn, name=fn.__name__, description=(fn.__doc__ or "").strip(), structured_output=True)


def _questions(server: MCPServer[Any], host: Host) -> None:
    async def list_questions(
        search: str | None = None,
        tag: str | None = None,
        type: str | None = None,
        bank: str | None = None,
        status: str | None = None,
        limit: int = LIST_LIMIT,
    ) -> Result:
        """The questions matching every filter given, in bank order: id, bank, type, level (1-5), title,
        tags, topic and the learner's status (new, learning, review, done, missed). `search` looks in ids,
        tags and prompts; `type` is flashcard, short, mcq, output or code."""

        def rows(d: Desk) -> Result:
            found = qs.rows(d.questions, d.store, search=search, tags=[tag] if tag else (),
                            qtypes=[type] if type else (), banks=[bank] if bank else (),
                            statuses=[status] if status else (), limit=max(1, limit) + 1, lang=d.lang)  # fmt: skip
            shown = found[: max(1, limit)]
            return {"questions": [r.to_json() for r in shown], "count": len(shown), "more": len(found) > len(shown)}

        return await _ask(host, "list_questions", rows)

    async def get_question(id: str, lang: Lang | None = None) -> Result:
        """What the learner sees of a question: prompt, starter (code), choices (mcq, in the order they are
        judged), the rules an answer must keep (forbid, allow, max_lines), the hints revealed so far and the
        learner's status. Never the solution, tests or accepted answers: check_answer judges, reveal shows
        the answer once the learner is done."""
        return await _ask(host, "get_question", lambda d: d.view(id, lang))

    _tool(server, list_questions)
    _tool(server, get_question)


def _judging(server: MCPServer[Any], host: Host) -> None:
    async def check_answer(id: str, answer: str, lang: Lang | None = None) -> Result:
        """Judge the learner's answer: code is run for real with torch in quizkit's sandbox, any other type
        is judged as in drill (mcq: a letter; flashcard: the learner's own grade 1-4). Returns the verdict
        (pass or fail), the failing line and error, timing; the answer is stored, and the first answer to a
        question rates its review card (a failed code answer may be tried again, unrated). Never write the
        learner's answer for them."""

        def check(d: Desk) -> Result:
            start = time.perf_counter()
            out = d.check(id, answer, lang)
            out["judge_seconds"] = round(time.perf_counter() - start, 3)
            return out

        return await _ask(host, "check_answer", check)

    async def get_hint(id: str) -> Result:
        """The question's next hint (progressive: one more each call). It is recorded: a pass after hints
        is rated hard, as in drill."""
        return await _ask(host, "get_hint", lambda d: d.hint(id))

    async def reveal(id: str, lang: Lang | None = None) -> Result:
        """The reference answer and its explanation, once the learner passed or tried (revealing after a
        failed try is giving up: the question is done). Refused before any try."""
        return await _ask(host, "reveal", lambda d: d.reveal(id, lang))

    for fn in (check_answer, get_hint, reveal):
        _tool(server, fn)


def _mocks(server: MCPServer[Any], host: Host) -> None:
    async def start_mock(minutes: int = 45, tag: str | None = None, level: str | None = None) -> Result:
        """Start a timed mock interview (5-180 minutes; `level` 1-5 or a range like 2-4): the same choice
        of questions, clock and report as `quizkit mock`. Time is quizkit's clock, not yours. Returns
        mock_id; ask its questions with next_mock_question, one try each."""
        tags = (tag,) if tag else ()
        return await _ask(host, "start_mock", lambda d: d.mock_start(minutes, tags, level))

    async def next_mock_question(mock_id: str, lang: Lang | None = None) -> Result:
        """The mock's next question (its public view, the seconds left and the aim for it), or done: true
        when time is up or every question was asked. A question shown and not answered counts as skipped."""
        return await _ask(host, "next_mock_question", lambda d: d.mock_next(mock_id, lang))

    async def finish_mock(mock_id: str) -> Result:
        """End the mock: its report (score, points by topic and level, time) is stored and returned."""
        return await _ask(host, "finish_mock", lambda d: d.mock_finish(mock_id))

    for fn in (start_mock, next_mock_question, finish_mock):
        _tool(server, fn)


def _numbers(server: MCPServer[Any], host: Host) -> None:
    async def due_reviews(limit: int = 20) -> Result:
        """The review cards due now, most overdue first: id, due time, phase and stability (days)."""
        return await _ask(host, "due_reviews", lambda d: {"due": progress.due(d.app, d.store, max(1, limit))})

    async def stats() -> Result:
        """The learner's numbers: today, streak, accuracy by topic, retention, the due forecast, the last
        mocks (as `quizkit stats --json`)."""
        return await _ask(host, "stats", lambda d: progress.stats(d.app, d.store, d.banks))

    _tool(server, due_reviews)
    _tool(server, stats)


def _resources(server: MCPServer[Any], host: Host) -> None:
    def bank_format() -> str:
        """The bank format reference: how questions are written (docs/bank-format.md)."""
        return qs.bank_format()

    async def question(bank: str, qid: str) -> Result:
        """A question's public view, as get_question returns it."""
        try:
            return await host.call(lambda d: d.view(f"{bank}/{qid}"))
        except QuizkitError as e:
            raise ResourceError(str(e)) from None

    # called, not used as decorators: without the SDK installed (CI's type check) they would be untyped
    server.resource("quizkit://docs/bank-format", name="bank-format", mime_type="text/markdown")(bank_format)
    server.resource("quizkit://questions/{bank}/{qid}", name="question", mime_type="application/json")(question)
