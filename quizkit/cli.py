"""The command line: parses options, calls session and ui. Each command is a few lines."""
from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import List, Optional

import typer

from .errors import QuizkitError, StoreError

# session and ui (yaml, rich tables) are imported inside the commands: `quizkit --help` stays fast.

app = typer.Typer(
    help="PyTorch interview drills whose code answers are run for real with torch.",
    no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: rendering it with rich imports 60 ms of Markdown machinery
)

DEVICE_HELP = "cpu, cuda or auto (cuda where torch sees one)"


def friendly(fn):
    """A QuizkitError becomes one line on stderr and exit status 1."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except QuizkitError as e:
            from . import ui
            ui.error(str(e))
            raise typer.Exit(1) from None
    return wrapper


def _load(ui, paths):
    """Banks for a command that goes on without the broken ones: each broken bank is a warning, and
    nothing loaded at all is the error (exit 1)."""
    from . import session
    banks, questions, errors = session.load(paths)
    if errors and not banks:
        for e in errors[:-1]:
            ui.warn(str(e))
        raise errors[-1]
    for e in errors:
        ui.warn(str(e))
    return banks, questions


def _runner(workers=1, memory_mb=None):
    from .runner import DEFAULT_MEMORY_MB, Runner
    return Runner(workers=workers, memory_mb=memory_mb or DEFAULT_MEMORY_MB)


@friendly
def verify(
    paths: Optional[List[Path]] = typer.Argument(None, help="Bank files or folders (default: the shipped banks)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, help="Runs in parallel."),
    device: str = typer.Option("cpu", metavar="DEVICE", help=DEVICE_HELP),
    memory_mb: int = typer.Option(4096, help="Memory limit of each run, in MiB."),
    strict: bool = typer.Option(False, "--strict", help="A question skipped here (no GPU, a missing module) fails."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Say how runs are isolated here."),
):
    """Check banks as CI would: schema, outputs, checks, solutions pass, starters and wrong answers fail."""
    from . import session, ui
    from .runner import max_workers
    banks, questions, errors = session.load(paths)
    if jobs > max_workers():
        ui.warn(f"-j {jobs}: this machine has {max_workers()} CPUs; using {max_workers()}")
        jobs = max_workers()
    with _runner(jobs, memory_mb) as runner:
        dev = runner.resolve_device(device) if device != "cpu" else "cpu"
        if verbose:
            ui.isolation(runner.isolation())
        update, stop = ui.verify_progress() if not as_json else ((lambda r: None), (lambda: None))
        try:
            results = session.verify(questions, runner, dev, jobs, update, strict)
        finally:
            stop()
    (ui.verify_json if as_json else ui.verify_table)(results, errors)
    if errors or any(r.status == "fail" for r in results):
        raise typer.Exit(1)


@friendly
def check(
    question_id: str = typer.Argument(..., metavar="ID", help="The question, e.g. nn/stable-softmax."),
    file: Path = typer.Argument(..., help="Your answer, a Python file."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Run again on every save, until Ctrl-C."),
    bank: Optional[List[Path]] = typer.Option(None, "--bank", metavar="PATH", help="Bank file or folder (repeatable)."),
    device: str = typer.Option("cpu", metavar="DEVICE", help=DEVICE_HELP),
):
    """Run your own file against a code question's tests."""
    from . import session, ui
    _, questions = _load(ui, bank)
    q = session.code_question(questions, question_id)
    with _runner() as runner:
        dev = runner.resolve_device(device)
        if not watch:
            verdict = session.check_answer(q, _read(file), runner, dev)
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
                            ui.check_result(q.full_id, str(file), session.check_answer(q, code, runner, dev), True)
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


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise QuizkitError(f"{file}: cannot read: {getattr(e, 'strerror', None) or e}") from None




# ---- drill ----

class _Quit(Exception):
    """The learner asked to end the session (q)."""


def _ask(ui, prompt):
    """What the learner typed, made safe where it enters: bad bytes become U+FFFD, never a crash."""
    from .text import safe_input
    return safe_input(ui.ask(prompt))


def _line(ui, prompt="> "):
    return _ask(ui, prompt).strip()


