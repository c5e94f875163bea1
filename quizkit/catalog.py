"""The questions: loading the banks, finding one, the filters, and the order they are asked in."""

from __future__ import annotations

import random
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

from .bank import Source, load_banks, shipped_dir
from .errors import BankError, QuizkitError
from .i18n import _, shown
from .model import Bank, LearningPath, Question, type_info

if TYPE_CHECKING:
    from .packages import BankPackage
    from .store.rows import Progress

Step = tuple[str, Question | None, Literal["done", "next", "locked"]]  # a learning path's step, see path_steps

# Every shipped question carries exactly one of these tags; scores and stats count by it.
TOPICS = (
    "seed",
    "tensors",
    "autograd",
    "func",
    "module",
    "layers",
    "attention",
    "optim",
    "data",
    "precision",
    "performance",
    "distributed",
    "debug",
    # the LLM-era topics (issue 21)
    "scale-out",
    "finetune",
    "moe",
    "quantization",
    "memory",
    "decoding",
    "kernels",
    "post-training",
)


def topic_of(q: Question) -> str:
    """The question's topic for scores (docs/bank-format.md, "Topics"): its `topic:` (or its bank's), else its
    first tag that is one of TOPICS (the bank's tags come first), else its first tag, else its bank."""
    if getattr(q, "topic", None):
        return cast(str, q.topic)
    for tag in q.tags:
        if tag in TOPICS:
            return tag
    return q.tags[0] if q.tags else q.bank


def load(
    paths: Sequence[str] | None = None, packages: list[BankPackage] | None = None
) -> tuple[list[Bank], list[Question], list[BankError]]:
    """(banks, questions, bank errors) from the given files, folders or bank names (see `resolve`); by
    default the shipped banks and every installed bank package's. `packages`: what `packages.discover()`
    found, when the caller already has it."""
    errors: list[BankError]
    if paths:
        sources, errors = resolve(paths, packages), []
    else:
        sources, errors = default_sources(packages)
    banks, more = load_banks(sources)
    return banks, [q for b in banks for q in b.questions], errors + more


def load_for_authoring(
    paths: Sequence[str] | None = None, packages: list[BankPackage] | None = None
) -> tuple[list[Bank], list[Question], list[BankError], list[str]]:
    """`load` for `check` and `verify`, which an author runs on the file being edited: (banks, questions,
    errors, notes). An installed package's bank with an edited copy under the current folder is loaded from
    that copy, and a note says so, naming both (quizkit/local.py)."""
    from .local import prefer_local

    errors: list[BankError]
    if paths:
        sources, errors = resolve(paths, packages), []
    else:
        sources, errors = default_sources(packages)
    sources, notes = prefer_local(sources)
    banks, more = load_banks(sources)
    return banks, [q for b in banks for q in b.questions], errors + more, notes


def load_one_for_authoring(
    full_id: str, packages: list[BankPackage] | None = None
) -> tuple[list[Bank], Question, list[str]] | None:
    """`load_for_authoring` of just the bank file named as `full_id`'s bank (`tensors/x`: the one tensors.yaml,
    shipped or installed), for `check ID` without --bank: (banks, question, notes), or None wherever that
    could differ from loading everything (no such file or several, a broken package or bank, the id not in
    it): the caller then loads everything. Loading the other 21 banks was 20 ms of a 170 ms warm check."""
    from .bank import bank_files
    from .local import prefer_local

    name, _slash, rest = full_id.partition("/")
    if not rest:
        return None
    sources, errors = default_sources(packages)
    if errors:
        return None
    named: list[Source] = []
    for where, origin in sources:
        try:
            named += [(f, origin) for f in bank_files([where]) if f.stem == name]
        except QuizkitError:
            return None
    if len(named) != 1:
        return None
    chosen, notes = prefer_local(named)
    banks, more = load_banks(chosen)
    found = [q for b in banks for q in b.questions if q.full_id == full_id]
    if more or len(found) != 1:
        return None
    return banks, found[0], notes


def default_sources(packages: list[BankPackage] | None = None) -> tuple[list[Source], list[BankError]]:
    """(folder, origin) pairs: the shipped banks first, then each installed bank package's folder (origin:
    its distribution's name); and one error for each package whose folder cannot be found."""
    from . import packages as pkgs

    sources: list[Source] = [(shipped_dir(), "shipped")]
    errors: list[BankError] = []
    for p in pkgs.discover() if packages is None else packages:
        if p.error or p.folder is None:
            e = BankError(f"package {p.name}", 0, p.error or "no folder")
            e.origin = p.name
            errors.append(e)
        else:
            sources.append((p.folder, p.name))
    return sources, errors


