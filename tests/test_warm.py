"""The warm worker (quizkit/warm.py, quizkit/daemon.py): started by the first check, reused by the next, stopped
when idle or asked, replaced when killed or stale, refused when its folder is not private, and no run's global
state reaching the next command's run. Real commands in subprocesses, as an editor's "check" key runs them."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_runner  # real commands and a real daemon, never the suite's shared runner

BANK = """\
bank: warmth
questions:
  - id: fresh
    type: code
    prompt: Write `seen()`.
    starter: |
      def seen():
          return None
    solution: |
      SEEN = (torch.get_default_dtype(), getattr(torch, "leak", None), None, 0)
      def seen():
          return SEEN
    tests: |
      got = seen()
      assert got[:3] == (torch.float32, None, None), got
      assert got[3] != 1234, got
"""

# What one command's run leaves behind, if anything could: a default dtype, a module global, an environment
# variable, a seed. The next command's run of the same file sees a fresh interpreter state or fails.
LEAKY = """\
import os
SEEN = (torch.get_default_dtype(), getattr(torch, "leak", None), os.environ.get("QK_LEAK"), torch.initial_seed())
torch.set_default_dtype(torch.float64)
torch.leak = 1
os.environ["QK_LEAK"] = "1"
torch.manual_seed(1234)
def seen():
    return SEEN
"""


REACHING = """\
import glob, os, socket
def reach():
    got = []
    for path in glob.glob(os.path.join(os.environ["XDG_RUNTIME_DIR"], "quizkit", "*.sock")):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
        except OSError:  # no AF_UNIX socket in a run (seccomp): refused before the daemon is asked
            got.append(b"")
            continue
        try:
            s.sendall(b'{"op": "stop"}\\n')
            got.append(s.recv(100))
        except OSError:  # closed on us, unread: refused
            got.append(b"")
    return got
GOT = reach()
def seen():
    # connected (or refused a socket) and the daemon said nothing; where Landlock's read rules are in force the
    # run cannot even see the socket's folder
    assert GOT in ([b""], []), GOT
    return (torch.float32, None, None, 0)
