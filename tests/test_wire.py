"""The messages between runner and worker, defined once (quizkit/wire.py), and the Runner protocol."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import quizkit
from quizkit import runner, wire
from quizkit.worker import judge, supervise

pytestmark = pytest.mark.torch_free

PKG = Path(quizkit.__file__).parent


def test_one_status_list_both_sides_read():
    assert runner.STATUSES is wire.STATUSES
    assert set(wire.STATUSES) == {"pass", "fail", "error", "timeout", "memory", "crashed"}
    assert wire.CHILD_STATUSES == (*wire.STATUSES, "unready")  # the worker's own, never a reply's
    assert set(wire.JUDGED_STATUSES) <= set(wire.CHILD_STATUSES)
    assert judge.verdict.__defaults__[-1] is wire.JUDGED_STATUSES


def test_no_status_tuple_is_spelled_again_in_runner_or_worker():
    """The two copies of the list (runner's and the worker's, one with 'unready') are gone."""
    for path in [PKG / "runner.py", *(PKG / "worker").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple) and {getattr(e, "value", None) for e in node.elts} >= {"pass", "fail"}:
                raise AssertionError(f"{path.name}:{node.lineno} spells a status list")


def test_the_worker_reads_no_grace_key_the_runner_never_sends():
    """The backstop past a run's timeout (the runner died without killing the run) is the worker's constant."""
    source = (PKG / "worker" / "supervise.py").read_text()
    assert '"grace"' not in source and supervise.BACKSTOP_S == 5.0
    assert "grace" not in wire.Request.__annotations__


def test_the_runner_pool_implements_the_runner_protocol():
    r = runner.Runner()  # starts no worker until a run
    try:
        assert isinstance(r, wire.Runner)
    finally:
        r.close()

    class Partial:  # a runner without resolve_device, isolation, ... is not one
        def run(self, pieces):
            return None

    assert not isinstance(Partial(), wire.Runner)


def test_wire_imports_nothing_of_torch():
    code = "import sys, quizkit.wire\nprint(any(m == 'torch' or m.startswith('torch.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
