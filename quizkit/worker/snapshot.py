"""What the tests (and the worker's own judging) rely on, as the worker imported it, and its restore: put
back after the answer runs, before the tests do, after each call into the answer's code, and again before
the result is written. Taken in the worker before any child is forked."""

import builtins
import json
import json.encoder
import math
import os
import sys
import types

from quizkit import asserts, offmain, wire
from quizkit.worker import hook

PRISTINE: list = []  # (object, its attributes) of what tests rely on, as the worker imported them
# Modules whose new names are removed by the restore (a name added to them shadows nothing real); every
# module of the worker package is strict too (see _strict).
STRICT = ("json", "json.encoder", "os", "quizkit.asserts", "quizkit.offmain", "quizkit.wire", "__main__")
PACKAGE = "quizkit.worker"


def _strict(name) -> bool:
    return name in STRICT or name == PACKAGE or name.startswith(PACKAGE + ".")


def worker_modules() -> list:
    """Every module of the worker that is loaded (all of them, at the snapshot: each imports the next), and
    __main__ (the entry it runs as): an answer reaches any of them through sys.modules."""
    names = sorted(n for n in sys.modules if n == "__main__" or n == PACKAGE or n.startswith(PACKAGE + "."))
    return [sys.modules[n] for n in names]


def take(torch):
    """The snapshot: what restore puts back, bound in its own default argument; and the functions the audit
    hook guards (every function of the snapshotted objects: the worker's own among them)."""
    import torch.testing._comparison

    for obj in (
        torch,
        torch.nn,
        torch.nn.functional,
        torch.testing,
        torch.testing._comparison,
        torch.autograd,
        math,
        builtins,
        torch.Tensor,
        torch.nn.Module,
        torch.nn.Parameter,
        json,
        json.encoder,
        os,
        asserts,
        offmain,
        wire,
        *worker_modules(),  # its exec, its helpers, the restore itself
    ):
        PRISTINE.append((obj, dict(vars(obj))))
    TAGS[:] = _version_tags()
    defaults = list(restore.__defaults__ or ())
    defaults[2] = freeze()  # the third default: judge
    restore.__defaults__ = tuple(defaults)
    judged = {f for _, attrs in PRISTINE for f in attrs.values() if isinstance(f, types.FunctionType)}
    hook.audit.__defaults__ = (*(hook.audit.__defaults__ or ())[:-1], frozenset(judged))


def freeze() -> tuple:
    """The snapshot as restore reads it: tuples and read-only views, held in its own default argument. An
    answer can reach this module's globals (sys.modules['quizkit.worker.snapshot']) and empty or rebind a
    list there; it cannot change a tuple, and the audit hook refuses it a new __defaults__ or __code__ for restore."""
    pristine = tuple(
        (obj, tuple(attrs.items()), isinstance(obj, type) or _strict(getattr(obj, "__name__", "")))
        for obj, attrs in PRISTINE
    )
    return pristine, tuple((view.toreadonly(), value) for view, value in TAGS), _handlers()


def _handlers() -> tuple:
    """(signal, its handler) as the worker set them: put back by restore. A handler the answer installs runs
    between any two bytecodes of the tests (an interval timer, or a process of its own that keeps signalling)
    and could patch what the restore had just put back."""
    import _signal
    import signal

    return tuple((s, _signal.getsignal(s)) for s in signal.valid_signals() if _signal.getsignal(s) is not None)


def _signal_calls():
    import _signal

    timers = (_signal.ITIMER_REAL, _signal.ITIMER_VIRTUAL, _signal.ITIMER_PROF)
    return _signal.getsignal, _signal.signal, _signal.setitimer, timers


# (a view of the version tag of each snapshotted dict, its value then): CPython's PEP 509 counter, changed by
# every write to that dict. restore skips a dict whose tag is unchanged instead of touching each value, which
# copies the pages under them into the child (3.5 ms of a judged run). Empty where tags cannot be read.
TAGS: list = []


def _dict_of(obj) -> dict:
    d = vars(obj)
    if not isinstance(d, dict):  # a class's mappingproxy: the dict behind it
        import gc

        d = next(r for r in gc.get_referents(d) if isinstance(r, dict))
    return d


def _version_tags() -> list:
    """See TAGS: where this CPython keeps them where 3.10-3.13 do (after the header and the size), and they
    are seen to change on a write; else []. A memoryview reads them later without any Python-level call that
    an answer could patch."""
    import ctypes

    if sys.implementation.name != "cpython" or not (3, 10) <= sys.version_info[:2] <= (3, 13):
        return []

    def view(d, offset):
        return memoryview((ctypes.c_ubyte * 8).from_address(id(d) + offset)).cast("B").cast("Q")

    probe: dict = {}
    before = view(probe, 24)[0]
    probe["x"] = object()
    if view(probe, 24)[0] == before or view(probe, 16)[0] != 1:
        return []
    dicts = [_dict_of(obj) for obj, _ in PRISTINE]
    if any(view(d, 16)[0] != len(d) for d in dicts):
        return []
    return [(view(d, 24), view(d, 24)[0]) for d in dicts]


def modes(torch):
    return torch._C._len_torch_function_stack(), torch._C._len_torch_dispatch_stack()


def _pop_modes(torch, depth=(0, 0)):
    """Torch function and dispatch modes above `depth` (what the tests themselves entered stays): a mode
    left on by the answer would see, and could answer, every comparison the tests make."""
    from torch.utils._python_dispatch import _pop_mode

    while torch._C._len_torch_function_stack() > depth[0]:
        torch._C._pop_torch_function_stack()
    while torch._C._len_torch_dispatch_stack() > depth[1]:
        _pop_mode()


def restore(torch=None, depth=(0, 0), judge=((), (), ()), _vars=vars, _setattr=setattr, _delattr=delattr,
             _signals=_signal_calls(), _pop=_pop_modes):  # fmt: skip
    """The judge's objects as the worker imported them (`judge`: see freeze; builtins bound here, so an
    answer that patched them changes nothing), and its signal handlers, with every interval timer disarmed.
    No trace or profile function can be on: the audit hook refuses them in a run."""
    getsignal, setsignal, setitimer, timers = _signals
    for timer in timers:  # first: a timer must not fire into a default handler that ends the run
        setitimer(timer, 0)
    pristine, tags, handlers = judge
    for sig, handler in handlers:
        if getsignal(sig) is not handler:
            setsignal(sig, handler)
    if torch is not None:
        _pop(torch, depth)
    for i, (obj, attrs, strict) in enumerate(pristine):
        if tags and tags[i][0][0] == tags[i][1]:
            continue  # unchanged since the snapshot
        now = _vars(obj)
        for key, value in attrs:
            if now.get(key, attrs) is not value:
                try:
                    _setattr(obj, key, value)
                except (AttributeError, TypeError):
                    pass
        if strict:  # a method added to a class (or a name to these modules) shadows the real one: remove it
            known = {key for key, _value in attrs}
            for key in [k for k in now if k not in known]:
                try:
                    _delattr(obj, key)
                except (AttributeError, TypeError):
                    pass
