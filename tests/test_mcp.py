"""Issue 19: `quizkit mcp`, started as a subprocess and driven with the MCP SDK's own stdio client: the tools,
verdicts that are real runs (stored, rated), hints, reveal's refusal, get_question leaking nothing over every
shipped question, a whole mock under quizkit's (fake) clock, errors as one-line tool errors, stdout only the
protocol. One in-process test moves the clock through a mock's end."""

import asyncio
import json
import subprocess
import sys
import threading
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizkit import catalog
from quizkit.store import Store

from conftest import write_bank

mcp = pytest.importorskip("mcp")  # a test dependency: pip install '.[test]' pulls in quizkit[mcp]
from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402

ROOT = Path(__file__).parent.parent
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
TOOLS = {"list_questions", "get_question", "check_answer", "get_hint", "reveal", "start_mock",
         "next_mock_question", "finish_mock", "due_reviews", "stats"}  # fmt: skip

BANK = """
bank: m
questions:
  - {id: c1, type: code, difficulty: 3, prompt: "inc", starter: "def f(x):\\n    pass\\n",
     solution: "def f(x):\\n    return x + 1\\n", tests: "assert f(1) == 2\\nassert f(5) == 6\\n",
     hint: [add one]}
  - {id: m1, type: mcq, difficulty: 2, shuffle: false, prompt: "pick a", choices: ["a", "b"], answer: 0}
  - {id: m2, type: mcq, difficulty: 2, shuffle: false, prompt: "pick b", choices: ["a", "b"], answer: 1}
  - {id: s1, type: short, difficulty: 1, prompt: "say yes", accept: [yes], hint: [first, second, third],
     explanation: "yes is yes"}
  - {id: f1, type: flashcard, difficulty: 1, prompt: "front", answer: "the back"}
"""
RIGHT = {"m/c1": "def f(x):\n    return x + 1\n", "m/m1": "a", "m/m2": "b", "m/s1": "yes", "m/f1": "3"}
WRONG_C1 = "def f(x):\n    return x\n"


def _params(tmp_path, *args, now=NOW):
    env = {"QUIZKIT_HOME": str(tmp_path / "home"), "QUIZKIT_CACHE": str(tmp_path / "cache"),
           "QUIZKIT_LANG": "en", "QUIZKIT_NOW": now.isoformat()}  # fmt: skip
    return StdioServerParameters(command=sys.executable, args=["-m", "quizkit", "mcp", *args], env=env, cwd=str(ROOT))