def resolve(values: Iterable[str], packages: list[BankPackage] | None = None) -> list[Source]:
    """`--bank` values as (path, origin) pairs: an existing file or folder is itself; any other value is a
    bank's name, shipped or from an installed package: its file's name without .yaml, or else an installed
    bank package (its distribution's name, as pip knows it, or its entry point's: all of its banks), or else
    its `bank:` id (the banks are loaded, from the cache, only for that). A value that is none of these is a
    one-line error naming the closest names."""
    from pathlib import Path

    from . import packages as pkgs

    out: list[Source] = []
    sources: list[Source] | None = None
    stems: dict[str, Source] = {}
    by_package: dict[str, Source] = {}
    ids: dict[str, Source] | None = None
    for value in values:
        path = Path(value)
        if path.exists():
            out.append((path, ""))
            continue
        text = str(value)
        if sources is None:
            packages = pkgs.discover() if packages is None else packages
            sources, _errors = default_sources(packages)
            stems = _stems(sources)
            for p in packages:
                if p.folder is not None and not p.error:
                    for name in (pkgs.normal(p.name), p.entry):
                        by_package.setdefault(name, (p.folder, p.name))
        package = by_package.get(pkgs.normal(text)) or by_package.get(text)
        if text not in stems and package is None and ids is None:
            ids = {b.id: (Path(b.path), b.origin) for b in load_banks(sources)[0]}
        found = stems.get(text) or package or (ids or {}).get(text)
        if found:
            out.append(found)
            continue
        import difflib

        names = sorted(set(stems) | set(ids or ()) | set(by_package))
        close = difflib.get_close_matches(text, names, n=4, cutoff=0.6)
        hint = _("did you mean {names}?").format(names=", ".join(close)) if close else _("quizkit list shows the banks")
        raise QuizkitError(_("{value}: no such file, folder or bank ({hint})").format(value=text, hint=hint))
    return out


def _stems(sources: Iterable[Source]) -> dict[str, Source]:
    """File name without .yaml -> (file, origin); the first source to have a name keeps it."""
    from .bank import bank_files

    named: dict[str, Source] = {}
    for where, origin in sources:
        try:
            files = bank_files([where])
        except QuizkitError:
            continue
        for f in files:
            named.setdefault(f.stem, (f, origin))
    return named


def find(questions: Iterable[Question], wanted: str) -> Question:
    """By full id (bank/id), or by bare id where it is unique."""
    exact = [q for q in questions if q.full_id == wanted]
    if exact:
        return exact[0]
    bare = [q for q in questions if q.id == wanted]
    if len(bare) == 1:
        return bare[0]
    if bare:
        raise QuizkitError(
            _("'{id}' is in several banks: {ids}").format(id=wanted, ids=", ".join(q.full_id for q in bare))
        )
    raise QuizkitError(_("no question '{id}' (quizkit list shows the ids)").format(id=wanted))


def code_question(questions: Iterable[Question], wanted: str, command: str = "check") -> Question:
    q = find(questions, wanted)
    from . import types

    if types.of(q).INPUT != "code":
        label = shown(type_info(q.type).label)  # the type's name as ui shows it: 简答题 in Chinese
        raise QuizkitError(
            _("{id} is not a code question (its type: {type}); {command} takes code questions").format(
                id=q.full_id, type=label, command=command
            )
        )
    return q


def missing_requirement(q: Question, cuda: bool | None) -> str | None:
    """Why `q` cannot run here, or None. `cuda` None: not known yet (treated as absent)."""
    from .fields import LOOPBACK

    for need in q.requires:
        if need == "cuda":
            if not cuda:
                return "needs cuda: torch sees no GPU here"
            continue
        if need == LOOPBACK:  # given to the run where namespaces are; where not, the network is not cut off
            continue
        why = requirement_missing(need)
        if why:
            return why
    return None


def requirement_missing(need: str) -> str | None:
    """A module (with an optional version range) looked up without importing it or its parents."""
    import importlib.machinery
    import importlib.metadata

    from .fields import REQUIRE_RE

    match = REQUIRE_RE.match(need)
    if not match:
        return f"needs {need}: not a module name"
    name, spec = match.group(1), (match.group(2) or "").replace(" ", "")
    parts = name.split(".")
    found = importlib.machinery.PathFinder.find_spec(parts[0])
    for i in range(1, len(parts)):
        if found is None or not found.submodule_search_locations:
            found = None
            break
        found = importlib.machinery.PathFinder.find_spec(".".join(parts[: i + 1]), found.submodule_search_locations)
    if found is None:
        return f"needs {name}: not installed"
    if spec:
        from packaging.specifiers import SpecifierSet

        try:
            version = importlib.metadata.version(parts[0])
        except importlib.metadata.PackageNotFoundError:
            return f"needs {need}: the installed {parts[0]} has no version"
        if not SpecifierSet(spec).contains(version, prereleases=True):
            return f"needs {need}: {parts[0]} {version} is installed"
    return None