def _command(ui, q, text, lang) -> str | None:
    """Handles ? (hint) and q (quit); returns 'skip' for s, None when `text` is an answer."""
    if text == "?":
        ui.hint(q, lang)
        return "again"
    if text.lower() == "s":
        return "skip"
    if text.lower() == "q":
        raise _Quit
    return None


def _read_code(ui, q, lang) -> str | None:
    """The learner's code: from $EDITOR when set, else typed or pasted up to a line holding only '.'.
    Returns None for skip."""
    import os
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        while True:
            text = _line(ui, "Enter opens your editor (? hint, s skip, q quit) > ")
            cmd = _command(ui, q, text, lang)
            if cmd == "skip":
                return None
            if cmd is None:
                return _edit(editor, q)
    lines = []
    while True:
        text = _ask(ui, "... " if lines else "code> ")
        if not lines:
            cmd = _command(ui, q, text.strip(), lang)
            if cmd == "skip":
                return None
            if cmd == "again":
                continue
        if text.strip() == ".":
            if lines:
                return "\n".join(lines) + "\n"
            continue
        lines.append(text.rstrip("\n"))


def _edit(editor, q) -> str:
    import shlex
    import subprocess
    import tempfile
    with tempfile.NamedTemporaryFile("w+", suffix=".py", prefix=f"quizkit-{q.id}-", delete=False) as f:
        f.write(q.starter)
        path = f.name
    try:
        subprocess.run(shlex.split(editor) + [path], check=False)
        return Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise QuizkitError(f"cannot start the editor '{editor}': {e.strerror}") from None
    finally:
        Path(path).unlink(missing_ok=True)


def ask_question(ui, drill, q, lang, rng, position, review=False):
    """Ask one question until answered or skipped: (correct, answer, seconds, flashcard key), or None
    when skipped. In drill each answer is recorded here as it is given; in review the caller records."""
    order = drill.choice_order(q, rng) if q.type == "mcq" else None
    ui.question(q, lang, order, header=f"{position} ")
    started = time.monotonic()
    if q.type == "flashcard":
        while True:
            cmd = _command(ui, q, _line(ui, "Enter to reveal > "), lang)
            if cmd == "skip":
                drill.skip(q)
                ui.skipped(q, lang, order)
                return None
            if cmd is None:
                break
        ui.reveal(q, lang)
        while True:
            key = _line(ui, "how well did you know it? 1 again · 2 hard · 3 good · 4 easy > ")
            if key in ("1", "2", "3", "4"):
                break
            if _command(ui, q, key, lang) == "skip":
                drill.skip(q)
                ui.skipped(q, lang, order)
                return None
            ui.note("press 1, 2, 3 or 4")
        correct = key != "1"
        if not review:
            drill.record(q, key, correct, time.monotonic() - started)
        return correct, key, time.monotonic() - started, key
    first = first_answer = None
    while True:
        if q.type == "code":
            answer = _read_code(ui, q, lang)
            if answer is None:
                drill.skip(q)
                ui.skipped(q, lang, order)
                return None
        else:
            answer = _line(ui, "> ")
            cmd = _command(ui, q, answer, lang)
            if cmd == "skip":
                drill.skip(q)
                ui.skipped(q, lang, order)
                return None
            if cmd == "again" or not answer:
                continue
        try:
            verdict = drill.judge(q, answer, order)
        except ValueError:
            ui.note(f"pick letters a-{'abcdefgh'[len(q.choices) - 1]}, e.g. b or a,c")
            continue
        seconds = time.monotonic() - started
        if first is None:
            first, first_answer = verdict.correct, answer
            if not review:
                drill.record(q, answer, verdict.correct, seconds)
        elif not review:  # a retry is stored too, but the score keeps the first try
            drill.record(q, answer, verdict.correct, seconds, count=False)
        done = q.type != "code" or verdict.correct
        ui.verdict(q, verdict, lang, order, final=done)
        if done:
            if first is False and verdict.correct:
                ui.note("passed on a retry; the score keeps the first try")
            return first, first_answer, seconds, None
        if _line(ui, "r retries, Enter goes on > ").lower() != "r":
            ui.explain(q, lang)
            return first, first_answer, seconds, None


