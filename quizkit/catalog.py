"""The questions: loading the banks, finding one, the filters, and the order they are asked in."""

from __future__ import annotations

from .bank import load_banks
from .errors import QuizkitError
from .i18n import _
from .model import Question

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
)


def topic_of(q) -> str:
    """The question's topic for scores: its first topic tag (the bank's tags come first), else its first
    tag, else its bank."""
    for tag in q.tags:
        if tag in TOPICS:
            return tag
    return q.tags[0] if q.tags else q.bank


def load(paths=None):
    """(questions, bank errors) from the given files or folders (default: the shipped banks)."""
    banks, errors = load_banks(paths)
    return banks, [q for b in banks for q in b.questions], errors


def find(questions, wanted: str) -> Question:
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


def code_question(questions, wanted: str) -> Question:
    q = find(questions, wanted)
    from . import types

    if types.of(q).INPUT != "code":
        raise QuizkitError(_("{id} is a {type} question; check takes code questions").format(id=q.full_id, type=q.type))
    return q


def missing_requirement(q: Question, cuda: bool | None) -> str | None:
    """Why `q` cannot run here, or None. `cuda` None: not known yet (treated as absent)."""
    for need in q.requires:
        if need == "cuda":
            if not cuda:
                return "needs cuda: torch sees no GPU here"
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


def parse_difficulty(text: str | None) -> tuple[int, int]:
    """'3' -> (3, 3); '2-4' -> (2, 4); None -> (1, 5)."""
    if not text:
        return 1, 5
    lo, _dash, hi = text.partition("-")
    try:
        lo_n, hi_n = int(lo), int(hi or lo)
    except ValueError:
        raise QuizkitError(
            _("--difficulty must be a level 1-5 or a range like 2-4, not '{value}'").format(value=text)
        ) from None
    if not 1 <= lo_n <= hi_n <= 5:
        raise QuizkitError(_("--difficulty must be within 1-5, not '{value}'").format(value=text))
    return lo_n, hi_n


def matching(questions, tags=(), types=(), difficulty=None, cuda=False) -> list[Question]:
    """The questions that pass the filters and can run here."""
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
        and not missing_requirement(q, cuda)
    ]


def select(questions, progress, count: int, rng) -> list[Question]:
    """Up to `count` questions: never-answered first, then those last answered wrong, then the rest;
    shuffled within each group so that related questions do not cue each other."""
    groups: tuple[list, list, list] = ([], [], [])
    for q in questions:
        seen = progress.get(q.full_id)
        groups[0 if not seen else 1 if not seen[2] else 2].append(q)
    chosen = []
    for g in groups:
        rng.shuffle(g)
        chosen += g
    return chosen[:count]


def interleave(questions) -> list[Question]:
    """New cards across topics in turn, and within a topic across its banks in turn (each bank keeps its
    order, easy to hard), so that neighbours do not give each other away and a session is not one topic."""

    def round_robin(lanes):
        out, lanes = [], [list(lane) for lane in lanes if lane]
        while lanes:
            out += [lane.pop(0) for lane in lanes]
            lanes = [lane for lane in lanes if lane]
        return out

    topics: dict = {}
    for q in questions:
        topics.setdefault(topic_of(q), {}).setdefault(q.bank, []).append(q)
    return round_robin([round_robin(banks.values()) for banks in topics.values()])


def main_tags(banks) -> list[str]:
    """The known topics, then the tags banks give all their questions."""
    tags = list(TOPICS)
    for b in banks:
        common = set.intersection(*(set(q.tags) for q in b.questions)) if b.questions else set()
        tags += [t for t in b.questions[0].tags if t in common and t not in tags] if b.questions else []
    return tags


def progress_by_bank(banks, progress) -> list[dict]:
    rows = []
    for b in banks:
        seen = [progress[q.full_id] for q in b.questions if q.full_id in progress]
        rows.append(
            {
                "bank": b.id,
                "title": b.title,
                "questions": len(b.questions),
                "answered": len(seen),
                "right_last": sum(1 for s in seen if s[2]),
                "attempts": sum(s[0] for s in seen),
                "right": sum(s[1] for s in seen),
            }
        )
    return rows
