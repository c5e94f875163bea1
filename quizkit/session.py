"""What the commands do, without printing or reading input: choosing questions, judging, recording."""
from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from . import checks
from .bank import load_banks
from .errors import QuizkitError
from .model import Question, Verdict, VerifyResult, pick

RUNS_CODE = ("output", "code")


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
        raise QuizkitError(f"'{wanted}' is in several banks: {', '.join(q.full_id for q in bare)}")
    raise QuizkitError(f"no question '{wanted}' (quizkit list shows the ids)")


def code_question(questions, wanted: str) -> Question:
    q = find(questions, wanted)
    if q.type != "code":
        raise QuizkitError(f"{q.full_id} is a {q.type} question; check takes code questions")
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

    from .bank import REQUIRE_RE
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


def run_device(q: Question, device: str) -> str:
    """Output is device-dependent (reprs say cuda:0), so it runs on the CPU unless it requires cuda."""
    if q.type == "output":
        return "cuda" if "cuda" in q.requires else "cpu"
    return device


def _failure_line(q: Question, r) -> int:
    """The bank file's line of a failing run: the failing line inside `tests`, `solution`, ... mapped
    onto the YAML file; else the question's line."""
    if r is not None and r.where:
        piece, _, rest = r.where.partition(" line ")
        if rest.isdigit() and piece in dict(q.lines):
            return q.line_of(piece) + int(rest) - 1
    return q.line


def verify_question(q: Question, runner, device: str, cuda: bool, strict: bool = False) -> VerifyResult:
    start = time.perf_counter()

    def done(status, reason="", line=0):
        return VerifyResult(q.full_id, q.type, status, reason, round(time.perf_counter() - start, 4),
                            q.path, line or q.line)

    missing = missing_requirement(q, cuda)
    if missing:
        return done("fail" if strict else "skip", missing)
    dev = run_device(q, device)
    if q.type == "output":
        r = runner.run([("code", q.code)], dev, q.timeout)
        if not r.ok:
            return done("fail", "code: " + checks.describe_failure(r), _failure_line(q, r))
        if not checks.output_matches(q, r.stdout):
            return done("fail", f"prints {checks.fold(r.stdout)!r}, expected {checks.fold(q.expected)!r}",
                        q.line_of("code"))
    elif q.type == "short":
        for example in q.examples:
            if not checks.matches_accept(example, q.accept):
                return done("fail", f"example {example!r} is not accepted")
        for wrong in q.reject:
            if checks.matches_accept(wrong, q.accept):
                return done("fail", f"reject {wrong!r} is accepted")
    elif q.type == "mcq" and q.check:
        r = runner.run([("check", q.check)], dev, q.timeout)
        if not r.ok:
            return done("fail", "check: " + checks.describe_failure(r), _failure_line(q, r))
    elif q.type == "code":
        broken = checks.rule_breaks(q, q.solution)
        if broken:
            return done("fail", f"solution: {broken}", q.line_of("solution"))
        r = checks.run_code(q, q.solution, runner, dev)
        if not r.ok:
            return done("fail", "solution: " + checks.describe_failure(r), _failure_line(q, r))
        pieces, at = checks.code_pieces(q, q.starter)
        r = runner.run(pieces, dev, q.timeout, answer=at, seeds=1)
        if r.ok:
            return done("fail", "the starter passes the tests: they test nothing", q.line_of("starter"))
        for i, wrong in enumerate(q.wrong, 1):
            if checks.rule_breaks(q, wrong.code):
                continue  # rejected by the rules
            r = checks.run_code(q, wrong.code, runner, dev)
            if r.ok:
                return done("fail", f"wrong answer {i} passes the tests: {pick(wrong.why)}", wrong.line)
    return done("pass")


def verify(questions, runner, device: str, jobs: int = 1, progress=None, strict: bool = False) -> list[VerifyResult]:
    """Every question checked; results in the banks' order. `progress(result)` is called as each ends."""
    needs_runs = any(q.type in RUNS_CODE or q.check for q in questions)
    cuda = runner.cuda_available() if needs_runs and (device == "cuda" or any(
        "cuda" in q.requires for q in questions)) else False

    if needs_runs:
        runner.ready()  # so no question's time includes importing torch

    def one(q):
        try:
            res = verify_question(q, runner, device, cuda, strict)
        except QuizkitError as e:
            res = VerifyResult(q.full_id, q.type, "fail", str(e), 0.0, q.path, q.line)
        if progress:
            progress(res)
        return res

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, questions))