@asynccontextmanager
async def _server(tmp_path, *args):
    """A `quizkit mcp` subprocess and an initialized client session on it; its stderr goes to a file."""
    with open(tmp_path / "stderr.txt", "w") as errlog:
        async with stdio_client(_params(tmp_path, *args), errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


async def ok(s, tool, **args) -> dict:
    r = await s.call_tool(tool, args)
    assert not r.is_error, (tool, r.content)
    assert json.loads(r.content[0].text) == r.structured_content  # the text is the same JSON
    return r.structured_content


async def refused(s, tool, **args) -> str:
    """A tool error: its one-line message."""
    r = await s.call_tool(tool, args)
    assert r.is_error, (tool, r.structured_content)
    text = r.content[0].text
    assert "\n" not in text and "Traceback" not in text, text
    return text


def _attempts(tmp_path, qid):
    with Store(tmp_path / "home" / "quizkit.db") as store:
        return [(a["correct"], a["mode"]) for a in store.attempts() if a["question"] == qid], store.card(qid)


def test_a_learner_at_the_desk_over_stdio(tmp_path):
    bank = write_bank(tmp_path, BANK, "m.yaml")

    async def go():
        async with _server(tmp_path, "--bank", str(bank)) as s:
            assert {t.name for t in (await s.list_tools()).tools} == TOOLS
            listed = await ok(s, "list_questions", type="code")
            assert [q["id"] for q in listed["questions"]] == ["m/c1"] and listed["questions"][0]["status"] == "new"
            assert (await ok(s, "list_questions", limit=2))["more"] is True

            # reveal is refused before any try; a wrong answer fails with the failing line and both values
            assert "answer it first" in await refused(s, "reveal", id="m/c1")
            bad = await ok(s, "check_answer", id="m/c1", answer=WRONG_C1)
            assert bad["verdict"] == "fail" and bad["first_try"] and bad["rating"] == 1 and bad["stored"]
            assert bad["failure"]["line"] == "assert f(1) == 2" and bad["failure"]["where"] == "tests line 1"
            assert "1" in bad["failure"]["error"] and "2" in bad["failure"]["error"], bad["failure"]
            assert "explanation" not in bad and bad["judge_seconds"] >= bad["seconds"] >= 0
            assert _attempts(tmp_path, "m/c1")[0] == [(False, "desk")]
            # a retry passes; the first try was what rated the card
            good = await ok(s, "check_answer", id="m/c1", answer=RIGHT["m/c1"])
            assert good["verdict"] == "pass" and not good["first_try"] and "rating" not in good
            attempts, card = _attempts(tmp_path, "m/c1")
            assert attempts == [(False, "desk"), (True, "desk")] and card is not None
            shown = await ok(s, "reveal", id="m/c1")
            assert "return x + 1" in shown["answer"]
            # the pass ended that sitting: a new one, whose failed first try rates the card again; a reveal
            # now is giving up (allowed, it ends the sitting), and the next answer is a first try once more
            again = await ok(s, "check_answer", id="m/c1", answer=WRONG_C1)
            assert again["first_try"] and again["rating"] == 1
            assert "return x + 1" in (await ok(s, "reveal", id="m/c1"))["answer"]
            after = await ok(s, "check_answer", id="m/c1", answer=RIGHT["m/c1"])
            assert after["verdict"] == "pass" and after["first_try"] and after["rating"] == 3
            assert _attempts(tmp_path, "m/c1")[0] == [(False, "desk"), (True, "desk"), (False, "desk"), (True, "desk")]

            # a right first answer rates the card good (3); a hint first makes it hard (2)
            first = await ok(s, "check_answer", id="m/m2", answer="b")
            assert first["verdict"] == "pass" and first["rating"] == 3 and first["due"] > NOW.isoformat()[:19]
            assert _attempts(tmp_path, "m/m2")[1] is not None
            hint = await ok(s, "get_hint", id="m/s1")
            assert (hint["hint"], hint["number"], hint["total"]) == ("first", 1, 3)
            assert (await ok(s, "get_question", id="m/s1"))["hints"] == ["first"]
            with Store(tmp_path / "home" / "quizkit.db") as store:
                assert store.workspace_hints("m/s1") == 1  # recorded, as `quizkit show --hint` records it
            assert (await ok(s, "check_answer", id="m/s1", answer="yes"))["rating"] == 2
            # a flashcard shows its back before the learner grades themself; the grade is the rating
            assert "the back" in (await ok(s, "reveal", id="m/f1"))["answer"]
            assert (await ok(s, "check_answer", id="m/f1", answer="4"))["rating"] == 4

            # a bad id, a broken answer, an empty one, a bad filter: one-line tool errors, the server goes on
            assert "no question 'nope'" in await refused(s, "get_question", id="nope")
            assert "no question" in await refused(s, "check_answer", id="m/nope", answer="x")
            assert await refused(s, "check_answer", id="m/m1", answer="z")  # no choice z
            assert "empty" in await refused(s, "check_answer", id="m/m1", answer="  ")
            assert "--status" in await refused(s, "list_questions", status="someday")
            assert "minutes" in await refused(s, "start_mock", minutes=1)
            assert "no mock interview" in await refused(s, "next_mock_question", mock_id="x")
            # arguments the input schema refuses: one line too (pydantic's own message is several)
            assert "answer: Field required" in await refused(s, "check_answer", id="m/m1")
            assert "lang: Input should be 'en' or 'zh'" in await refused(s, "get_question", id="m/m1", lang="fr")
            # a broken code answer is an answer: judged, failing, with the line it broke on
            broken = await ok(s, "check_answer", id="m/c1", answer="def f(x:\n    return x\n")
            assert broken["verdict"] == "fail" and "SyntaxError" in broken["detail"]

            prompts = {p.name for p in (await s.list_prompts()).prompts}
            assert prompts == {"mock-interview", "tutor"}
            tutor = (await s.get_prompt("tutor", {"id": "m/c1"})).messages[0].content.text
            assert "'m/c1'" in tutor and "check_answer" in tutor and "Never write the learner's answer" in tutor
            interview = (await s.get_prompt("mock-interview", {"minutes": "20"})).messages[0].content.text
            assert "start_mock with {'minutes': 20}" in interview and "finish_mock" in interview

            due = await ok(s, "due_reviews")
            assert isinstance(due["due"], list)
            numbers = await ok(s, "stats")
            assert "mocks" in numbers

    asyncio.run(go())
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "Traceback" not in stderr, stderr  # every refusal above was anticipated


HIDDEN_KEYS = {"solution", "tests", "wrong", "right", "accept", "expected", "correct", "check", "examples", "reject",
               "answer", "explanation", "setup"}  # fmt: skip


def _keys(value) -> set:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _strings(value) -> list[str]:
    """Every string in a JSON value, as written (json.dumps would escape a newline, and a multi-line
    solution would never be found in it)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _hidden_texts(q) -> list[str]:
    """The texts of `q` a learner must not see before answering, as they could appear in a view."""
    from quizkit.model import pick

    b = q.body
    texts = [getattr(b, "solution", None), getattr(b, "tests", None), getattr(b, "check", None),
             getattr(b, "expected", None), *(w.code for w in getattr(b, "wrong", ())),
             *(r.code for r in getattr(b, "right", ())),
             *getattr(b, "accept", ()), *getattr(b, "examples", ())]  # fmt: skip
    for text in (getattr(b, "answer", None), q.explanation):
        if text is not None and not isinstance(text, (int, list, tuple)):
            texts += [pick(text, "en"), pick(text, "zh")]
    return [str(t).strip() for t in texts if t is not None and len(str(t).strip()) >= 3]


@pytest.mark.slow
def test_get_question_leaks_no_hidden_field_of_any_shipped_question(tmp_path):
    banks, questions, errors = catalog.load(None)
    assert not errors and len(questions) > 100

    async def go():
        async with _server(tmp_path) as s:
            listed = await ok(s, "list_questions", limit=100000)
            assert {q["id"] for q in listed["questions"]} == {q.full_id for q in questions} and not listed["more"]
            for q in questions:
                for lang in ("en", "zh"):
                    view = await ok(s, "get_question", id=q.full_id, lang=lang)
                    assert view["id"] == q.full_id
                    assert not _keys(view) & HIDDEN_KEYS, (q.full_id, _keys(view) & HIDDEN_KEYS)
                    text = "\n".join(_strings(view))
                    # what the bank shows anyway: a text hidden elsewhere that is also in the prompt, the code shown
                    # or a tag (autograd/vjp-name is tagged vjp, its answer) is not a leak of the view's
                    public = view["prompt"] + "".join(str(b) for b in view["blocks"]) + " ".join(view["tags"])
                    for hidden in _hidden_texts(q):
                        assert hidden in public or hidden not in text, (q.full_id, lang, hidden)
            resource = await s.read_resource(f"quizkit://questions/{questions[0].full_id}")
            assert json.loads(resource.contents[0].text)["id"] == questions[0].full_id
            reference = await s.read_resource("quizkit://docs/bank-format")
            assert "# Writing question banks" in reference.contents[0].text

    asyncio.run(go())


def test_a_whole_mock_runs_on_quizkits_clock_not_the_wall(tmp_path):
    """QUIZKIT_NOW holds quizkit's clock still: however long the runs take, the time left never moves;
    one try each, the report stored with the mock's start time."""
    bank = write_bank(tmp_path, BANK, "m.yaml")

    async def go():
        async with _server(tmp_path, "--bank", str(bank)) as s:
            started = await ok(s, "start_mock", minutes=30)
            assert started["minutes"] == 30 and started["questions"] == 5
            mid, asked = started["mock_id"], []
            while True:
                step = await ok(s, "next_mock_question", mock_id=mid)
                assert step["seconds_left"] == 30 * 60  # the wall moved (runs took seconds); quizkit's clock did not
                if step["done"]:
                    break
                qid = step["question"]["id"]
                assert not _keys(step["question"]) & HIDDEN_KEYS
                asked.append(qid)
                if qid == "m/f1":  # a flashcard's back is shown before the grade, in a mock too
                    assert "the back" in (await ok(s, "reveal", id=qid))["answer"]
                else:
                    assert "report" in await refused(s, "reveal", id=qid)
                answer = WRONG_C1 if qid == "m/c1" else RIGHT[qid]
                verdict = await ok(s, "check_answer", id=qid, answer=answer)
                assert verdict["verdict"] == ("fail" if qid == "m/c1" else "pass") and "rating" not in verdict
                assert "one try each" in await refused(s, "check_answer", id=qid, answer=RIGHT[qid])
            assert sorted(asked) == sorted(RIGHT)
            report = (await ok(s, "finish_mock", mock_id=mid))["report"]
            assert report["asked"] == 5 and report["ended"] == "done"
            assert "no mock interview" in await refused(s, "finish_mock", mock_id=mid)
            assert (await ok(s, "stats"))["mocks"]

    asyncio.run(go())
    with Store(tmp_path / "home" / "quizkit.db") as store:
        mocks = store.mocks(5)
        attempts = [(a["question"], a["correct"], a["mode"]) for a in store.attempts()]
    assert len(mocks) == 1 and mocks[0]["started"].startswith(NOW.isoformat()[:16])
    assert sorted(attempts) == [("m/c1", False, "mock"), ("m/f1", True, "mock"), ("m/m1", True, "mock"),
                                ("m/m2", True, "mock"), ("m/s1", True, "mock")]  # fmt: skip


@pytest.mark.torch_free  # a 5-minute mock on this bank asks no code question: no runner
def test_time_running_out_ends_the_mock_in_process(tmp_path):
    """The server built in-process (the SDK's in-memory client) on an App whose clock the test moves."""
    from mcp import Client

    from quizkit.app import App
    from quizkit.app import questions as qs
    from quizkit.mcp_server.host import Host
    from quizkit.mcp_server.server import build

    class Clock:
        t = NOW

        def __call__(self):
            return self.t

    clock = Clock()
    app = App(home=tmp_path / "home", clock=clock, runner_factory=lambda *a: None)
    banks, questions, _ = qs.load([str(write_bank(tmp_path, BANK, "m.yaml"))])
    host = Host(app, banks, questions, None)

    async def go():
        async with Client(build(host)) as client:
            started = (await client.call_tool("start_mock", {"minutes": 5})).structured_content
            first = (await client.call_tool("next_mock_question", {"mock_id": started["mock_id"]})).structured_content
            assert first["seconds_left"] == 300 and not first["done"]
            clock.t = NOW + timedelta(minutes=6)
            late = (await client.call_tool("next_mock_question", {"mock_id": started["mock_id"]})).structured_content
            assert late["done"] and late["seconds_left"] == 0
            return (await client.call_tool("finish_mock", {"mock_id": started["mock_id"]})).structured_content

    try:
        report = asyncio.run(go())["report"]
    finally:
        host.close()
    assert report["asked"] == 1 and report["right"] == 0 and report["ended"] == "time", report


@pytest.mark.torch_free
def test_a_bug_is_a_one_line_tool_error_and_the_server_goes_on(tmp_path, monkeypatch, caplog):
    from mcp import Client

    from quizkit.app import App
    from quizkit.app import questions as qs
    from quizkit.app.desk import Desk
    from quizkit.mcp_server.host import Host
    from quizkit.mcp_server.server import build

    def broken(self, qid):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(Desk, "hint", broken)
    app = App(home=tmp_path / "home", clock=lambda: NOW, runner_factory=lambda *a: None)
    banks, questions, _ = qs.load([str(write_bank(tmp_path, BANK, "m.yaml"))])
    host = Host(app, banks, questions, None)

    async def go():
        async with Client(build(host)) as client:
            r = await client.call_tool("get_hint", {"id": "m/s1"})
            assert r.is_error and r.content[0].text.endswith("get_hint: internal error: RuntimeError: boom second line")
            assert (await client.call_tool("get_question", {"id": "m/s1"})).structured_content["id"] == "m/s1"
            with pytest.raises(Exception, match="no question"):
                await client.read_resource("quizkit://questions/m/nope")

    try:
        asyncio.run(go())
    finally:
        host.close()
    logged = [r for r in caplog.records if r.name == "quizkit.mcp"]  # the traceback is for stderr, not the model
    assert logged and logged[0].exc_info and "tool get_hint failed" in logged[0].getMessage()


def test_stdout_is_only_the_protocol_and_errors_are_one_line(tmp_path):
    """Raw JSON-RPC over the pipes, no SDK in between: every line on stdout is a JSON-RPC message."""
    env = dict(_params(tmp_path).env, PATH="/usr/bin:/bin")
    bank = write_bank(tmp_path, BANK, "m.yaml")
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_question", "arguments": {"id": "m/s1"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "reveal", "arguments": {"id": "zz"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "nope", "arguments": {}}},
    ]  # fmt: skip
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "mcp", "--bank", str(bank)], cwd=ROOT, env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    watchdog = threading.Timer(120, p.kill)  # a hung server fails the test, never the suite
    watchdog.start()
    try:
        p.stdin.write("".join(json.dumps(r) + "\n" for r in requests))
        p.stdin.flush()
        lines, by_id = [], {}
        while set(by_id) != {1, 2, 3, 4}:  # the client keeps stdin open until it has its answers
            line = p.stdout.readline()
            assert line, "the server closed stdout early"
            lines.append(json.loads(line))  # nothing but JSON on stdout
            by_id.update({lines[-1]["id"]: lines[-1]} if "id" in lines[-1] else {})
        p.stdin.close()
        rest, stderr = p.stdout.read(), p.stderr.read()
        assert p.wait() == 0 and rest == "", (rest, stderr)
    finally:
        watchdog.cancel()
        p.kill()
    assert all(m["jsonrpc"] == "2.0" for m in lines)
    assert by_id[2]["result"]["structuredContent"]["prompt"] == "say yes"
    for i in (3, 4):
        result = by_id[i]["result"]
        assert result["isError"] and "\n" not in result["content"][0]["text"]
    assert "Traceback" not in stderr