@friendly
def drill(
    bank: Optional[List[Path]] = typer.Option(None, "--bank", metavar="PATH", help="Bank file or folder (repeatable)."),
    tag: Optional[List[str]] = typer.Option(None, "--tag", "--topic", metavar="TAG", help="Only questions with this tag (repeatable)."),
    qtype: Optional[List[str]] = typer.Option(None, "--type", metavar="TYPE", help="flashcard, short, mcq, output or code (repeatable)."),
    difficulty: Optional[str] = typer.Option(None, metavar="LEVEL", help="A level 1-5, or a range like 2-4."),
    count: int = typer.Option(10, "-n", "--count", min=1, metavar="N", help="How many questions."),
    seed: Optional[int] = typer.Option(None, metavar="N", help="Seed for the choice and order of questions."),
    device: str = typer.Option("cpu", metavar="DEVICE", help=DEVICE_HELP),
    lang: str = typer.Option("en", metavar="LANG", help="Language of prompts: en or zh (English where a text has no zh)."),
):
    """An interactive session: asks questions, runs code answers, keeps the score."""
    import random

    from . import session, ui
    from .store import Store
    banks, questions = _load(ui, bank)
    with Store() as store:
        rng = random.Random(seed)
        runner = _runner() if device != "cpu" else None
        cuda = runner.resolve_device(device) == "cuda" if runner else False
        pool = session.matching(questions, tag or (), qtype or (), difficulty, cuda)
        chosen = session.select(pool, store.progress(), count, rng)
        if not chosen:
            if runner:
                runner.close()
            raise QuizkitError("no questions match those filters (quizkit list shows the tags and types)")
        if runner is None and any(q.type in session.RUNS_CODE for q in chosen):
            runner = _runner()
        if runner:
            runner.warm()  # import torch in the background while the learner reads
        d = session.Drill(store, runner, "cuda" if cuda else "cpu")
        d.lang = lang
        _sitting(ui, d, chosen, lang, rng)


def _sitting(ui, d, chosen, lang, rng):
    saved = True
    try:
        for i, q in enumerate(chosen, 1):
            ui.score_bar(d.score, f"{i}/{len(chosen)}")
            ask_question(ui, d, q, lang, rng, f"[{i}/{len(chosen)}]")
    except (_Quit, KeyboardInterrupt, EOFError):
        pass
    except StoreError:
        saved = False  # the summary must not say "saved"; the error itself follows it
        raise
    finally:
        if d.runner:
            d.runner.close()
        ui.summary(d.score, saved=saved)


