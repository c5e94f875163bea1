"""Issue 22, defect 6, the parts that run code: `check --watch` stores a new passing version, and a worker
leaves no /tmp/quizkit-run-* folder behind."""
import glob
import os
import subprocess
import sys
import tempfile

from quizkit import catalog
from quizkit.app.check import Checker
from quizkit.app.context import App
from quizkit.settings import now
from quizkit.store import Store

from conftest import BANKS

RIGHT = "def softmax(x, dim=-1):\n    return torch.exp(x - torch.logsumexp(x, dim, keepdim=True))\n"
OTHER = "def softmax(x, dim=-1):\n    e = (x - x.amax(dim, keepdim=True)).exp()\n    return e / e.sum(dim, keepdim=True)\n"


def test_watch_stores_a_new_passing_version_after_a_pass_but_not_the_same_one_again(tmp_path, runner):
    """--watch checks every save with one Checker: after a pass, a different passing version was dropped."""
    q = catalog.find(catalog.load([BANKS / "mini.yaml"])[1], "mini/softmax")
    app = App(home=tmp_path / "home", clock=now, runner_factory=None)
    with Store(tmp_path / "home" / "quizkit.db") as store:
        checker = Checker(app, q, store, runner)
        assert checker.check(RIGHT).verdict.correct
        assert checker.check(OTHER).verdict.correct  # a new passing version: a new right answer
        assert checker.check(OTHER).verdict.correct  # the same file saved again: not a new answer
        assert not checker.check("def softmax(x, dim=-1):\n    return x\n").verdict.correct  # work in progress
        assert [(a["answer"], a["correct"]) for a in store.attempts()] == [(RIGHT, True), (OTHER, True)]


def test_a_worker_leaves_no_run_folder_behind(tmp_path):
    """A fresh process runs one snippet and closes its runner (the worker is killed, so its atexit never ran)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    code = ("from quizkit.runner import Runner\n"
            "with Runner() as r:\n"
            "    res = r.run([('x', \"open('left.txt', 'w').write('x'); print(1)\")])\n"
            "    assert res.ok, res\n")
    env = {**os.environ, "TMPDIR": str(tmp)}
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert not glob.glob(str(tmp / "quizkit-run-*")), os.listdir(tmp)
    assert tempfile.gettempdir() != str(tmp)  # (this process's own folder is not the one checked)
