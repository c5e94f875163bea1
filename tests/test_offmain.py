"""A judged run's answer and tests run off the child's main thread, where frames, raw memory and new programs
are refused (quizkit/offmain.py): an answer that reaches the judge's frame could write its own "pass"."""
import textwrap

import pytest

# Finds the child's frame (its locals hold the result pipe and the token), writes a pass and exits: before
# the judged thread, this passed a stub that returns nothing.
FORGE = textwrap.dedent("""
    import sys, os, json
    def _find(f):
        while f is not None:
            if 'token' in f.f_locals and 'res_w' in f.f_locals:
                return f.f_locals
            f = f.f_back
    def _forge(f):
        loc = _find(f)
        if loc is not None:
            os.write(loc['res_w'], json.dumps({"status": "pass", "token": loc['token'], "seconds": 0.0}).encode() + b"\\n")
            os._exit(0)
""")

ROUTES = {
    "sys._getframe": "def f():\n    _forge(sys._getframe(0))\n",
    "a traceback's frame": "def f():\n    try:\n        raise ValueError\n    except ValueError as e:\n"
    "        _forge(e.__traceback__.tb_frame)\n",
    "inspect.currentframe": "import inspect\ndef f():\n    _forge(inspect.currentframe())\n",
    "inspect.trace": "import inspect\ndef f():\n    try:\n        raise ValueError\n    except ValueError:\n"
    "        _forge(inspect.trace()[0].frame)\n",
    "logging.currentframe": "import logging\ndef f():\n    _forge(logging.currentframe())\n",
    "traceback.walk_stack": "import traceback\ndef f():\n    for fr, _ in traceback.walk_stack(None):\n        _forge(fr)\n",
    "every thread's frame": "def f():\n    for fr in sys._current_frames().values():\n        _forge(fr)\n",
    "a generator's frame": "def f():\n    def g():\n        yield\n    _forge(g().gi_frame)\n",
    "a running generator's referents": "import gc\ndef f():\n    def g():\n        for r in gc.get_referents(it):\n"
    "            if type(r).__name__ == 'frame':\n                _forge(r)\n        yield\n    it = g()\n    next(it)\n",
    "a module of its own, imported": "def f():\n    open('evil.py', 'w').write('import sys\\nF = sys._getframe(0)\\n')\n"
    "    sys.path.insert(0, '.')\n    import evil\n    _forge(evil.F)\n",
    "a thread of its own": "import threading\ndef f():\n    r = []\n"
    "    t = threading.Thread(target=lambda: r.append(sys._getframe(0)))\n    t.start(); t.join()\n    _forge(r[0])\n",
    "a patched StackSummary": "import traceback\nclass S(traceback.StackSummary):\n"
    "    @classmethod\n    def extract(cls, gen, **kw):\n        for fr, _ in gen:\n            _forge(fr)\n"
    "def f():\n    traceback.StackSummary = S\n    traceback.format_stack()\n",
    "an exception whose message reaches for frames": "class E(Exception):\n"
    "    def __str__(self):\n        _forge(sys._getframe(0))\n        return 'x'\ndef f():\n    raise E()\n",
    "ctypes": "import ctypes\ndef f():\n    ctypes.string_at(id(f), 8)\n",
    "its own memory": "def f():\n    open('/proc/self/mem', 'rb')\n",
    "another program": "import subprocess\ndef f():\n    subprocess.run(['true'])\n",
    "a symlink": "def f():\n    os.symlink('/proc/self/mem', 'm')\n",
}


@pytest.mark.parametrize("route", ROUTES)
def test_an_answer_cannot_reach_the_judges_frame(runner, route):
    r = runner.run([("answer", FORGE + ROUTES[route]), ("tests", "f()\nassert False, 'the real verdict'\n")],
                   answer=0)
    assert r.status in ("fail", "error"), r


LIBRARY = {
    "collections.namedtuple": "import collections\nP = collections.namedtuple('P', 'a b')\n"
    "def f():\n    return P(1, 2).b\n",
    "typing.NamedTuple and TypeVar": "import typing\ndef f():\n    T = typing.TypeVar('T')\n"
    "    class P(typing.NamedTuple):\n        a: int\n        b: int\n    return P(1, 2).b\n",
    "logging a warning": "import logging\ndef f():\n    logging.getLogger('q').warning('hi')\n    return 2\n",
    "traceback.format_stack": "import traceback\ndef f():\n    return 2 if traceback.format_stack() else 0\n",
    "torch.manual_seed": "def f():\n    torch.manual_seed(1)\n    return 2\n",
    "a traceback it prints": "import traceback\ndef f():\n    try:\n        1 / 0\n    except ZeroDivisionError:\n"
    "        print(traceback.format_exc().splitlines()[-1])\n    return 2\n",
}