"""


@pytest.fixture
def env(tmp_path):
    rt = tempfile.mkdtemp(prefix="qk", dir="/tmp")  # short: a socket's path is at most 107 bytes
    e = dict(os.environ, QUIZKIT_HOME=str(tmp_path / "home"), XDG_RUNTIME_DIR=rt, QUIZKIT_WORKER_IDLE="120",
             NO_COLOR="1", COLUMNS="200")  # fmt: skip
    (tmp_path / "warmth.yaml").write_text(BANK)
    (tmp_path / "leaky.py").write_text(LEAKY)
    e["BANK"], e["ANSWER"] = str(tmp_path / "warmth.yaml"), str(tmp_path / "leaky.py")
    yield e
    quizkit(e, "worker", "stop")  # never a daemon left behind
    shutil.rmtree(rt, ignore_errors=True)


def quizkit(env, *args):
    return subprocess.run([sys.executable, "-m", "quizkit", *args], env=env, capture_output=True, text=True, timeout=300)


def check(env, *extra):
    start = time.perf_counter()
    p = quizkit(env, "check", "warmth/fresh", env["ANSWER"], "--bank", env["BANK"], *extra)
    assert p.returncode == 0 and "PASS" in p.stdout, (p.stdout, p.stderr)
    return time.perf_counter() - start, p.stdout


def daemon_pid(env) -> int | None:
    out = quizkit(env, "worker", "status").stdout
    if "warm worker: pid" not in out:
        return None
    return int(out.split("pid ")[1].split(",")[0])


def gone(pid, seconds=30.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_started_reused_and_stopped_and_no_state_reaches_the_next_run(env):
    """Also: verify -j1 uses it; a run cannot use or stop it."""
    assert "no warm worker running" in quizkit(env, "worker", "status").stdout
    first, out = check(env, "-v")
    assert "runs: warm" in out
    pid = daemon_pid(env)
    assert pid is not None
    status = quizkit(env, "worker", "status").stdout
    assert "runs served: 1," in status and "stops after 2.0 min idle" in status and "socket: " in status
    # The same file again: its run set a dtype, a torch global, an env variable and a seed in its own child; the
    # second command's run of it (in the same daemon) sees none of them, or its tests fail.
    check(env)
    assert daemon_pid(env) == pid
    third, _ = check(env)  # (the worker warms up after its first run: the second may wait for that)
    assert third < first, (first, third)  # the first paid for the daemon's `import torch`
    assert daemon_pid(env) == pid
    verified = quizkit(env, "verify", env["BANK"], "-v", "--fresh")  # verify with one job uses it too
    assert f"warm worker: warm (pid {pid}," in verified.stderr, verified.stderr
    # A run is the user's own process, and the socket is the user's: the daemon answers no process below its
    # worker, so an answer can neither stop it nor ask it for runs (this one passes only if it got no answer).
    Path(env["ANSWER"]).write_text(REACHING)
    check(env)
    assert daemon_pid(env) == pid
    stopped = quizkit(env, "worker", "stop").stdout
    assert f"stopped the warm worker (pid {pid})" in stopped
    assert gone(pid)
    assert "no warm worker running" in quizkit(env, "worker", "status").stdout
    assert "no warm worker running" in quizkit(env, "worker", "stop").stdout


@pytest.fixture
def here(env, monkeypatch, tmp_path):
    """This process as the commands see it (the same environment, so the same daemon): a warm.Daemon."""
    from quizkit import warm

    for k in ("XDG_RUNTIME_DIR", "QUIZKIT_HOME", "QUIZKIT_WORKER_IDLE"):
        monkeypatch.setenv(k, env[k])
    return lambda: warm.Daemon(tmp_path / "home")


def test_a_killed_daemon_is_replaced_and_the_check_still_passes(env, here):
    old = here()
    assert old._start()
    pid = old.status()["pid"]
    os.kill(pid, signal.SIGKILL)
    assert gone(pid)
    assert os.path.exists(old.socket)  # left behind, refusing connections
    check(env)  # so a fresh daemon serves it
    new = daemon_pid(env)
    assert new is not None and new != pid


def test_it_stops_after_the_idle_time(env, here, monkeypatch):
    monkeypatch.setenv("QUIZKIT_WORKER_IDLE", "1")
    d = here()
    assert d._start()
    pid = d.status()["pid"]
    assert gone(pid, 30)  # a second without a request, and it is gone, socket and all
    assert not os.path.exists(d.socket)
    assert "no warm worker running" in quizkit(env, "worker", "status").stdout


def test_a_folder_open_to_others_is_refused_and_the_run_is_local(env):
    folder = os.path.join(env["XDG_RUNTIME_DIR"], "quizkit")
    os.mkdir(folder, 0o700)
    os.chmod(folder, 0o777)
    _, out = check(env, "-v")
    assert "runs: local (the warm worker's folder is refused:" in out and "mode 777" in out
    assert not [n for n in os.listdir(folder) if n.endswith(".sock")]  # nothing was put there
    assert "the warm worker is not used" in quizkit(env, "worker", "status").stdout


def test_a_link_or_another_owner_is_refused(env, monkeypatch, tmp_path):
    from quizkit import warm

    monkeypatch.setenv("XDG_RUNTIME_DIR", env["XDG_RUNTIME_DIR"])
    monkeypatch.setenv("QUIZKIT_WORKER_IDLE", "120")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    os.symlink(elsewhere, os.path.join(env["XDG_RUNTIME_DIR"], "quizkit"))
    d = warm.Daemon(tmp_path / "home")
    assert d.refused and "a link" in d.refused
    assert d.ask({"op": "status"}) is None  # never connects, never starts one
    r = warm.runner(tmp_path / "home", 1, None, lambda w, m: "local runner")
    assert "refused" in r.used
    os.unlink(os.path.join(env["XDG_RUNTIME_DIR"], "quizkit"))
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)  # as if the folder were someone else's
    assert "not you" in warm.Daemon(tmp_path / "home").refused


def test_a_stale_daemon_stops_and_a_fresh_one_serves(here):
    """quizkit's source or torch changed since the daemon started: its fingerprint is not the command's."""
    old = here()
    old.fp = "an older quizkit"
    assert old._start()
    pid = old.status()["pid"]
    new = here()
    assert new.status() is None  # stale: it lets go of its socket and stops
    assert gone(pid)
    reply = new.ask({"op": "status"})  # a command's request: a fresh daemon is started for it
    assert reply and reply["pid"] != pid


def test_the_setting_and_the_variable_turn_it_off(env, tmp_path, monkeypatch):
    from quizkit import warm

    monkeypatch.delenv("QUIZKIT_WORKER_IDLE")
    home = tmp_path / "h"
    home.mkdir()
    assert warm.idle_seconds(home) == warm.DEFAULT_IDLE_MINUTES * 60
    (home / "config.yaml").write_text("worker_idle_minutes: 0\n")
    assert warm.idle_seconds(home) == 0
    assert warm.runner(home, 1, None, lambda w, m: "local") == "local"
    monkeypatch.setenv("QUIZKIT_WORKER_IDLE", "30")
    assert warm.idle_seconds(home) == 30
    assert warm.runner(home, 2, None, lambda w, m: "local") == "local"  # verify -j 2: a batch of its own
    env["QUIZKIT_WORKER_IDLE"] = "0"
    assert "the warm worker is off" in quizkit(env, "worker", "status").stdout


@pytest.mark.torch_free
def test_check_loads_only_the_questions_bank_and_finds_what_loading_all_finds(tmp_path, monkeypatch):
    """`check ID` reads ID's bank alone (20 ms of a warm check): the same question as loading everything, for
    every question there is; and a name that is not a bank's file, or a bank the id is not in, loads all."""
    from quizkit import catalog

    _banks, questions, _errors, _notes = catalog.load_for_authoring(None)
    first_and_last = {}
    for q in questions:  # a bank's first and last question: every bank file, shipped and installed
        first_and_last.setdefault(q.path, [q, q])[1] = q
    for q in (q for pair in first_and_last.values() for q in pair):
        one = catalog.load_one_for_authoring(q.full_id)
        assert one is not None and one[1] == q, q.full_id
    assert catalog.load_one_for_authoring("tensors/no-such-question") is None
    assert catalog.load_one_for_authoring("no-such-bank/x") is None
    assert catalog.load_one_for_authoring("one-hot-without-f") is None  # a bare id: every bank is searched
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tensors").mkdir()  # a folder of the learner's named like the bank is not taken for it
    assert catalog.load_one_for_authoring("tensors/one-hot-without-f")[1].path.endswith("tensors.yaml")