@friendly
def list_(
    bank: Optional[List[Path]] = typer.Option(None, "--bank", metavar="PATH", help="Bank file or folder (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
):
    """The banks and questions: counts by type and tag, and your progress."""
    from . import session, ui
    from .store import Store
    banks, questions = _load(ui, bank)
    if as_json:
        ui.list_json(questions)
        return
    with Store() as store:
        progress = store.progress()
    ui.list_tables(banks, questions, session.progress_by_bank(banks, progress), session.main_tags(banks))


@friendly
def export(
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
):
    """Every stored attempt (and its review), one per line, for your own analysis or the FSRS optimizer."""
    from . import session, ui
    from .store import Store
    if fmt not in ("jsonl", "csv"):
        raise QuizkitError(f"--format must be jsonl or csv, not '{fmt}'")
    with Store() as store:
        rows = session.export_rows(store)
    ui.export(rows, fmt, output)


@friendly
def review(
    bank: Optional[List[Path]] = typer.Option(None, "--bank", metavar="PATH", help="Bank file or folder (repeatable)."),
    tag: Optional[List[str]] = typer.Option(None, "--tag", "--topic", metavar="TAG", help="Only questions with this tag (repeatable)."),
    qtype: Optional[List[str]] = typer.Option(None, "--type", metavar="TYPE", help="flashcard, short, mcq, output or code (repeatable)."),
    new_limit: Optional[int] = typer.Option(None, "--new", min=0, help="New questions a day (default 20, or config.yaml)."),
    review_limit: Optional[int] = typer.Option(None, "--reviews", min=0, help="Reviews a day (default 200, or config.yaml)."),
    seed: Optional[int] = typer.Option(None, metavar="N", help="Seed for the order of mcq choices."),
    device: str = typer.Option("cpu", metavar="DEVICE", help=DEVICE_HELP),
    lang: str = typer.Option("en", metavar="LANG", help="Language of prompts: en or zh."),
):
    """Spaced repetition: what is due today, then new questions up to the daily limit."""
    import random

    from . import session, ui
    from .scheduler import Scheduler
    from .store import Store, home
    settings = session.load_settings(home() / "config.yaml")
    if new_limit is not None:
        settings.new_per_day = new_limit
    if review_limit is not None:
        settings.reviews_per_day = review_limit
    _, questions = _load(ui, bank)
    sched = Scheduler(settings.desired_retention, rollover_hour=settings.rollover_hour)
    with Store() as store:
        runner = _runner() if device != "cpu" else None
        cuda = runner.resolve_device(device) == "cuda" if runner else False
        pool = session.matching(questions, tag or (), qtype or (), None, cuda)
        rs = session.ReviewSession(store, runner, sched, settings, "cuda" if cuda else "cpu")
        rs.lang = lang
        plan = rs.plan(pool)
        ui.review_plan(plan, settings, rs.clock())
        if not plan.due and not plan.new:
            if runner:
                runner.close()
            return
        queue = plan.due + [(q, None) for q in plan.new]
        if rs.runner is None and any(q.type in session.RUNS_CODE for q, _ in queue):
            rs.runner = _runner()
        if rs.runner:
            rs.runner.warm()
        _review_sitting(ui, rs, queue, lang, random.Random(seed))


def _review_sitting(ui, rs, queue, lang, rng):
    asked = 0
    saved = True
    try:
        while True:
            item = rs.next_item(queue)
            if item is None:
                break
            q, state = item
            asked += 1
            left = len(queue) + len(rs.learning)
            ui.score_bar(rs.score, f"review {asked} · {left} left")
            answer = ask_question(ui, rs, q, lang, rng, f"[{asked}]", review=True)
            if answer is None:
                continue
            correct, text, seconds, key = answer
            override = None
            if correct and key is None:
                choice = _line(ui, "Enter: good · h: hard · e: easy > ").lower()
                override = choice if choice in ("h", "e") else None
            result = rs.rate(q, state, correct, seconds, text, key, override)
            if result is None:
                ui.note("saved, but not scheduled: another review session used today's new cards")
            else:
                ui.scheduled(result, rs.clock())
    except (_Quit, KeyboardInterrupt, EOFError):
        pass
    except StoreError:
        saved = False
        raise
    finally:
        if rs.runner:
            rs.runner.close()
        ui.summary(rs.score, "review summary", saved=saved)


@friendly
def stats(
    bank: Optional[List[Path]] = typer.Option(None, "--bank", metavar="PATH", help="Bank file or folder, for topic names (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
):
    """Accuracy by topic, retention, streak, the due forecast and a heatmap of days studied."""
    from . import session, ui
    from .scheduler import Scheduler
    from .store import Store, home
    settings = session.load_settings(home() / "config.yaml")
    sched = Scheduler(settings.desired_retention, rollover_hour=settings.rollover_hour)
    with Store() as store:
        data = session.stats(store, sched, bank)
    (ui.print_json if as_json else ui.stats)(data)


def schema(
    path_only: bool = typer.Option(False, "--path", help="Print where the installed schema file is."),
):
    """The JSON Schema of a bank, for editors (yaml-language-server): print it, or its path."""
    from . import schema as bank_schema
    from . import ui
    ui.plain(str(bank_schema.PATH) if path_only else bank_schema.text().rstrip("\n"))


# Registered here, in the order `quizkit --help` lists them: what a learner uses first comes first.
for _fn, _name in ((drill, "drill"), (review, "review"), (check, "check"), (verify, "verify"),
                   (list_, "list"), (stats, "stats"), (export, "export"), (schema, "schema")):
    app.command(_name)(_fn)


def main():
    import sys
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:  # bad bytes typed or printed are replaced later, never a UnicodeError
            stream.reconfigure(errors="surrogateescape" if stream is sys.stdin else "replace")
        except (AttributeError, ValueError):
            pass
    app()
