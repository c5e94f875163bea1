"""What the runner and the torch worker say to each other, defined once: one JSON object a line each way.

runner -> worker: a Request per run. worker -> runner: Ready once, then per run a Started line (the child's
pid, so the runner can kill its group on a timeout; a run the worker had to run again warm sends a second
one), then its Reply. Imports nothing of torch: the runner's process reads it too.
Also the Runner protocol: what callers use of runner.Runner, so a warm or remote runner can stand in for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, TypedDict, get_args, runtime_checkable

if TYPE_CHECKING:
    from .model import RunResult

# A run's verdict, as the runner reports it.
Status = Literal["pass", "fail", "error", "timeout", "memory", "crashed"]
STATUSES: tuple[str, ...] = get_args(Status)
# What a run's child may write: the above, or "unready" (a judged run met torch.func's first registration
# before the worker's warm-up: the worker runs it again warm and never replies with it).
UNREADY = "unready"
CHILD_STATUSES: tuple[str, ...] = (*STATUSES, UNREADY)
# What the judged thread may hand the child's main thread (the rest are the worker's own verdicts).
JUDGED_STATUSES: tuple[str, ...] = ("pass", "fail", "error", "memory", UNREADY)


class Request(TypedDict, total=False):
    id: int
    pieces: list[list[str]]  # [name, code], run one after another in one namespace
    device: str  # "cpu" or "cuda"
    answer: int | None  # the index of the answer's piece; the pieces after it judge it
    seed: int
    memory_mb: int
    output_limit: int  # bytes kept of stdout and of stderr each
    timeout: float  # seconds: the runner kills the run's group past it (the worker has a backstop after it)
    loopback: bool  # a network namespace with lo up (questions that require network-loopback)
    reads: list[str]  # folders the run may read beyond the system's (its bank's)


class Ready(TypedDict):
    ready: Literal[True]
    torch: str
    isolation: dict[str, object]  # what contains a run here (quizkit verify -v, doctor)


class Started(TypedDict):
    pid: int
    id: int | None


class Reply(TypedDict, total=False):
    id: int | None
    status: str  # one of STATUSES (the runner takes no other as a verdict)
    error: str | None
    where: str | None
    line: str | None
    seconds: float
    stdout: str
    stderr: str
    signal: int
    timings: dict[str, float]  # QUIZKIT_TIMINGS=1 only (benchmarks/runcost.py)


@runtime_checkable
class Runner(Protocol):
    """What callers use of a runner: run pieces of code, get a typed result (runner.Runner is the local pool).
    warm/ready start its workers ahead (a no-op where there is nothing to start)."""

    def run(
        self,
        pieces: list[tuple[str, str]],
        device: str = "cpu",
        timeout: float = 10.0,
        answer: int | None = None,
        seeds: int = 1,
        memory_mb: int | None = None,
        question: object = None,
    ) -> RunResult: ...

    def warm(self) -> None: ...

    def ready(self, eager: bool = False) -> None: ...

    def cuda_available(self) -> bool: ...

    def resolve_device(self, wanted: str) -> str: ...

    def isolation(self) -> dict[str, object]: ...

    def close(self) -> None: ...
