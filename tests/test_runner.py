"""The runner against hostile snippets: each is reported for its run, and the next run is clean."""
import os
import time

import pytest

from quizkit.runner import Runner


def run(runner, code, **kw):
    return runner.run([("code", code)], **kw)


def test_namespace_and_seed(runner):
    r = run(runner, "print(sorted(k for k in globals() if not k.startswith('__')))\nprint(torch.rand(2))")
    assert r.status == "pass"
    assert r.stdout.splitlines()[0] == "['F', 'assert_close', 'device', 'math', 'nn', 'torch']"
    # seeded with 0 before every run: same numbers every time
    assert r.stdout.splitlines()[1] == "tensor([0.4963, 0.7682])"
    assert run(runner, "print(torch.rand(2))").stdout.strip() == "tensor([0.4963, 0.7682])"


def test_pieces_share_a_namespace_and_failing_line_is_named(runner):
    r = runner.run([("answer", "def f(x):\n    return x + 1"), ("tests", "assert f(1) == 2\nassert f(2) == 4, 'two'")])
    assert r.status == "fail"
    assert r.where == "tests line 2" and r.line == "assert f(2) == 4, 'two'"
    assert r.error == "AssertionError: two"


def test_syntax_error_and_exception(runner):
    r = runner.run([("answer", "def f(x)\n    return x")])
    assert r.status == "error" and r.where == "answer line 1" and r.error.startswith("SyntaxError")
    r = run(runner, "x = torch.ones(2, 3)\ny = x.view(4)")
    assert r.status == "error" and r.where == "code line 2" and r.error.startswith("RuntimeError")


def test_infinite_loop_times_out_then_next_run_is_fine(runner):
    start = time.monotonic()
    r = run(runner, "while True:\n    pass", timeout=0.5)
    assert r.status == "timeout" and "0.5 s" in r.error
    assert time.monotonic() - start < 5
    assert run(runner, "print(1)").stdout == "1\n"


def test_memory_bomb_is_stopped(runner):
    r = run(runner, "x = torch.empty(10**10)")  # 40 GB
    assert r.status == "memory" and r.line == "x = torch.empty(10**10)"
    r = run(runner, "chunks = []\nwhile True:\n    chunks.append(bytearray(10**8))")
    assert r.status == "memory"
    assert run(runner, "print(torch.ones(1000, 1000).sum().item())").stdout == "1000000.0\n"


def test_segfault_is_a_crash(runner):
    r = run(runner, "import ctypes\nctypes.string_at(0)")
    assert r.status == "crashed" and "SIGSEGV" in r.error
    assert run(runner, "print(2)").stdout == "2\n"


@pytest.mark.parametrize("code, status, words", [
    ("import sys\nprint('before')\nsys.exit(3)", "error", "SystemExit: 3"),
    ("import os\nos._exit(0)", "crashed", "exited with status 0"),
    ("raise KeyboardInterrupt", "error", "KeyboardInterrupt"),
])
def test_exits_are_reported(runner, code, status, words):
    r = run(runner, code)
    assert r.status == status and words in r.error
    assert run(runner, "print(3)").stdout == "3\n"


def test_output_flood_is_cut_and_stopped():
    with Runner(output_limit=4096) as small:
        start = time.monotonic()
        r = small.run([("code", "while True:\n    print('x' * 100)")], timeout=20)
        assert time.monotonic() - start < 10  # stopped by the cap, not by the timeout
        assert r.status == "error" and "OutputLimit" in r.error
        assert r.stdout.endswith("[output cut at 4 KiB]") and len(r.stdout) < 4200


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def test_child_processes_left_running_are_killed(runner):
    r = run(runner, "import subprocess\np = subprocess.Popen(['sleep', '60'])\nprint(p.pid)")
    assert r.status == "pass"
    pid = int(r.stdout)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_forked_grandchild_holding_pipes_does_not_hang(runner):
    start = time.monotonic()
    r = run(runner, "import os, time\nif os.fork() == 0:\n    time.sleep(60)\nprint('parent')")
    assert r.status == "pass" and r.stdout == "parent\n"
    assert time.monotonic() - start < 5


