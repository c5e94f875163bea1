"""The App: what every use case shares, made once per process by a front end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..settings import Settings, data_dir, load_settings, now

if TYPE_CHECKING:
    from ..scheduler import Scheduler
    from ..store import Store


def default_runner(workers: int = 1, memory_mb: int | None = None) -> Any:
    from ..runner import DEFAULT_MEMORY_MB, Runner  # the runner module is only needed once code runs

    return Runner(workers=workers, memory_mb=memory_mb or DEFAULT_MEMORY_MB)


def warm_runner(
    home: Path, workers: int = 1, memory_mb: int | None = None, local: Callable[..., Any] | None = None
) -> Any:
    """A runner for a one-shot command: the warm worker that outlives it (quizkit/warm.py), where it may be used;
    else `local` (default_runner)."""
    from .. import warm  # sockets and hashing: only needed once code runs

    return warm.runner(home, workers, memory_mb, local or default_runner)


@dataclass
class App:
    """The data folder, the clock and how runners are made (tests pass a shared warm one)."""

    home: Path
    clock: Callable[[], datetime]
    runner_factory: Callable[..., Any]
    warm_factory: Callable[..., Any] | None = None  # one-shot commands (check, verify): a runner that stays warm

    @classmethod
    def default(cls) -> App:
        return cls(home=data_dir(), clock=now, runner_factory=default_runner)

    def settings(self) -> Settings:
        return load_settings(self.home / "config.yaml")

    def store(self, check: bool = False) -> Store:
        """The progress database; `check` for a command that writes answers: a damaged file is refused."""
        from ..store import Store  # sqlite3: not needed by --help

        return Store(self.home / "quizkit.db", check=check)

    def scheduler(self, settings: Settings | None = None, store: Store | None = None) -> Scheduler:
        """With the FSRS parameters in force (fitted by `quizkit optimize`, else the defaults), read from `store`
        (the command's own; without one the database is opened for it)."""
        from ..scheduler import Scheduler  # fsrs: 30 ms at import, not needed by --help or list
        from .optimize import parameters

        s = settings or self.settings()
        if store is None:
            with self.store() as own:
                weights = parameters(own)
        else:
            weights = parameters(store)
        return Scheduler(s.desired_retention, rollover_hour=s.rollover_hour, parameters=weights)