@pytest.mark.parametrize("use", LIBRARY)
def test_what_libraries_do_with_frames_still_works(runner, use):
    r = runner.run([("answer", LIBRARY[use]), ("tests", "assert f() == 2\n")], answer=0)
    if use == "a traceback it prints":  # tracebacks' frames are refused: said plainly, not a crash
        assert r.status == "error" and "frames are not available" in r.error, r
        return
    assert r.status == "pass", r


def test_a_thread_left_running_is_not_a_pass(runner):
    code = "import threading, time\ndef f():\n    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
    r = runner.run([("answer", code), ("tests", "f()\n")], answer=0)
    assert r.status == "error" and "thread" in r.error, r


def test_a_failing_line_is_still_named(runner):
    """The failure's line is read from its traceback in the main thread (frames are allowed there)."""
    r = runner.run([("answer", "def f():\n    return 1\n"), ("tests", "x = 1\nassert f() == 2, 'nope'\n")],
                   answer=0)
    assert r.status == "fail" and r.where == "tests line 2" and r.line == "assert f() == 2, 'nope'", r


def test_code_left_to_run_after_the_judged_thread_cannot_reach_the_main_thread(runner):
    """A thread of the answer's outlives the tests and, after their last restore, rebinds the worker's `_thread`
    to a fake whose _count, called by the child's main thread (where frames are allowed) as it waits for the
    answer's threads to end, would forge a pass. The main thread reads nothing of the worker's globals, and
    calls no builtin, before it restores them."""
    answer = FORGE + textwrap.dedent("""
        import threading, time
        class Fake:
            def __init__(self, real):
                self.real = real
            def _count(self):
                _forge(sys._getframe(0))
                return self.real._count()
            def __getattr__(self, name):
                return getattr(self.real, name)
        def later():
            time.sleep(0.3)
            w = sys.modules['quizkit.worker.child']
            w._thread = Fake(w._thread)
        def f():
            threading.Thread(target=later).start()
    """)
    r = runner.run([("answer", answer), ("tests", "f()\nassert False, 'the real verdict'\n")], answer=0)
    assert r.status == "fail" and "real verdict" in r.error, r


# Ways a judged run's code could come by a frame object: each returns whether it got one.
GOT_A_FRAME = {
    "traceback.format_stack with a patched StackSummary and builtins.all": textwrap.dedent("""
        import builtins, traceback
        got = []
        class S(traceback.StackSummary):
            @classmethod
            def extract(cls, gen, **kw):
                got.extend(fr for fr, _ in gen)
                return traceback.StackSummary()
        def f():
            builtins.all = lambda it: True
            traceback.StackSummary = S
            traceback.format_stack()
            return bool(got)
    """),
    "a thread asking while the judged thread's own look at the stack is let through": textwrap.dedent("""
        import threading
        def f():
            sys.setswitchinterval(1e-6)
            got, stop = [], []
            def spin():
                while not stop and not got:
                    try:
                        got.append(sys._getframe(0))
                    except ValueError:
                        pass
            t = threading.Thread(target=spin)
            t.start()
            for _ in range(3000):
                torch.manual_seed(0)  # (torch.cuda's lazy seed calls traceback.format_stack: let through)
                if got:
                    break
            stop.append(1)
            t.join()
            return bool(got)
    """),
}


@pytest.mark.parametrize("way", GOT_A_FRAME)
def test_no_frame_reaches_a_judged_run(runner, way):
    """Both got one before: the check of traceback's pristine state used the builtin `all` (patched), and the
    hook's "my own look at the stack" flag let any thread through while one thread looked (a race, hit about
    one run in three here)."""
    r = runner.run([("answer", "import sys\n" + GOT_A_FRAME[way]), ("tests", "assert f() is False, 'got a frame'\n")],
                   answer=0)
    # no frame got, or the asking refused (said so): never a frame in the answer's hands
    assert r.status == "pass" or (r.status == "error" and "frames are not available" in r.error), r
