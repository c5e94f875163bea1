"""What a judged run's code may not do: the answer and its tests run in a second thread of the run's child,
and there they cannot reach a frame, raw memory or a new program.

Why: a frame is a key to the whole stack. From the answer's function, `sys._getframe(1).f_back` walks to the
child's own frame, whose locals hold the result pipe and the token the worker checks; with them an answer
writes "pass" for itself and exits (seen: a stub that returns nothing passed a question that way). A frame
also shows the tests' locals (the expected values). So in a run's child, every thread but the main one (the
judge's, which runs no code of the answer's) is refused what hands out a frame or gets round the refusal:
ctypes (raw memory), /proc/*/mem, starting another program (which has no audit hook), symlinks (which would
hide a path from the check), new namespaces, gc.get_referents (a running generator's frame).

The rule is structural: which thread asks, in which process. No flag that an answer could flip is involved,
and the hook is held only by the interpreter (this module keeps no reference to it)."""

from __future__ import annotations

import _thread
import os
import sys

# Events refused off the main thread of a run's child; frames get a ValueError (what sys._getframe raises
# when the stack is too short), so library code that asks for a caller's frame only to name a module
# (collections.namedtuple, typing, logging) carries on without one.
FRAME_EVENTS = frozenset(("sys._getframe", "sys._current_frames", "sys._current_exceptions", "gc.get_referents"))
FRAME_ATTRS = frozenset(("tb_frame", "gi_frame", "cr_frame", "ag_frame"))
OTHER_EVENTS = frozenset(
    (
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.system",
        "subprocess.Popen",
        "os.symlink",
        "os.link",
        "os.unshare",
        "os.setns",
        "sys.monitoring.register_callback",
    )
)


class FrameRefused(ValueError):
    """Frames are not handed to an answer (nor to its tests) in a judged run."""


def _library_roots() -> tuple[str, ...]:
    """Where installed code lives (a run can write nowhere under these where Landlock is there)."""
    import site
    import sysconfig

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, *sysconfig.get_paths().values()}
    try:
        roots.update(site.getsitepackages())
    except AttributeError:  # (a virtualenv's old site.py)
        pass
    return tuple(sorted(os.path.join(os.path.realpath(r), "") for r in roots if r))


def _importing(f, roots, _type=type, _str=str) -> bool:
    """Whether the frame asking is a library's module being imported: between it and the first piece of the
    run (the tests, the answer) there is the import system, and no code but installed libraries'. Such code
    (typing_extensions at import, say) looks at its caller's module and hands no frame back to its importer."""
    # (what it calls is bound here or is an exact str's method: an answer may have patched the builtins, and a
    # code object it made could carry a str subclass for a file name)
    name = f.f_code.co_filename
    if _type(name) is not _str or not name.startswith(roots):
        return False
    seen = False
    while f is not None:
        name = f.f_code.co_filename
        if _type(name) is not _str:
            return False
        if name.startswith("<frozen importlib"):
            seen = True
        elif not name.startswith(roots):
            return seen
        f = f.f_back
    return False


def _text_only():
    """traceback's functions that look at the stack only to write it out as text (torch.cuda's lazy calls
    record where they were queued with format_stack, on every torch.manual_seed): their own code, in their
    own module, with what they call as imported (else a patched StackSummary would be handed the frames)."""
    import traceback

    codes = frozenset(f.__code__ for f in (traceback.format_stack, traceback.extract_stack, traceback.print_stack))
    names = ("sys", "StackSummary", "walk_stack", "extract_stack", "format_list", "print_list")
    module = vars(traceback)
    pristine = tuple((module, name, module[name]) for name in names)
    summary = vars(traceback.StackSummary)
    pristine += tuple((summary, name, summary[name]) for name in ("extract", "_extract_from_extended_frame_gen"))

    def allowed(f, _module=module, _codes=codes, _pristine=pristine) -> bool:
        if f.f_code not in _codes or f.f_globals is not _module:
            return False
        for d, name, value in _pristine:  # (no builtin `all`: an answer may have patched it)
            if d.get(name) is not value:
                return False
        return True

    return allowed


def make_hook(worker_pid: int):
    """The audit hook, made in the worker before any run: it applies in the runs' children (another pid), to
    every thread but the one that forked them. Nothing it reads can be rebound from outside it."""
    main = _thread.get_ident()
    roots = _library_roots()
    text_only = _text_only()
    # The threads whose own look at the stack (which audits too) is under way: that one is let through, in that
    # thread alone (another thread of the answer's asking meanwhile is not).
    busy: set[int] = set()

    def hook(event, args, _getpid=os.getpid, _ident=_thread.get_ident, _frames=FRAME_EVENTS,
             _attrs=FRAME_ATTRS, _other=OTHER_EVENTS, _base=os.path.basename, _fspath=os.fsdecode,
             _str=str, _bytes=bytes, _type=type, _refused=FrameRefused, _getframe=sys._getframe,
             _importing=_importing, _text_only=text_only):  # fmt: skip
        if event == "object.__getattr__":
            if args[1] not in _attrs:
                return
        elif event == "open":
            path = args[0]
            if _type(path) is not _str and _type(path) is not _bytes:
                return
            if _base(_fspath(path).rstrip("/")) != "mem":
                return
        elif event not in _frames and event not in _other and event[:7] != "ctypes.":
            return
        me = _ident()
        if _getpid() == worker_pid or me == main or me in busy:
            return
        if event in _frames or event == "object.__getattr__":
            if event != "sys._current_frames" and event != "gc.get_referents":
                busy.add(me)
                try:
                    asking = _getframe(1)
                    if _text_only(asking) or _importing(asking, roots):
                        return
                finally:
                    busy.discard(me)
            raise _refused("frames are not available to an answer in a judged run")
        what = "ctypes" if event[:7] == "ctypes." else "reading a process's memory" if event == "open" else event
        raise RuntimeError(f"{what} is not allowed in a judged run")

    return hook


def install(worker_pid: int) -> None:
    sys.addaudithook(make_hook(worker_pid))