def check_answer(q: Question, code: str, runner, device: str):
    """`quizkit check`: the learner's file against the question's tests (and forbid)."""
    missing = missing_requirement(q, runner.cuda_available() if "cuda" in q.requires else False)
    if missing:
        raise QuizkitError(f"{q.full_id} {missing}")
    if checks.rule_breaks(q, code):
        return checks.judge_code(q, code, None)
    return checks.judge_code(q, code, checks.run_code(q, code, runner, device))


# ---- drill: choosing questions, judging answers, keeping the score, recording every answer ----

# Every shipped question carries exactly one of these tags; scores and stats count by it.
TOPICS = ("seed", "tensors", "autograd", "func", "module", "layers", "attention", "optim", "data",
          "precision", "performance", "distributed", "debug")


def topic_of(q: Question) -> str:
    """The question's topic for scores: a known topic tag, else its first tag, else its bank."""
    for tag in q.tags:
        if tag in TOPICS:
            return tag
    return q.tags[0] if q.tags else q.bank


def parse_difficulty(text: str | None) -> tuple[int, int]:
    """'3' -> (3, 3); '2-4' -> (2, 4); None -> (1, 5)."""
    if not text:
        return 1, 5
    lo, _, hi = text.partition("-")
    try:
        lo_n, hi_n = int(lo), int(hi or lo)
    except ValueError:
        raise QuizkitError(f"--difficulty must be a level 1-5 or a range like 2-4, not '{text}'") from None
    if not 1 <= lo_n <= hi_n <= 5:
        raise QuizkitError(f"--difficulty must be within 1-5, not '{text}'")
    return lo_n, hi_n


def matching(questions, tags=(), types=(), difficulty=None, cuda=False) -> list[Question]:
    """The questions that pass the filters and can run here."""
    from .model import TYPES
    for t in types:
        if t not in TYPES:
            raise QuizkitError(f"--type must be one of {', '.join(TYPES)}, not '{t}'")
    lo, hi = parse_difficulty(difficulty)
    return [q for q in questions
            if (not tags or set(tags) & set(q.tags))
            and (not types or q.type in types)
            and lo <= q.difficulty <= hi
            and not missing_requirement(q, cuda)]


def select(questions, progress, count: int, rng) -> list[Question]:
    """Up to `count` questions: never-answered first, then those last answered wrong, then the rest;
    shuffled within each group so that related questions do not cue each other."""
    groups = ([], [], [])
    for q in questions:
        seen = progress.get(q.full_id)
        groups[0 if not seen else 1 if not seen[2] else 2].append(q)
    chosen = []
    for g in groups:
        rng.shuffle(g)
        chosen += g
    return chosen[:count]


@dataclass
class Score:
    right: int = 0
    wrong: int = 0
    skipped: int = 0
    streak: int = 0
    best_streak: int = 0
    topics: dict = field(default_factory=dict)  # topic -> [right, wrong, skipped]

    def add(self, q: Question, correct: bool | None):
        row = self.topics.setdefault(topic_of(q), [0, 0, 0])
        if correct is None:
            self.skipped += 1
            row[2] += 1
        elif correct:
            self.right += 1
            row[0] += 1
            self.streak += 1
            self.best_streak = max(self.best_streak, self.streak)
        else:
            self.wrong += 1
            row[1] += 1
            self.streak = 0

    @property
    def answered(self) -> int:
        return self.right + self.wrong


