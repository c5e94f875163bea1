"""The worker's audit hook, added before any run (beside quizkit/offmain.py's, which refuses frames off the
judged run's main thread). What it reads is bound in its default arguments, where an answer cannot rebind
it; `_judged` is bound at the snapshot (snapshot.take)."""

import os
import types

_REFUSED = (
    ("sys.addaudithook", "audit hooks are"),  # one would run inside the judge's own attribute reads
    ("sys.settrace", "trace functions are"),  # a tracer can rewrite the judge's local variables as it runs
    ("sys.setprofile", "profile functions are"),
    ("gc.get_objects", "gc.get_objects is"),  # the way to the judge's objects from an answer that has none
    ("gc.get_referrers", "gc.get_referrers is"),
)
_REFUSED_NAMES = frozenset(name for name, _what in _REFUSED)
_CODE_ATTRS = frozenset(("__code__", "__defaults__", "__kwdefaults__"))


def audit(event, args, _worker=os.getpid(), _getpid=os.getpid, _refused=_REFUSED,
           _names=_REFUSED_NAMES, _code=_CODE_ATTRS,
           _function=types.FunctionType, _type=type, _judged=frozenset()):  # fmt: skip
    """The worker's audit hook, added before any run; what it reads is bound here, where an answer cannot
    rebind it. In a run's child it refuses what an answer could use to reach into the judge and rewrite the
    verdict: another audit hook, trace and profile functions, the garbage collector's object lists, and a
    new __code__, __defaults__ or __kwdefaults__ for a function the tests or the judge rely on (`_judged`,
    bound at the snapshot: every function of the snapshotted objects, and this module's)."""
    # Every audited event of every run comes here: the cheap test of the event's name goes first, the
    # getpid system call only for the few that matter.
    if event in _names:
        if _getpid() != _worker:
            what = next(what for name, what in _refused if name == event)
            raise RuntimeError(f"{what} not allowed in a run")
    elif (
        event == "object.__setattr__"
        and args[1] in _code
        and _type(args[0]) is _function  # (an unhashable object with such an attribute must not fail here)
        and args[0] in _judged
        and _getpid() != _worker
    ):
        raise RuntimeError(f"setting {args[1]} of {args[0].__qualname__} is not allowed in a run")
