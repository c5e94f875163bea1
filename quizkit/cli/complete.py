"""Shell completion (quizkit --install-completion): question ids, tags, types, bank and path names.

Completion runs on every Tab: it reads the banks through the cache and never prints or fails (a broken
bank completes nothing rather than an error in the middle of the learner's command line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Bank


def _banks() -> list[Bank]:
    try:
        from .. import catalog

        banks, _questions, _errors = catalog.load(None)
        return banks
    except Exception:  # noqa: BLE001  (completion must never break the shell)
        return []


def ids(incomplete: str) -> list[str]:
    """Full ids, and bare ids where they are unique."""
    full = [q.full_id for b in _banks() for q in b.questions]
    bare = [f.split("/", 1)[1] for f in full]
    unique = [i for i in bare if bare.count(i) == 1] if len(bare) < 5000 else []
    return sorted(i for i in set(full) | set(unique) if i.startswith(incomplete))


def tags(incomplete: str) -> list[str]:
    return sorted({t for b in _banks() for q in b.questions for t in q.tags if t.startswith(incomplete)})


def qtypes(incomplete: str) -> list[str]:
    from ..types import NAMES

    return [t for t in NAMES if t.startswith(incomplete)]


def banks(incomplete: str) -> list[str]:
    return sorted({b.id for b in _banks() if b.id.startswith(incomplete)})


def paths(incomplete: str) -> list[str]:
    return sorted({p.id for b in _banks() for p in b.paths if p.id.startswith(incomplete)})


def statuses(incomplete: str) -> list[str]:
    from ..catalog import STATUSES

    return [s for s in STATUSES if s.startswith(incomplete)]
