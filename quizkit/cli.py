"""The command line: options, the input loop (read a key or a line, hand it to the engine), rendering calls.

It decides nothing about scoring or storage: the engine (quizkit/engine.py) and its policies do. Errors a
user can cause are caught in one place (QuizkitGroup): one line, exit 1; Ctrl-C exits 130.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import QuizkitError, StoreError

# engine, ui (rich), yaml and the rest are imported inside the commands: `quizkit --help` stays fast.


class QuizkitGroup(TyperGroup):
    """Every command runs through here: a QuizkitError is one line on stderr and exit 1, Ctrl-C is 130."""

    def list_commands(self, ctx):
        return list(self.commands)  # in the order registered: what a learner uses first comes first

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except QuizkitError as e:
            from . import ui

            ui.error(str(e))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=QuizkitGroup,
    help="PyTorch interview drills whose code answers are run for real with torch.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: rendering it with rich imports 60 ms of Markdown machinery
)


@dataclass
class Context:
    """What every command shares, made once in the callback."""

    home: Path
    clock: Callable
    runner_factory: Callable

    def settings(self):
        from .settings import load_settings

        return load_settings(self.home / "config.yaml")

    def store(self):
        from .store import Store

        return Store(self.home / "quizkit.db")


def _default_runner(workers=1, memory_mb=None):
    from .runner import DEFAULT_MEMORY_MB, Runner

    return Runner(workers=workers, memory_mb=memory_mb or DEFAULT_MEMORY_MB)


def _version(value: bool):
    if value:
        typer.echo(f"quizkit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
):
    from .settings import data_dir, now

    if not isinstance(ctx.obj, Context):  # tests pass their own (a shared warm runner)
        ctx.obj = Context(home=data_dir(), clock=now, runner_factory=_default_runner)


# ---- shared options ----

DEVICE_HELP = "cpu, cuda or auto (cuda where torch sees one)"
BankOpt = typer.Option(None, "--bank", metavar="PATH", help="Bank file or folder (repeatable).")
TagOpt = typer.Option(None, "--tag", "--topic", metavar="TAG", help="Only questions with this tag (repeatable).")
TypeOpt = typer.Option(None, "--type", metavar="TYPE", help="flashcard, short, mcq, output or code (repeatable).")
DeviceOpt = typer.Option("cpu", metavar="DEVICE", help=DEVICE_HELP)
LangOpt = typer.Option("en", metavar="LANG", help="Language of prompts: en or zh (English where a text has no zh).")
JsonOpt = typer.Option(False, "--json", help="Print JSON for machines.")


def _obj(ctx: typer.Context) -> Context:
    return ctx.obj


def _load(ui, paths):
    """Banks for a command that goes on without the broken ones: each broken bank is a warning, and
    nothing loaded at all is the error (exit 1)."""
    from . import catalog

    banks, questions, errors = catalog.load(paths)
    if errors and not banks:
        for e in errors[:-1]:
            ui.warn(str(e))
        raise errors[-1]
    for e in errors:
        ui.warn(str(e))
    return banks, questions


@contextmanager
def _runner(c: Context, device: str = "cpu", workers: int = 1, memory_mb=None, lazy=False):
    """(runner, device): the device resolved once (cuda without a GPU is the user's error), the runner
    always closed. `lazy`: no runner until one is asked for (a flashcard drill never starts torch)."""
    runner = None if lazy and device == "cpu" else c.runner_factory(workers, memory_mb)
    try:
        dev = runner.resolve_device(device) if runner is not None and device != "cpu" else "cpu"
        yield runner, dev
    finally:
        if runner is not None:
            runner.close()


# ---- verify, check, schema ----


def verify(
    ctx: typer.Context,
    paths: List[Path] | None = typer.Argument(None, help="Bank files or folders (default: the shipped banks)."),
    as_json: bool = JsonOpt,
    jobs: int | None = typer.Option(None, "-j", "--jobs", min=1, help="Runs in parallel (default: one per CPU)."),
    device: str = DeviceOpt,
    memory_mb: int = typer.Option(4096, help="Memory limit of each run, in MiB."),
    strict: bool = typer.Option(False, "--strict", help="A question skipped here (no GPU, a missing module) fails."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Say how runs are isolated here."),
):
    """Check banks as CI would: schema, outputs, checks, solutions pass, starters and wrong answers fail."""
    from . import catalog, ui
    from . import verify as checker
    from .runner import max_workers

    banks, questions, errors = catalog.load(paths)
    if jobs is None:  # in parallel by default; a bank of a few questions needs one worker
        jobs = max(1, min(max_workers(), len(questions) // 20 or 1))
    elif jobs > max_workers():
        ui.warn(f"-j {jobs}: this machine has {max_workers()} CPUs; using {max_workers()}")
        jobs = max_workers()
    with _runner(_obj(ctx), device, jobs, memory_mb) as (runner, dev):
        if verbose:
            ui.isolation(runner.isolation())
        update, stop = ui.verify_progress(len(questions)) if not as_json else ((lambda r: None), (lambda: None))
        try:
            results = checker.verify(questions, runner, dev, jobs, update, strict)
        finally:
            stop()
    (ui.verify_json if as_json else ui.verify_table)(results, errors)
    if errors or any(r.status == "fail" for r in results):
        raise typer.Exit(1)


def check(
    ctx: typer.Context,
    question_id: str = typer.Argument(..., metavar="ID", help="The question, e.g. nn/stable-softmax."),
    file: Path = typer.Argument(..., help="Your answer, a Python file."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Run again on every save, until Ctrl-C."),
    bank: List[Path] | None = BankOpt,
    device: str = DeviceOpt,
):
    """Run your own file against a code question's tests."""
    from . import catalog, ui
    from .verify import check_answer

    _, questions = _load(ui, bank)
    q = catalog.code_question(questions, question_id)
    with _runner(_obj(ctx), device) as (runner, dev):
        if not watch:
            verdict = check_answer(q, _read(file), runner, dev)
            ui.check_result(q.full_id, str(file), verdict)
            raise typer.Exit(0 if verdict.correct else 1)
        seen = None
        try:
            while True:
                stamp = _stamp(file)
                if stamp != seen:
                    seen = stamp
                    if stamp is None:
                        ui.warn(f"{file}: not there (yet); waiting")
                    else:
                        try:  # a file mid-save (unreadable, half-written UTF-8) is read again on its next change
                            code = _read(file)
                        except QuizkitError as e:
                            ui.warn(f"{e}; waiting for the next save")
                        else:
                            ui.check_result(q.full_id, str(file), check_answer(q, code, runner, dev), True)
                time.sleep(0.3)
        except KeyboardInterrupt:
            pass


def _stamp(file: Path):
    """What identifies a version of the file: an editor that writes a new file and renames it over the
    old one changes the inode even when size and mtime are the same."""
    try:
        st = file.stat()
        return (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        return None


MAX_ANSWER_BYTES = 1 << 20


def _read(file: Path) -> str:
    """An answer file: a regular file (a FIFO or /dev/zero would never end) of at most 1 MiB."""
    import stat

    try:
        st = file.stat()
        if not stat.S_ISREG(st.st_mode):
            raise QuizkitError(f"{file}: not a regular file")
        if st.st_size > MAX_ANSWER_BYTES:
            raise QuizkitError(f"{file}: larger than 1 MiB; an answer is a few lines")
        with open(file, encoding="utf-8") as f:
            return f.read(MAX_ANSWER_BYTES + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise QuizkitError(f"{file}: cannot read: {getattr(e, 'strerror', None) or e}") from None


def schema(
    path_only: bool = typer.Option(False, "--path", help="Print where the installed schema file is."),
):
    """The JSON Schema of a bank, for editors (yaml-language-server): print it, or its path."""
    from . import schema as bank_schema
    from . import ui

    ui.plain(str(bank_schema.PATH) if path_only else bank_schema.text().rstrip("\n"))


# ---- the input loop, shared by drill and review ----


class _Quit(Exception):
    """The learner asked to end the session (q)."""


def _ask(ui, prompt):
    """What the learner typed, made safe where it enters: bad bytes become U+FFFD, never a crash."""
    from .text import safe_input

    return safe_input(ui.ask(prompt))


def _line(ui, prompt="> "):
    return _ask(ui, prompt).strip()


def _command(ui, s, text) -> str | None:
    """? (hint), s (skip), q (quit) at any prompt; None when `text` is an answer."""
    if text == "?":
        ui.hint(s.hint())
        return "hint"
    if text.lower() == "s":
        return "skip"
    if text.lower() == "q":
        raise _Quit
    return None


def _read_code(ui, s, start: str | None) -> str | None:
    """The learner's code: from $EDITOR when set (falling back to typing if it cannot run), else typed or
    pasted up to a line holding only '.'. `start`: what the editor opens with (a retry starts from the
    last attempt). None means skip."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        while True:
            text = _line(ui, "Enter opens your editor (? hint, s skip, q quit) > ")
            cmd = _command(ui, s, text)
            if cmd == "skip":
                return None
            if cmd is None:
                break
        try:
            return _edit(editor, s.current, start)
        except QuizkitError as e:
            ui.note(f"{e}; type or paste the code instead")
    prefill = _prefill(ui, start)
    lines: list[str] = []
    while True:
        prefill(len(lines))
        text = _ask(ui, "... " if lines else "code> ")
        if not lines:
            cmd = _command(ui, s, text.strip())
            if cmd == "skip":
                return None
            if cmd == "hint":
                continue
        if text.strip() == ".":
            if lines:
                prefill(10**9)  # no more prefilled text at later prompts
                return "\n".join(lines) + "\n"
            continue
        lines.append(text.rstrip("\n"))


def _prefill(ui, start: str | None):
    """A retry typed at a terminal starts from the last attempt: each of its lines is offered, already
    typed, at its prompt (Enter keeps it, or edit it); a line holding only '.' ends as always. From a pipe
    there is nothing to edit, so the new version is read whole."""
    import sys

    old = start.rstrip("\n").split("\n") if start else []
    if not old:
        return lambda i: None
    try:
        import readline
    except ImportError:  # Windows: no line editing to prefill
        ui.note("your last attempt is above; type or paste the new version")
        return lambda i: None
    if not sys.stdin.isatty():
        ui.note("your last attempt is above; type or paste the new version")
        return lambda i: None
    ui.note("your last attempt comes back line by line: Enter keeps a line, or edit it; '.' alone ends")
    old.append(".")

    def offer(i):
        text = old[i] if i < len(old) else ""
        readline.set_startup_hook((lambda: readline.insert_text(text)) if text else None)

    return offer


def _edit(editor, asked, start) -> str:
    import shlex
    import subprocess
    import tempfile

    q = asked.question
    with tempfile.NamedTemporaryFile("w+", suffix=".py", prefix=f"quizkit-{q.id}-", delete=False) as f:
        f.write(start or q.body.starter)
        path = f.name
    try:
        done = subprocess.run(shlex.split(editor) + [path], check=False)
        if done.returncode != 0:
            raise QuizkitError(f"the editor '{editor}' exited with status {done.returncode}")
        return Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise QuizkitError(f"cannot use the editor '{editor}': {getattr(e, 'strerror', None) or e}") from None
    finally:
        Path(path).unlink(missing_ok=True)


def _answer_one(ui, s, asked, rate):
    """Ask one question until it is answered, skipped or given up. Every answer is stored by the engine
    the moment it is judged; `rate(outcome)` then lets review change the rating."""
    from .engine import NotAnAnswer

    ui.question(asked, s.lang)
    if asked.input == "reveal":
        while True:
            cmd = _command(ui, s, _line(ui, "Enter to reveal > "))
            if cmd == "skip":
                return ui.skipped(s.skip())
            if cmd is None:
                break
        ui.reveal(s.reveal())
        while True:
            key = _line(ui, "how well did you know it? 1 again · 2 hard · 3 good · 4 easy > ")
            if key in ("1", "2", "3", "4"):
                outcome = s.answer(key)
                ui.explain(outcome)
                return rate(outcome)
            if _command(ui, s, key) == "skip":
                return ui.skipped(s.skip())
            ui.note("press 1, 2, 3 or 4")
    start = None
    while True:
        if asked.input == "code":
            reply = _read_code(ui, s, start)
            if reply is None:
                return ui.skipped(s.skip())
        else:
            reply = _line(ui, "> ")
            cmd = _command(ui, s, reply)
            if cmd == "skip":
                return ui.skipped(s.skip())
            if cmd == "hint" or not reply:
                continue
        try:
            outcome = s.answer(reply)
        except NotAnAnswer as e:
            ui.note(str(e))
            continue
        ui.verdict(outcome)
        if outcome.done:
            return rate(outcome)
        try:
            choice = _line(ui, "r retries (from your last attempt) · Enter goes on · q quits > ").lower()
        except (EOFError, KeyboardInterrupt):
            ui.plain("")  # the cursor is still on the prompt's line
            rate(s.give_up())
            raise
        if choice != "r":
            outcome = s.give_up()
            ui.explain(outcome)
            rate(outcome)
            if choice == "q":
                raise _Quit
            return
        start = reply


def _sitting(ui, s, rate):
    """The loop: next question, answer it, until the policy has none left, q, Ctrl-C or end of input.
    The summary is always shown; Ctrl-C exits 130."""
    saved, interrupted = True, False
    try:
        while True:
            asked = s.next()
            if asked is None:
                break
            ui.score_bar(s.score, asked.position)
            _answer_one(ui, s, asked, rate)
    except (_Quit, EOFError):
        pass
    except KeyboardInterrupt:
        interrupted = True
    except StoreError:
        saved = False  # the summary must not say "saved"; the error itself follows it
        raise
    finally:
        ui.summary(s.finish(saved))
    if interrupted:
        raise typer.Exit(130)


def _review_rating(ui, s, scheduler):
    """After a right answer in review: Enter keeps good (already stored), h/e re-rate, u undoes, q quits.
    End of input or Ctrl-C here keeps the stored rating."""

    def rate(outcome):
        if outcome is None or outcome.scheduled is None:
            if outcome is not None and outcome.verdict.correct is not None and outcome.scheduled is None:
                ui.note("saved, but not scheduled: another review session used today's new cards")
            return
        result = outcome.scheduled
        if outcome.verdict.correct and not _self_graded(outcome):
            while True:
                try:
                    choice = _line(ui, "Enter: good · h: hard · e: easy · u: undo · q: quit > ").lower()
                except (EOFError, KeyboardInterrupt):
                    ui.plain("")  # the cursor is still on the prompt's line
                    _scheduled(ui, result, s.clock())
                    raise
                if choice in ("", "g", "h", "e", "1", "2", "3", "4"):
                    choice = {"1": "again", "2": "h", "3": "", "4": "e"}.get(choice, choice)
                    if choice == "again":
                        ui.note("a right answer is rated hard at worst; press u to undo and answer again")
                        continue
                    if choice in ("h", "e"):
                        result = s.rate(choice)
                    break
                if choice == "u":
                    s.undo()
                    ui.note("undone: the answer and its rating are taken back; it comes again now")
                    return
                if choice == "q":
                    _scheduled(ui, result, s.clock())
                    raise _Quit
                ui.note("press Enter, h, e, u or q")
        _scheduled(ui, result, s.clock())

    return rate


def _self_graded(outcome) -> bool:
    from . import types

    return types.of(outcome.question).INPUT == "reveal"


def _scheduled(ui, result, now):
    from .scheduler import LEECH_LAPSES, describe_interval

    rating = {1: "again", 2: "hard", 3: "good", 4: "easy"}[int(result.log.rating)]
    ui.scheduled(
        rating,
        describe_interval(result.state.due, now),
        result.state.due,
        LEECH_LAPSES if result.became_leech else None,
    )


# ---- drill and review ----


def drill(
    ctx: typer.Context,
    bank: List[Path] | None = BankOpt,
    tag: List[str] | None = TagOpt,
    qtype: List[str] | None = TypeOpt,
    difficulty: str | None = typer.Option(None, metavar="LEVEL", help="A level 1-5, or a range like 2-4."),
    count: int = typer.Option(10, "-n", "--count", min=1, metavar="N", help="How many questions."),
    seed: int | None = typer.Option(None, metavar="N", help="Seed for the choice and order of questions."),
    device: str = DeviceOpt,
    lang: str = LangOpt,
):
    """An interactive session: asks questions, runs code answers, keeps the score."""
    import random

    from . import catalog, ui
    from .policies import Drill

    c = _obj(ctx)
    banks, questions = _load(ui, bank)
    rng = random.Random(seed)
    with c.store() as store, _runner(c, device, lazy=True) as (runner, dev):
        pool = catalog.matching(questions, tag or (), qtype or (), difficulty, dev == "cuda")
        chosen = catalog.select(pool, store.progress(), count, rng)
        if not chosen:
            raise QuizkitError("no questions match those filters (quizkit list shows the tags and types)")
        with _session(c, Drill(chosen), store, runner, dev, lang, rng, chosen) as s:
            _sitting(ui, s, lambda outcome: None)


@contextmanager
def _session(c, policy, store, runner, dev, lang, rng, questions):
    """A session over `questions`. When any of them runs code and no runner was made for the device, one
    is made here and starts importing torch in the background while the learner reads the first question;
    it is closed at the end (closing never waits for that import)."""
    from . import types
    from .engine import Session

    own = None
    if runner is None and any(types.of(q).RUNS for q in questions):
        runner = own = c.runner_factory(1, None)
    if runner is not None:
        runner.warm()
    try:
        yield Session(policy, store, runner, dev, lang, clock=c.clock, rng=rng)
    finally:
        if own is not None:
            own.close()


def review(
    ctx: typer.Context,
    bank: List[Path] | None = BankOpt,
    tag: List[str] | None = TagOpt,
    qtype: List[str] | None = TypeOpt,
    new_limit: int | None = typer.Option(
        None, "--new", min=0, help="New questions a day (default 20, or config.yaml)."
    ),
    review_limit: int | None = typer.Option(
        None, "--reviews", min=0, help="Reviews a day (default 200, or config.yaml)."
    ),
    seed: int | None = typer.Option(None, metavar="N", help="Seed for the order of mcq choices."),
    device: str = DeviceOpt,
    lang: str = LangOpt,
):
    """Spaced repetition: what is due today, then new questions up to the daily limit."""
    import random

    from . import catalog, ui
    from . import scheduler as sch
    from .policies import ReviewPolicy

    c = _obj(ctx)
    settings = c.settings()
    if new_limit is not None:
        settings.new_per_day = new_limit
    if review_limit is not None:
        settings.reviews_per_day = review_limit
    _, questions = _load(ui, bank)
    scheduler = sch.Scheduler(settings.desired_retention, rollover_hour=settings.rollover_hour)
    rng = random.Random(seed)
    with c.store() as store, _runner(c, device, lazy=True) as (runner, dev):
        pool = catalog.interleave(catalog.matching(questions, tag or (), qtype or (), None, dev == "cuda"))
        now = c.clock()
        start = scheduler.day_start(scheduler.study_day(now))
        plan = sch.plan(
            store.due_cards(now),
            store.card_dues(),
            store.reviews(since=start),
            [q.full_id for q in pool],
            now,
            settings.new_per_day,
            settings.reviews_per_day,
        )
        text = (
            sch.describe_interval(plan.next_due, now).replace("again ", "").replace("next ", "")
            if plan.next_due
            else ""
        )
        ui.review_plan(plan, settings, text)
        if not plan.due and not plan.new:
            return
        by_id = {q.full_id: q for q in pool}
        queue = [(by_id[qid], state) for qid, state in plan.due] + [(by_id[qid], None) for qid in plan.new]
        policy = ReviewPolicy(queue, scheduler, settings)
        with _session(c, policy, store, runner, dev, lang, rng, [q for q, _ in queue]) as s:
            _sitting(ui, s, _review_rating(ui, s, scheduler))


# ---- list, stats, export ----


def list_(
    ctx: typer.Context,
    bank: List[Path] | None = BankOpt,
    as_json: bool = JsonOpt,
):
    """The banks and questions: counts by type and tag, and your progress."""
    from . import catalog, types, ui

    banks, questions = _load(ui, bank)
    if as_json:
        ui.list_json(questions, catalog.topic_of)
        return
    with _obj(ctx).store() as store:
        progress = store.progress()
    ui.list_tables(banks, questions, catalog.progress_by_bank(banks, progress), catalog.main_tags(banks), types.NAMES)


def stats(
    ctx: typer.Context,
    bank: List[Path] | None = typer.Option(
        None, "--bank", metavar="PATH", help="Bank file or folder, for topic names (repeatable)."
    ),
    as_json: bool = JsonOpt,
):
    """Accuracy by topic, retention, streak, the due forecast and a heatmap of days studied."""
    from . import catalog, ui
    from . import stats as numbers
    from .scheduler import Scheduler

    c = _obj(ctx)
    settings = c.settings()
    scheduler = Scheduler(settings.desired_retention, rollover_hour=settings.rollover_hour)
    banks, _, _ = catalog.load(bank)  # topics only: a broken bank must not hide the numbers
    topic = {q.full_id: catalog.topic_of(q) for b in banks for q in b.questions}
    with c.store() as store:
        data = numbers.compute(store, lambda qid: topic.get(qid) or qid.split("/")[0], scheduler, c.clock())
    (ui.print_json if as_json else ui.stats)(data)


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
):
    """Every stored attempt (and its review), one per line, for your own analysis or the FSRS optimizer."""
    from . import ui
    from .stats import EXPORT_FIELDS, export_rows

    if fmt not in ("jsonl", "csv"):
        raise QuizkitError(f"--format must be jsonl or csv, not '{fmt}'")
    with _obj(ctx).store() as store:
        try:
            ui.export(export_rows(store), fmt, EXPORT_FIELDS, output)
        except OSError as e:
            raise QuizkitError(f"{output or 'stdout'}: cannot write: {e.strerror}") from None


# Registered here, in the order `quizkit --help` lists them: what a learner uses first comes first.
for _fn, _name in (
    (drill, "drill"),
    (review, "review"),
    (check, "check"),
    (verify, "verify"),
    (list_, "list"),
    (stats, "stats"),
    (export, "export"),
    (schema, "schema"),
):
    app.command(_name)(_fn)


def main():
    import sys

    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:  # bad bytes typed or printed are replaced later, never a UnicodeError
            stream.reconfigure(errors="surrogateescape" if stream is sys.stdin else "replace")
        except (AttributeError, ValueError):
            pass
    app()
