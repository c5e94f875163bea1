"""The answer as the tests see it: the state an answer could steer put back before the tests, each call
into the answer's code guarded (the judge's objects put back after it), and the verdict read from plain
values. Runs in a run's child; the functions it hands the child are bound there before the answer runs."""

import _thread
import functools
import time
import types

from quizkit import offmain, wire
from quizkit.worker.snapshot import modes as _modes
from quizkit.worker.state import mark as _mark


class Unready(BaseException):
    """A judged run before the worker's warm-up met torch.func's first registration: run it again warm."""


def refuse_libraries(torch, warm):
    """torch.library replaces aten kernels (aten::equal, eq, isclose) in the C++ dispatcher, which no
    restore of Python objects reaches: in a judged run, creating a library is refused. torch.func makes its
    own on first use: the worker does that in its warm-up, and a run forked before it is run again after."""

    def refused(*args, **kwargs):
        if not warm:
            raise Unready()
        raise RuntimeError("torch.library registrations are not allowed in a judged run")

    torch._C._dispatch_library = refused


class JudgeTampered(Exception):
    """The answer left something running that could change the tests' verdict (a thread)."""


def judge_state(torch, rng, dtype, restore, threads=1):
    """Before the tests: the judge's objects put back, and the global state an answer could use to steer
    the tests: trace and profile hooks, Python threads, the default dtype, the random generators (the
    tests draw what they would have drawn had the answer used none), torch's global module hooks."""
    import random
    import threading

    restore(torch)
    threading.settrace(None)
    threading.setprofile(None)
    if _thread._count() > threads:  # (threads from _thread count too, not threading's alone)
        raise JudgeTampered("the answer left a thread running; answers must not start threads")
    torch.set_default_dtype(dtype)
    torch.set_rng_state(rng[0])
    random.setstate(rng[1])
    import torch.nn.modules.module as modules

    for name, hooks in vars(modules).items():
        if name.startswith("_global_") and isinstance(hooks, dict):
            hooks.clear()


def _called(f, args, kwargs, torch, restore, share=None, _modes=_modes, _clock=time.monotonic, _mark=_mark):
    """f(*args, **kwargs), a call from the tests into the answer's code, then the judge's objects put back (the
    modes the tests entered around the call stay on). `share`: first, the names the tests bound are copied
    into the answer's globals, and afterwards the tests' namespace is put back as it was (see _child). What it
    uses is bound here: the call may have rebound this module's names, and they are put back only by the
    restore."""
    before = share() if share is not None else None
    depth = _modes(torch)
    try:
        return f(*args, **kwargs)
    finally:
        since = _clock()
        restore(torch, depth)
        if before is not None:
            share(before)
        _mark("c_guard_restore", since)


def _stepped(gen, torch, restore, share=None, _called=_called):
    """A generator of the answer's, as the tests see it: a generator still (inspect.isgenerator, send, throw,
    close and its return value all work as on the answer's own), but after each step the judge's objects are
    put back, as after a call."""
    how, arg = gen.send, None
    while True:
        try:
            item = _called(how, (arg,), {}, torch, restore, share)
        except StopIteration as stop:
            return stop.value
        try:
            arg = yield item
            how = gen.send
        except GeneratorExit:
            _called(gen.close, (), {}, torch, restore, share)
            raise
        except BaseException as e:  # noqa: BLE001  (thrown in by the tests: the answer's generator gets it)
            how, arg = gen.throw, e


def _methods(cls, mine, wrap, module):
    """The answer's methods, static and class methods and properties of a class, guarded in place; an
    nn.Module of the answer's is guarded as a whole (its hooks run inside its __call__)."""
    for key, attr in list(vars(cls).items()):
        try:
            if mine(attr):
                setattr(cls, key, wrap(attr))
            elif isinstance(attr, (staticmethod, classmethod)) and mine(attr.__func__):
                setattr(cls, key, type(attr)(wrap(attr.__func__)))
            elif isinstance(attr, property) and any(mine(f) for f in (attr.fget, attr.fset, attr.fdel)):
                setattr(cls, key, property(*(wrap(f) if mine(f) else f for f in (attr.fget, attr.fset, attr.fdel))))
        except (AttributeError, TypeError):
            pass
    if isinstance(cls, type) and issubclass(cls, module) and "__call__" not in vars(cls):
        cls.__call__ = wrap(cls.__call__)