def parse_difficulty(text: str | None, option: str = "--difficulty") -> tuple[int, int]:
    """'3' -> (3, 3); '2-4' -> (2, 4); None -> (1, 5). `option` is the flag named in the error."""
    if not text:
        return 1, 5
    lo, _dash, hi = text.partition("-")
    try:
        lo_n, hi_n = int(lo), int(hi or lo)
    except ValueError:
        raise QuizkitError(
            _("{option} must be a level 1-5 or a range like 2-4, not '{value}'").format(option=option, value=text)
        ) from None
    if not (1 <= lo_n <= 5 and 1 <= hi_n <= 5):
        raise QuizkitError(_("{option} must be within 1-5, not '{value}'").format(option=option, value=text))
    if lo_n > hi_n:
        raise QuizkitError(
            _("{option} is a range from low to high, like {low}-{high}, not '{value}'").format(
                option=option, low=hi_n, high=lo_n, value=text
            )
        )
    return lo_n, hi_n


def matching(
    questions: Iterable[Question],
    tags: Collection[str] = (),
    types: Collection[str] = (),
    difficulty: str | None = None,
    cuda: bool | None = False,
    runnable: bool = True,
) -> list[Question]:
    """The questions that pass the filters and (unless `runnable` is False: an export, a list) can run here."""
    from .types import NAMES

    for t in types:
        if t not in NAMES:
            raise QuizkitError(
                _("--type must be one of {names}, not '{value}'").format(names=", ".join(NAMES), value=t)
            )
    lo, hi = parse_difficulty(difficulty)
    return [
        q
        for q in questions
        if (not tags or set(tags) & set(q.tags))
        and (not types or q.type in types)
        and lo <= q.difficulty <= hi
        and (not runnable or not missing_requirement(q, cuda))
    ]


def select(
    questions: Iterable[Question], progress: Mapping[str, Progress], count: int, rng: random.Random
) -> list[Question]:
    """Up to `count` questions: never-answered first, then those last answered wrong, then the rest;
    shuffled within each group so that related questions do not cue each other."""
    groups: tuple[list[Question], list[Question], list[Question]] = ([], [], [])
    for q in questions:
        seen = progress.get(q.full_id)
        groups[0 if not seen else 1 if not seen.last_right else 2].append(q)
    chosen: list[Question] = []
    for g in groups:
        rng.shuffle(g)
        chosen += g
    return chosen[:count]


def interleave(questions: Iterable[Question]) -> list[Question]:
    """New cards across topics in turn, and within a topic across its banks in turn (each bank keeps its
    order, easy to hard), so that neighbours do not give each other away and a session is not one topic."""

    def round_robin(lanes: Iterable[list[Question]]) -> list[Question]:
        out: list[Question]
        out, lanes = [], [list(lane) for lane in lanes if lane]
        while lanes:
            out += [lane.pop(0) for lane in lanes]
            lanes = [lane for lane in lanes if lane]
        return out

    topics: dict[str, dict[str, list[Question]]] = {}
    for q in questions:
        topics.setdefault(topic_of(q), {}).setdefault(q.bank, []).append(q)
    return round_robin([round_robin(banks.values()) for banks in topics.values()])


def main_tags(banks: Iterable[Bank]) -> list[str]:
    """The known topics, then the tags banks give all their questions."""
    tags = list(TOPICS)
    for b in banks:
        common = set.intersection(*(set(q.tags) for q in b.questions)) if b.questions else set()
        tags += [t for t in b.questions[0].tags if t in common and t not in tags] if b.questions else []
    return tags


def progress_by_bank(banks: Iterable[Bank], progress: Mapping[str, Progress]) -> list[dict[str, Any]]:
    rows = []
    for b in banks:
        seen = [progress[q.full_id] for q in b.questions if q.full_id in progress]
        rows.append(
            {
                "bank": b.id,
                "title": b.title,
                "questions": len(b.questions),
                "answered": len(seen),
                "right_last": sum(1 for s in seen if s.last_right),
                "attempts": sum(s.attempts for s in seen),
                "right": sum(s.right for s in seen),
            }
        )
    return rows


# ---- where a learner stands: status per question, search, learning paths ----

STATUSES = ("new", "learning", "review", "done", "missed")
Status = Literal["new", "learning", "review", "done", "missed"]


def status(qid: str, progress: Mapping[str, Progress], phases: Mapping[str, int]) -> Status:
    """new: never answered; missed: the last answer was wrong; learning / review: the card's phase in
    spaced repetition; done: answered right (in a drill or a check, never reviewed)."""
    seen = progress.get(qid)
    if not seen:
        return "new"
    if not seen.last_right:
        return "missed"
    phase = phases.get(qid)
    if phase is None:
        return "done"
    return "review" if phase == 2 else "learning"