@pytest.mark.torch_free
def test_without_the_sdk_quizkit_mcp_says_how_to_install_it():
    code = "import sys; sys.modules['mcp'] = None; sys.argv = ['quizkit', 'mcp']; from quizkit import main; main()"
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.strip().splitlines() == ["error: quizkit mcp needs the MCP SDK: pip install 'quizkit[mcp]'"]


@pytest.mark.torch_free
def test_print_config_for_each_client_and_a_bad_one(tmp_path):
    for client, key in (("claude", "mcpServers"), ("cursor", "mcpServers"), ("vscode", "servers")):
        p = subprocess.run([sys.executable, "-m", "quizkit", "mcp", "--print-config", client, "--bank", "autograd"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
        assert p.returncode == 0, p.stderr
        entry = json.loads(p.stdout)[key]["quizkit"]  # stdout is the snippet alone: it pastes as is
        assert entry["command"] == sys.executable and entry["args"] == ["-m", "quizkit", "mcp", "--bank", "autograd"]
        assert (entry.get("type") == "stdio") == (client == "vscode") and p.stderr.strip()
    p = subprocess.run([sys.executable, "-m", "quizkit", "mcp", "--print-config", "emacs"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert p.returncode == 1 and p.stdout == "" and len(p.stderr.strip().splitlines()) == 1