def test_snippet_killing_its_parent_is_refused_or_restarts_the_worker(runner):
    """Under Landlock (ABI 6+) a run cannot signal the worker at all; without it the worker is restarted."""
    from quizkit import confine
    r = run(runner, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    if confine.abi() >= 6:
        assert r.status == "error" and "PermissionError" in r.error
    else:
        assert r.status == "crashed" and "worker" in r.error
    assert run(runner, "print(torch.tensor([1, 2]).sum().item())").stdout == "3\n"


def test_global_torch_state_does_not_leak(runner):
    r = run(runner, "torch.set_default_dtype(torch.float64)\ntorch.set_grad_enabled(False)\n"
                    "torch.manual_seed(123)\ntorch.set_num_threads(2)\nimport math as m\nm.pi = 3")
    assert r.status == "pass"
    r = run(runner, "print(torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads())\n"
                    "print(torch.rand(1), math.pi > 3.14)")
    assert r.stdout.split() == ["torch.float32", "True", "1", "tensor([0.4963])", "True"]


def test_stderr_kept_apart_from_stdout(runner):
    r = run(runner, "import sys, warnings\nprint('out')\nprint('err', file=sys.stderr)\nwarnings.warn('careful')")
    assert r.stdout == "out\n" and "err" in r.stderr and "careful" in r.stderr


def test_device_resolution_without_gpu(runner):
    from quizkit.errors import RunnerError
    if runner.cuda_available():
        pytest.skip("a GPU is present")
    assert runner.resolve_device("auto") == "cpu"
    with pytest.raises(RunnerError, match="no CUDA GPU"):
        runner.resolve_device("cuda")


def test_cuda_run_when_present(runner):
    if not runner.cuda_available():
        pytest.skip("no CUDA GPU here")
    r = runner.run([("code", "x = torch.ones(2, device=device)\nprint(x.device.type, x.sum().item())")], device="cuda")
    assert r.stdout.split() == ["cuda", "2.0"]


def test_parallel_workers():
    from concurrent.futures import ThreadPoolExecutor
    with Runner(workers=2) as pool:
        pool.ready()
        with ThreadPoolExecutor(2) as ex:
            results = list(ex.map(lambda i: pool.run([("c", f"import time; time.sleep(0.3); print({i})")]), range(4)))
    assert [r.stdout.strip() for r in results] == ["0", "1", "2", "3"]


def test_torch_is_not_imported_in_the_callers_process():
    import subprocess
    import sys
    code = ("import sys; from quizkit.runner import Runner\nr = Runner(); r.run([('c', 'x = torch.ones(1)')])\n"
            "r.close(); print('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_closing_mid_run_leaves_no_child_behind():
    """Ctrl-C during a run closes the runner: the running child must go with the worker."""
    import threading
    r = Runner()
    r.ready()
    t = threading.Thread(target=lambda: r.run([("code", "while True:\n    pass")], timeout=60), daemon=True)
    t.start()
    deadline = time.monotonic() + 10
    while not r._all[0].child and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = r._all[0].child
    assert pid and _alive(pid)
    r._all[0].stop()
    time.sleep(0.3)
    assert not _alive(pid)


def test_worker_backstop_kills_a_run_whose_parent_died():
    """If quizkit itself is killed, the worker still stops the run a little after its timeout."""
    import json
    import subprocess
    import sys
    w = subprocess.Popen([sys.executable, "-m", "quizkit.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert json.loads(w.stdout.readline())["ready"]
        w.stdin.write((json.dumps({"pieces": [["code", "while True:\n    pass"]], "timeout": 0.5, "grace": 0.5}) + "\n").encode())
        w.stdin.flush()
        pid = json.loads(w.stdout.readline())["pid"]
        reply = json.loads(w.stdout.readline())  # nobody kills it but the backstop (0.5 + 0.5 s here; 5 s by default)
        assert reply["status"] == "crashed" and "SIGKILL" in reply["error"]
        assert not _alive(pid)
    finally:
        w.kill()


def test_restore_skips_a_dict_whose_version_tag_is_unchanged_and_restores_a_changed_one(monkeypatch):
    """snapshot.restore reads each snapshotted dict's version tag instead of touching (and copying) its values."""
    import sys
    import types

    from quizkit.worker import snapshot
    mod = types.ModuleType("probe")
    mod.f = len
    monkeypatch.setattr(snapshot, "PRISTINE", [(mod, dict(vars(mod)))])
    monkeypatch.setattr(snapshot, "TAGS", snapshot._version_tags())
    if not snapshot.TAGS:
        assert sys.implementation.name != "cpython" or sys.version_info >= (3, 14)
        pytest.skip("no readable dict version tags here")
    snapshot.PRISTINE[0][1]["f"] = abs  # the snapshot differs, the dict did not change: not looked at
    judge = snapshot.freeze()
    snapshot.restore(judge=judge)
    assert mod.f is len
    mod.f, mod.g = max, min  # a changed dict is compared entry by entry
    snapshot.restore(judge=judge)
    assert mod.f is abs and mod.g is min  # (a module not in _STRICT keeps names it gained)
    with pytest.raises(TypeError):
        judge[1][0][0][0] = 0  # the tags are read-only: no one can write the old tag back over a change


def test_the_audit_hook_refuses_in_a_run_what_reaches_into_the_judge():
    """In a run's child (any process but the worker): another audit hook, tracing, the gc's object lists, a new
    __code__ or __defaults__ for a function the judge relies on; other functions may be changed."""
    import os

    from quizkit.worker import hook, snapshot

    def mine():
        return 1

    def judged():
        return 2
    defaults = hook.audit.__defaults__
    hook.audit.__defaults__ = (*defaults[:-1], frozenset({judged, snapshot.restore}))
    pid = os.fork()
    if pid == 0:
        refused = []
        for event, args in (("sys.addaudithook", ()), ("sys.settrace", ()), ("gc.get_objects", (None,)),
                            ("object.__setattr__", (snapshot.restore, "__defaults__", ())),
                            ("object.__setattr__", (judged, "__code__", None))):
            try:
                hook.audit(event, args)
            except RuntimeError:
                refused.append(event)
        hook.audit("object.__setattr__", (mine, "__code__", None))  # a function the judge does not rely on
        os._exit(0 if len(refused) == 5 else 1)
    hook.audit.__defaults__ = defaults
    assert os.waitpid(pid, 0)[1] == 0
    hook.audit("sys.settrace", ())  # in the worker itself: nothing refused


def _children(pid):
    found = []
    for p in os.listdir("/proc"):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(p))
    return found


def _waiting_child(runner):
    """The worker's pre-forked child, waiting for the next run's request."""
    worker = runner._all[0].proc.pid
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        kids = _children(worker)
        if len(kids) == 1:
            return kids[0]
        time.sleep(0.02)
    raise AssertionError(f"no single waiting child: {_children(worker)}")


def test_each_run_gets_its_own_child_forked_after_the_last_run_ended():
    import json
    import subprocess
    import sys
    w = subprocess.Popen([sys.executable, "-m", "quizkit.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert json.loads(w.stdout.readline())["ready"]
        pids = []
        for i in range(3):
            w.stdin.write((json.dumps({"id": i, "pieces": [["code", "import os\nprint(os.getpid())"]]}) + "\n").encode())
            w.stdin.flush()
            pid = json.loads(w.stdout.readline())["pid"]
            reply = json.loads(w.stdout.readline())
            assert reply["status"] == "pass" and int(reply["stdout"]) == pid
            pids.append(pid)
        assert len(set(pids)) == 3
        time.sleep(0.2)
        assert not any(_alive(p) for p in pids)  # each killed once its run was answered
    finally:
        w.kill()


def test_what_a_run_leaves_in_its_folder_is_gone_before_the_next_run(runner):
    leave = ("import os, subprocess\nopen('left.txt', 'w').write('x')\nos.mkdir('d')\n"
             "subprocess.Popen(['sh', '-c', 'while true; do touch late.txt; sleep 0.01; done'])")
    assert run(runner, leave).status == "pass"
    r = run(runner, "import os, time\ntime.sleep(0.3)\nprint(sorted(os.listdir('.')))")
    assert r.stdout == "[]\n"


def test_a_waiting_child_that_died_is_replaced_not_reported(runner):
    assert run(runner, "print(1)").stdout == "1\n"
    os.kill(_waiting_child(runner), 9)
    time.sleep(0.1)
    r = run(runner, "print(2)")
    assert r.status == "pass" and r.stdout == "2\n"


def test_a_request_longer_than_a_pipe_buffer_reaches_the_child_whole(runner):
    text = "x" * 300_000
    assert run(runner, f"s = {text!r}\nprint(len(s))").stdout == "300000\n"


def test_closing_kills_the_waiting_child_and_does_not_wait():
    r = Runner()
    r.ready()
    assert run(r, "print(1)").stdout == "1\n"
    waiting = _waiting_child(r)
    start = time.monotonic()
    r.close()
    assert time.monotonic() - start < 1
    deadline = time.monotonic() + 2
    while _alive(waiting) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(waiting)


def test_the_workers_memory_is_backed_by_huge_pages_where_the_kernel_can(runner):
    """A fork copies one page-table entry per 2 MiB page instead of 512: fork plus exit fell from 10 ms to 3."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            never = "[never]" in f.read()
    except OSError:
        never = True
    import re
    version = re.match(r"(\d+)\.(\d+)", os.uname().release)
    if never or not version or (int(version[1]), int(version[2])) < (6, 1):
        pytest.skip("no MADV_COLLAPSE here")
    runner.ready()
    with open(f"/proc/{runner._all[0].proc.pid}/smaps_rollup") as f:
        huge = next(int(row.split()[1]) for row in f if row.startswith("AnonHugePages:"))
    assert huge > 64 * 1024  # KiB: most of the worker's ~200 MB of private memory


FUNC_ANSWER = "def g(x):\n    return torch.func.grad(lambda t: (t * t).sum())(x)\n"
FUNC_TESTS = "assert torch.equal(g(torch.ones(2)), torch.full((2,), 2.0))\n"


def test_the_first_run_does_not_wait_for_the_warm_up_and_torch_func_still_works_in_it():
    """The worker answers its first run before its warm-up (about two seconds of lazy imports): a judged
    first run that meets torch.func's first registration is run again once the worker is warm, and passes;
    one that registers a torch.library kernel of its own is refused either way."""
    with Runner() as r:
        assert r.run([("answer", FUNC_ANSWER), ("tests", FUNC_TESTS)], answer=0).ok
        assert r.run([("answer", FUNC_ANSWER), ("tests", FUNC_TESTS)], answer=0).ok
    with Runner() as r:
        bad = r.run([("answer", "lib = torch.library.Library('aten', 'IMPL')\n"), ("tests", "pass\n")], answer=0)
        assert bad.status == "error" and "judged run" in bad.error  # (its frame or its kernel: both refused)
        raw = r.run([("answer", "torch._C._dispatch_library('IMPL', 'aten', '')\n"), ("tests", "pass\n")], answer=0)
        assert raw.status == "error" and "torch.library registrations are not allowed" in raw.error, raw
        plain = r.run([("code", "print(torch.func.grad(torch.sin)(torch.zeros(())))")])  # not judged: free
        assert plain.stdout == "tensor(1.)\n"


def test_the_worker_is_this_quizkits_even_inside_another_checkout(tmp_path, monkeypatch):
    """`python -m quizkit.worker` looks in the current folder first: run from inside another quizkit checkout,
    the worker (the judge) was that checkout's, not the quizkit that started it."""
    other = tmp_path / "quizkit"
    other.mkdir()
    (other / "__init__.py").write_text("")
    (other / "worker.py").write_text(
        'import json, sys\nprint(json.dumps({"ready": True, "torch": "another checkout", "isolation": {}}))\n'
        "sys.stdout.flush()\nsys.stdin.read()\n"
    )
    monkeypatch.chdir(tmp_path)
    with Runner() as r:
        assert r.isolation()["torch"] != "another checkout"
        assert r.run([("code", "print(1 + 1)")]).stdout.strip() == "2"


def test_a_cuda_run_may_open_the_gpu_files_of_nvidia_jetson_rocm_and_wsl_and_no_others(monkeypatch):
    """Landlock lets a run write only in its folder and to /dev/null and a GPU's device files: those must be
    every GPU's (ROCm opens /dev/kfd, then render nodes under /dev/dri), not NVIDIA's alone."""
    from quizkit import confine

    names = ["null", "nvidia0", "nvidiactl", "nvhost-ctrl-gpu", "nvmap", "kfd", "dri", "dxg", "nvme0", "sda", "tty"]
    monkeypatch.setattr(confine, "_listdir", lambda path: names)
    monkeypatch.setattr(confine, "_DEVICES", [])
    allowed = set(confine._devices())
    assert allowed == {"/dev/null", "/dev/nvidia0", "/dev/nvidiactl", "/dev/nvhost-ctrl-gpu", "/dev/nvmap",
                       "/dev/kfd", "/dev/dri", "/dev/dxg"}
    monkeypatch.setattr(confine, "_listdir", lambda path: ["null", "dri", "nvme0"])  # an integrated GPU only
    monkeypatch.setattr(confine, "_DEVICES", [])
    assert confine._devices() == ["/dev/null"]


def test_no_gpu_device_file_means_no_cuda_without_starting_torch(monkeypatch):
    from quizkit import runner as runner_module

    r = runner_module.Runner()
    monkeypatch.setattr(runner_module.sys, "platform", "linux")
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: ["null", "tty", "loop0"])
    monkeypatch.setattr(r, "run", lambda *a, **k: pytest.fail("torch was asked"))
    assert r.cuda_available() is False
    asked = []
    r2 = runner_module.Runner()
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: ["null", "nvidia0", "nvidiactl"])
    monkeypatch.setattr(r2, "run", lambda *a, **k: asked.append(1) or runner_module.RunResult("pass", stdout="True\n"))
    assert r2.cuda_available() is True and asked == [1]


def test_a_jetson_gpu_is_not_taken_for_no_gpu(monkeypatch):
    """Jetson boards before Thor reach their GPU through the Tegra driver: /dev/nvhost-*, /dev/nvmap and
    /dev/nvgpu/, no /dev/nvidia*. torch sees CUDA there, so quizkit must ask it."""
    from quizkit import runner as runner_module

    monkeypatch.setattr(runner_module.sys, "platform", "linux")
    jetson = ["null", "nvhost-ctrl", "nvhost-ctrl-gpu", "nvhost-gpu", "nvmap", "nvgpu", "nvme0"]
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: jetson)
    assert runner_module.gpu_devices() is True
    monkeypatch.setattr(runner_module.os, "listdir", lambda path: ["null", "nvme0", "nvme0n1", "dri"])
    assert runner_module.gpu_devices() is False