def answered_right(progress: Mapping[str, Progress]) -> set[str]:
    """Questions answered right at least once: a learning path's steps that are done."""
    return {qid for qid, (_n, right, _last) in progress.items() if right}


def search(questions: Iterable[Question], text: str) -> list[Question]:
    """Questions whose id, tags or prompt (any language) contain `text`, ignoring case."""
    needle = text.casefold()
    return [
        q
        for q in questions
        if needle in q.full_id.casefold()
        or any(needle in t.casefold() for t in q.tags)
        or any(needle in p.casefold() for p in q.prompt.values())
    ]


def paths(banks: Iterable[Bank]) -> dict[str, LearningPath]:
    """Every learning path the banks declare, by id; a path id declared twice is an error."""
    out, clashes = _declared_paths(banks)
    if clashes:
        raise clashes[0]
    return out


def _declared_paths(banks: Iterable[Bank]) -> tuple[dict[str, LearningPath], list[BankError]]:
    """(the first declaration of each path id, a BankError for each later one)."""
    out: dict[str, LearningPath] = {}
    clashes = []
    for b in banks:
        for p in b.paths:
            if p.id in out:
                clashes.append(BankError(b.path, p.line, f"path '{p.id}' is also declared by bank '{out[p.id].bank}'"))
            else:
                out[p.id] = p
    return out, clashes


def find_path(banks: Iterable[Bank], name: str) -> LearningPath:
    known = paths(banks)
    if name in known:
        return known[name]
    import difflib

    near = difflib.get_close_matches(name, list(known), n=1)
    if near:
        raise QuizkitError(_("no learning path '{name}' (did you mean '{near}'?)").format(name=name, near=near[0]))
    raise QuizkitError(
        _("no learning path '{name}'; the paths are: {paths}").format(
            name=name, paths=", ".join(sorted(known)) or _("none")
        )
    )


def path_steps(path: LearningPath, by_id: Mapping[str, Question], done: Container[str]) -> list[Step]:
    """[(full id, question or None, state)] where state is done, next or locked: a step is locked until
    every step before it and every question it names in `after` is done; `next` is the first open one."""
    out: list[Step] = []
    blocked = False
    for qid in path.steps:
        q = by_id.get(qid)
        if qid in done:
            out.append((qid, q, "done"))
            continue
        waiting = blocked or q is None or any(a not in done for a in q.after)
        out.append((qid, q, "locked" if waiting else "next"))
        blocked = True
    return out


def path_stuck(path: LearningPath, steps: Iterable[Step], done: Container[str]) -> str | None:
    """Why no step of a path that is not finished can be asked (a step not loaded, or an `after` that
    stays undone, or a circle of them); None when a step is next or every step is done."""
    if any(st == "next" for *_, st in steps):
        return None
    for qid, q, st in steps:
        if st == "done":
            continue
        if q is None:
            return _("path '{path}' is stuck: step '{step}' is not in the banks loaded").format(path=path.id, step=qid)
        return _("path '{path}' is stuck: step '{step}' waits for {after}").format(
            path=path.id, step=qid, after=", ".join(a for a in q.after if a not in done)
        )
    return None


def link_errors(banks: Sequence[Bank]) -> list[BankError]:
    """References across banks (`after`, path steps) that name no loaded question, and `after` cycles.
    Each a BankError for verify to report."""
    by_id = {q.full_id: q for b in banks for q in b.questions}
    errors = []
    for b in banks:
        for q in b.questions:
            for ref in q.after:
                if ref not in by_id:
                    errors.append(
                        BankError(b.path, q.line_of("after"), f"question '{q.id}': 'after' names '{ref}', not loaded")
                    )
        for p in b.paths:
            for ref in p.steps:
                if ref not in by_id:
                    errors.append(BankError(b.path, p.line, f"path '{p.id}': step '{ref}' is not in the banks loaded"))
    errors += _declared_paths(banks)[1]
    for qid in _cycle(by_id):
        q = by_id[qid]
        errors.append(BankError(q.path, q.line_of("after"), f"question '{q.id}': 'after' goes round in a circle"))
    return errors


def _cycle(by_id: Mapping[str, Question]) -> list[str]:
    """Questions on an `after` cycle (each named once), found by depth-first search."""
    state: dict[str, int] = {}
    found: list[str] = []

    def visit(start: str) -> None:
        stack = [(start, iter(by_id[start].after))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next((a for a in it if a in by_id), None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                found.append(nxt)
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(by_id[nxt].after)))

    for qid in by_id:
        if qid not in state and by_id[qid].after:
            visit(qid)
    return list(dict.fromkeys(found))