def test_a_socket_path_too_long_is_refused_at_once(tmp_path, monkeypatch):
    """A socket's path is at most 107 bytes: a data folder deep down would have made every check wait for a
    daemon that cannot listen; it is refused up front and the run is local."""
    from quizkit import warm

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    monkeypatch.setenv("QUIZKIT_WORKER_IDLE", "60")
    d = warm.Daemon(tmp_path / "home")
    assert "too long" in d.refused and d.ask({"op": "status"}) is None


@pytest.mark.torch_free
def test_a_daemon_that_cannot_serve_leaves_the_run_to_a_local_worker(tmp_path, monkeypatch):
    """An error, a malformed result or no answer at all: the command's run goes to a local runner (made once),
    which says what is wrong in the command's own words; and later runs of that command stay there."""
    from quizkit import warm
    from quizkit.model import RunResult

    monkeypatch.setenv("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="qk", dir="/tmp"))
    made = []

    class Local:
        def run(self, *a, **kw):
            return RunResult("pass", stdout="local")

    r = warm.WarmRunner(tmp_path / "home", local=lambda w, m: made.append(Local()) or made[-1])
    replies = iter([{"error": "RunnerError: no torch"}, {"result": {"status": "pwned"}}])
    asked = []
    monkeypatch.setattr(r.daemon, "ask", lambda req, wait=30.0: asked.append(req) or next(replies))
    assert r.run([("a", "x = 1")]).stdout == "local" and "did not answer" in r.used
    assert r.run([("a", "x = 1")]).stdout == "local"
    assert len(made) == 1 and len(asked) == 1  # once local, local
    fresh = warm.WarmRunner(tmp_path / "home", local=lambda w, m: Local())
    monkeypatch.setattr(fresh.daemon, "ask", lambda req, wait=30.0: {"result": {"status": "pwned"}})
    assert fresh.run([("a", "x = 1")]).stdout == "local"  # a status no runner gives is no verdict


@pytest.mark.torch_free
def test_a_daemon_is_keyed_by_what_shapes_its_runs(tmp_path, monkeypatch):
    from quizkit import warm

    base = warm.key(tmp_path / "home")
    assert warm.key(tmp_path / "other") != base  # another data folder
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    assert warm.key(tmp_path / "home") != base  # another worker environment
    threads = warm.key(tmp_path / "home")
    monkeypatch.setenv("TORCH_LOGS", "dynamo")
    logs = warm.key(tmp_path / "home")
    assert logs not in (base, threads)
    monkeypatch.setenv("EDITOR", "vim")  # what the worker never reads does not matter
    assert warm.key(tmp_path / "home") == logs


@pytest.mark.torch_free
def test_the_socket_folder_is_absolute_whatever_quizkit_home_says(tmp_path, monkeypatch):
    """The daemon binds from quizkit's own folder: a relative QUIZKIT_HOME would have put its socket elsewhere
    than where the command looks, and every check would wait for it."""
    from quizkit import warm

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("QUIZKIT_HOME", "rel")
    assert warm.folder() == tmp_path / "rel" / "run"