class Drill:
    """One sitting: judges each answer and commits it to the store the moment it is given."""

    def __init__(self, store, runner, device="cpu", mode="drill", clock=None):
        self.store = store
        self.runner = runner
        self.device = device
        self.mode = mode
        self.clock = clock or now
        self.session_id = uuid.uuid4().hex[:12]
        self.score = Score()
        self.lang = "en"

    def choice_order(self, q: Question, rng) -> list[int]:
        """Bank indexes in the order shown (letters a, b, ...)."""
        order = list(range(len(q.choices)))
        if q.shuffle:
            rng.shuffle(order)
        return order

    def judge(self, q: Question, answer: str, order=None) -> Verdict:
        if q.type == "short":
            return checks.judge_short(q, answer, self.lang)
        if q.type == "mcq":
            picked = checks.parse_choices(answer, len(q.choices))
            if picked is None:
                raise ValueError(answer)
            order = order or list(range(len(q.choices)))
            return checks.judge_mcq(q, [order[i] for i in picked])
        if q.type == "output":
            verdict = checks.judge_output(q, answer)
            verdict.run = self._run_output(q)
            if not verdict.correct and verdict.run and verdict.run.ok and \
                    checks.same_output(answer, verdict.run.stdout, q.tolerance):
                verdict.correct, verdict.detail = True, "that is what your torch prints"
            return verdict
        if q.type == "code":
            if checks.rule_breaks(q, answer):
                return checks.judge_code(q, answer, None)
            return checks.judge_code(q, answer, checks.run_code(q, answer, self.runner, self.device))
        raise ValueError(f"{q.type} questions are graded by the learner")

    def _run_output(self, q: Question):
        """Output questions are judged on `expected`; the code is also run, to show what torch here prints."""
        if self.runner is None:
            return None
        return self.runner.run([("code", q.code)], run_device(q, self.device), q.timeout)

    def record(self, q: Question, answer: str, correct: bool, seconds: float, count=True):
        """Commit first, then count: what is on screen is always already saved."""
        from .store import Attempt
        attempt = Attempt(q.full_id, self.clock(), answer, correct, seconds, self.device, self.session_id, self.mode)
        self.store.record_attempt(attempt)
        if count:
            self.score.add(q, correct)

    def skip(self, q: Question):
        self.score.add(q, None)


def now() -> datetime:
    """The current time, UTC; QUIZKIT_NOW (ISO 8601) overrides it, for tests and trying schedules out."""
    fixed = os.environ.get("QUIZKIT_NOW")
    if fixed:
        try:
            when = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            raise QuizkitError(f"QUIZKIT_NOW must be an ISO 8601 time like 2026-11-26T09:00:00+00:00, "
                               f"not '{fixed}'") from None
        if when.tzinfo is None:
            when = when.astimezone()  # a local wall-clock time
        return when.astimezone(timezone.utc)
    return datetime.now(timezone.utc)


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
        rows.append({
            "bank": b.id, "title": b.title, "questions": len(b.questions),
            "answered": len(seen), "right_last": sum(1 for s in seen if s[2]),
            "attempts": sum(s[0] for s in seen), "right": sum(s[1] for s in seen),
        })
    return rows


EXPORT_FIELDS = ("question", "time", "answer", "correct", "seconds", "device", "session", "mode",
                 "card_id", "rating", "state", "due", "stability", "difficulty", "duration_ms")


def export_rows(store) -> list[dict]:
    """Every attempt, oldest first; review fields are empty for drill attempts."""
    return [{k: row[k] for k in EXPORT_FIELDS} for row in store.attempts()]


# ---- review: spaced repetition over the same questions ----

@dataclass
class Settings:
    """Review settings: defaults as Anki's, overridable in QUIZKIT_HOME/config.yaml and by options."""
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    desired_retention: float = 0.9


LEARN_AHEAD_MIN = 20  # a learning step due within this is asked now rather than making the learner wait