def guard(value, torch, restore, share=None, _called=_called, _stepped=_stepped, _wraps=functools.wraps,
           _partial=functools.partial, _methods=_methods, _types=(types.FunctionType, types.GeneratorType,
           types.MethodType, types.BuiltinFunctionType)):  # fmt: skip
    """An answer's function (or class) as the tests see it: after each call, whatever it patched in the
    judge's objects is put back, so a function that patches torch.equal while the tests run gains nothing.
    What a call hands back that can run the answer's code later (a generator, an inner function, an object
    of the answer's class) is guarded the same way, and so is an answer's nn.Module as a whole (its hooks run
    inside its __call__, after forward). Called once the answer's own patches are undone; what it uses is
    bound here, out of the reach of an answer that replaced `functools` or `types` in sys.modules."""
    function, generator, method, builtin = _types

    def mine(f):
        return isinstance(f, function) and f.__code__.co_filename == "<answer>"

    # Types no answer can add a method to for the tests (torch's are put back after each call): what most calls
    # return skips the look at its class (25 us a call on a tensor's).
    plain = {torch.Tensor, torch.nn.Parameter, int, float, complex, bool, str, bytes, tuple, list, dict, type(None)}

    def adopt(result):  # after the call's restore: the answer's patches cannot steer it
        if type(result) in plain:
            return result
        if isinstance(result, generator) and result.gi_code.co_filename == "<answer>":
            return _stepped(result, torch, restore, share)
        if mine(result):
            return wrap(result)
        if not isinstance(result, type) and any(mine(a) for a in vars(type(result)).values()):
            methods(type(result))
        return result

    def wrap(f):
        if getattr(f, "_quizkit_guarded", False):
            return f

        @_wraps(f)
        def guarded(*args, **kwargs):
            return adopt(_called(f, args, kwargs, torch, restore, share))

        guarded._quizkit_guarded = True
        return guarded

    def methods(cls):
        _methods(cls, mine, wrap, torch.nn.Module)

    if isinstance(value, type):
        methods(value)
        return value
    # Any function the answer binds, not its own alone: a decorator's wrapper (@torch.no_grad()) or a partial runs
    # the answer's code as well.
    if isinstance(value, (function, method, builtin, _partial)):
        return wrap(value)
    methods(type(value))  # an instance: its class's methods, though the class may have no name left
    return value


def failure_values(e, warm=True) -> tuple:
    """In the judged thread, where the answer's code may still run (an exception's __str__, its class): what
    the verdict needs of the failure, as values the main thread checks again before it uses them."""
    if e is None:
        return "pass", None, None, None, None
    if isinstance(e, Unready) or (not warm and isinstance(e, offmain.FrameRefused)):
        # (a cold child can meet a library's lazy set-up that reads frames: run it again warm)
        return "unready", None, None, None, None
    kind = type(e).__name__
    message = str(e)
    memory = isinstance(e, MemoryError) or "can't allocate memory" in message or "not enough memory" in message
    status = "memory" if memory else "fail" if isinstance(e, AssertionError) else "error"
    error = f"{kind}: {message}"[:2000] if message else kind
    if isinstance(e, SyntaxError):
        return status, error, e.filename, e.lineno, None
    return status, error, None, None, e.__traceback__


def verdict(box, sources, _type=type, _str=str, _int=int, _tb=types.TracebackType,
            _judged=wire.JUDGED_STATUSES) -> dict:  # fmt: skip
    """In the main thread: the result from the judged thread's values, reading only exact built-in types
    (a str subclass or a fake traceback would run the answer's code here, where frames are not refused)."""
    if len(box) != 6:
        return {"status": "error", "error": "the run ended without a verdict", "seconds": 0.0}
    seconds, status, error, where, lineno, tb = box
    if _type(status) is not _str or status not in _judged:
        status, error = "error", "the run's verdict was tampered with"
    if _type(error) is not _str:
        error = None if status in ("pass", "unready") else "error"
    if _type(where) is not _str or _type(lineno) is not _int or where not in sources:
        where = lineno = None
    while _type(tb) is _tb:  # the deepest line of a piece: the answer's or the tests'
        filename = tb.tb_frame.f_code.co_filename
        if _type(filename) is _str and filename in sources:
            where, lineno = filename, tb.tb_lineno
        tb = tb.tb_next
    result: dict = {"status": status, "seconds": seconds if _type(seconds) is float else 0.0}
    if status in ("pass", "unready"):
        return result
    line = None
    if where and lineno and 0 < lineno <= len(sources[where]):
        line = sources[where][lineno - 1].strip()
    result.update(
        error=error,
        where=f"{where.strip('<>')} line {lineno}" if where and lineno else None,
        line=line,
    )
    return result


def code_names(code) -> set:
    """Every name a compiled piece and the functions and classes in it refer to (co_names: globals and
    attributes alike), read before the piece runs."""
    names, todo = set(), [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return names