def load_settings(path) -> Settings:
    """config.yaml in the data folder, if there is one; every key is checked."""
    import yaml
    s = Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return s
    except OSError as e:
        raise QuizkitError(f"{path}: cannot read: {e.strerror}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise QuizkitError(f"{path}:{mark.line + 1 if mark else 0}: bad YAML") from None
    if not isinstance(data, dict):
        raise QuizkitError(f"{path}: must be a mapping like 'new_per_day: 20'")
    limits = {"new_per_day": (int, 0, 9999), "reviews_per_day": (int, 0, 99999),
              "rollover_hour": (int, 0, 23), "desired_retention": (float, 0.7, 0.99)}
    for key, value in data.items():
        if key not in limits:
            raise QuizkitError(f"{path}: unknown setting '{key}' (known: {', '.join(limits)})")
        kind, lo, hi = limits[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (kind is int and not float(value).is_integer()) or not lo <= value <= hi:
            raise QuizkitError(f"{path}: '{key}' must be a number from {lo} to {hi}, not {value!r}")
        setattr(s, key, kind(value))
    return s


@dataclass
class Plan:
    due: list            # [(Question, CardState)] reviews and (re)learning steps due now
    new: list            # [Question] never reviewed, up to what is left of today's new limit
    new_done: int        # today's counts, before this session
    reviews_done: int
    next_due: datetime | None   # the earliest card due later, when nothing is due now
    leeches: int


class ReviewSession(Drill):
    """A drill whose answers become FSRS ratings; each review is committed with its attempt."""

    def __init__(self, store, runner, scheduler, settings: Settings, device="cpu", clock=None):
        super().__init__(store, runner, device, mode="review", clock=clock)
        self.scheduler = scheduler
        self.settings = settings
        self.learning: list = []   # [(Question, CardState)] learning steps due again in this session

    def plan(self, questions) -> Plan:
        from .scheduler import CardState
        when = self.clock()
        start = self.scheduler.day_start(self.scheduler.study_day(when))
        today = self.store.reviews(since=start)
        new_done = sum(1 for r in today if r[3] == 0)
        reviews_done = sum(1 for r in today if r[3] == 2)
        by_id = {q.full_id: q for q in questions}
        reviews_left = max(0, self.settings.reviews_per_day - reviews_done)
        due = []
        for qid, state_json in self.store.due_cards(when):
            q = by_id.get(qid)
            if q is None:
                continue
            state = CardState.from_json(state_json)
            is_review = state.card.state.value == 2
            if is_review and reviews_left <= 0:
                continue  # the day's review limit; learning steps are never held back
            reviews_left -= is_review
            due.append((q, state))
        cards = self.store.card_dues()
        have = {qid for qid, _, _ in cards}
        new_left = max(0, self.settings.new_per_day - new_done)
        new = [q for q in questions if q.full_id not in have][:new_left]
        # The store writes every due time in one UTC ISO format, so strings compare as times do
        # (as due_cards' SQL already relies on): parse only the earliest, not every card twice.
        from .store import utc_iso
        now_iso = utc_iso(when)
        later = min((d for qid, d, leech in cards if not leech and qid in by_id and d > now_iso), default=None)
        leeches = sum(1 for qid, _, leech in cards if leech and qid in by_id)
        return Plan(due, new, new_done, reviews_done, later and datetime.fromisoformat(later), leeches)

    def rate(self, q, state, correct: bool, seconds: float, answer: str, key: str | None = None,
             override: str | None = None):
        """Rate one answer, commit attempt + review + card in one transaction; returns the ReviewResult,
        or None when another session used up today's new cards meanwhile (the attempt is still stored).

        The card's state is re-read inside the write transaction: a second `review` running at the same
        time never rates a card from a stale state."""
        from . import scheduler as sch
        from .store import Attempt, Review, utc_iso
        when = self.clock()
        rating = sch.rating_from_key(key) if key else sch.rating_for(correct, override)
        ms = int(seconds * 1000)
        done: dict = {}

        def review(stored, new_today):
            current = sch.CardState.from_json(stored) if stored else None
            if current is None and new_today >= self.settings.new_per_day:
                return None
            before = current or state or sch.new_card(q.full_id, when)
            result = self.scheduler.review(before, rating, when, ms)
            done["result"] = result
            card = result.state.card
            return Review(q.full_id, card.card_id, int(rating), card.state.value,
                          0 if before.is_new else before.card.state.value, card.due, card.stability,
                          card.difficulty, ms, result.state.to_json(), result.state.leech)

        day_start = utc_iso(self.scheduler.day_start(self.scheduler.study_day(when)))
        self.store.record_review(Attempt(q.full_id, when, answer, correct, seconds, self.device,
                                         self.session_id, self.mode), review, day_start)
        self.score.add(q, correct)
        result = done.get("result")
        if result is None:
            return None
        card = result.state.card
        if card.state.value in (1, 3) and card.due <= when + timedelta(minutes=LEARN_AHEAD_MIN) \
                and not result.state.leech:
            self.learning.append((q, result.state))
            self.learning.sort(key=lambda pair: pair[1].card.due)
        return result

    def next_item(self, queue):
        """A learning step that is due comes first; then the queue; then learning steps due soon."""
        when = self.clock()
        if self.learning and self.learning[0][1].card.due <= when:
            return self.learning.pop(0)
        while queue:
            q, state = queue.pop(0)
            if state is None and self.store.card(q.full_id) is not None:
                continue  # a new card another session has reviewed meanwhile
            return q, state
        if self.learning:
            return self.learning.pop(0)
        return None


def stats(store, scheduler, bank_paths=None) -> dict:
    from . import stats as numbers
    banks, _errors = load_banks(bank_paths)  # topics only: a broken bank must not hide the numbers
    topic = {q.full_id: topic_of(q) for b in banks for q in b.questions}
    return numbers.compute(store, lambda qid: topic.get(qid) or qid.split("/")[0], scheduler, now())
