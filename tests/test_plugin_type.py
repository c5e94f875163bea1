"""Issue 18: a question type from a package works in every command with no file of quizkit's changed.

The type is tests/plugin (`order`: put these lines in order), found through the entry-point group
`quizkit.types` exactly as the built-in five are. CI installs it with pip; where it is not installed (a
developer's venv), a distribution's metadata for it is written to a folder on PYTHONPATH, which is what an
install amounts to for quizkit's entry-point reader. Every command runs as the user runs it: a subprocess.
"""

import json
import os
import re
import select
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PLUGIN = Path(__file__).parent / "plugin"
BANK = PLUGIN / "quizkit_order_type" / "order.yaml"
TRAINING = ["optimizer.zero_grad()", "loss = loss_fn(model(x), y)", "loss.backward()", "optimizer.step()"]
AMP = ["scaler.scale(loss).backward()", "scaler.unscale_(optimizer)",
       "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)", "scaler.step(optimizer)", "scaler.update()"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from quizkit import packages
    e = dict(os.environ, COLUMNS="100", QUIZKIT_LANG="en")
    if not any(name == "order" for *_d, name, _t in packages.entry_points("quizkit.types")):
        site = tmp_path_factory.mktemp("site")
        info = site / "quizkit_order_type-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: quizkit-order-type\nVersion: 0.1.0\n\n")
        (info / "entry_points.txt").write_text('[quizkit.types]\norder = quizkit_order_type\n')
        e["PYTHONPATH"] = os.pathsep.join([str(site), str(PLUGIN), e.get("PYTHONPATH", "")])
    return e


def quizkit(env, *args, input=None):
    return subprocess.run([sys.executable, "-m", "quizkit", *map(str, args)], input=input, env=env,
                          capture_output=True, text=True, timeout=120)


def converse(env, args, answer, limit=60):
    """Run an interactive command; at each `> ` prompt, `answer(screen so far)` gives the line to type."""
    p = subprocess.Popen([sys.executable, "-m", "quizkit", *map(str, args)], env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, prompts = b"", 0
    try:
        while p.poll() is None:
            ready, _w, _x = select.select([p.stdout], [], [], limit)
            assert ready, out.decode()
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            if out.count(b"> ") > prompts:
                prompts = out.count(b"> ")
                p.stdin.write((answer(out.decode()) + "\n").encode())
                p.stdin.flush()
        rest, _ = p.communicate(timeout=limit)
    finally:
        p.kill()
    return p.returncode, (out + rest).decode()


def right_order(screen):
    """The letters, in the right order, of the last question on the screen; Enter at a rating prompt."""
    if "Enter: good" in screen[screen.rfind("> ", 0, len(screen) - 2):]:
        return ""
    last = screen.rsplit("order ·", 1)[-1]
    shown = dict(re.findall(r"^│ ([a-h])\) (.+?)\s*│$", last, re.M))
    lines = AMP if "GradScaler" in last else TRAINING
    return " ".join(next(k for k, v in shown.items() if v == line) for line in lines)


def test_the_type_is_registered_through_its_entry_point_and_drills(env, tmp_path):
    env = dict(env, QUIZKIT_HOME=str(tmp_path / "home"))
    code, screen = converse(env, ["drill", "--bank", BANK, "-n", "2", "--seed", "3"], right_order)
    assert code == 0, screen
    assert screen.count("✓ right") == 2 and "order" in screen, screen
    wrong = converse(env, ["drill", "--bank", BANK, "-n", "1", "--id", "training-step"],
                     lambda s: "a b c d" if s.count("> ") == 1 else "q")
    assert "✗ wrong" in wrong[1] and "optimizer.zero_grad()\noptimizer" not in wrong[1], wrong[1]
    missed = quizkit(env, "list", "--bank", BANK, "--status", "missed")
    assert "training-step" in missed.stdout and "amp-step" not in missed.stdout, missed.stdout + missed.stderr


def test_review_and_mock_ask_it(env, tmp_path):
    env = dict(env, QUIZKIT_HOME=str(tmp_path / "home"))
    code, screen = converse(env, ["review", "--bank", BANK], right_order)
    assert code == 0 and screen.count("✓ right") >= 2 and "✗ wrong" not in screen, screen
    code, screen = converse(env, ["mock", "--bank", BANK, "--minutes", "5", "--seed", "1"], right_order)
    assert code == 0 and "order-demo/" in screen and "100" in screen, screen
    stats = json.loads(quizkit(env, "stats", "--json").stdout)
    assert stats["mocks"], stats


def test_list_show_verify_and_schema_know_it(env, tmp_path):
    env = dict(env, QUIZKIT_HOME=str(tmp_path / "home"))
    banks = quizkit(env, "list", "--bank", BANK)
    assert banks.returncode == 0 and "order-demo" in banks.stdout and "order" in banks.stdout, banks.stderr
    listed = json.loads(quizkit(env, "list", "--bank", BANK, "--all", "--json").stdout)
    assert {q["type"] for q in listed["questions"]} == {"order"}
    shown = quizkit(env, "show", "order-demo/amp-step", "--bank", BANK)
    assert shown.returncode == 0 and "scaler.update()" in shown.stdout, shown.stderr
    assert "a)" in shown.stdout and "scaler.scale(loss).backward()\nscaler" not in shown.stdout
    verified = quizkit(env, "verify", "--json", BANK)
    results = json.loads(verified.stdout)["results"]
    assert verified.returncode == 0 and [r["status"] for r in results] == ["pass", "pass"], verified.stdout
    broken = tmp_path / "dup.yaml"
    broken.write_text(BANK.read_text().replace('"optimizer.step()"', '"optimizer.zero_grad()"'))
    failed = json.loads(quizkit(env, "verify", "--json", broken).stdout)["results"]
    assert failed[0]["status"] == "fail" and "the same" in failed[0]["reason"]
    schema = json.loads(quizkit(env, "schema").stdout)
    kinds = {s["properties"]["type"]["const"]: s for s in schema["$defs"]["question"]["oneOf"]}
    assert "lines" in kinds["order"]["properties"] and "code" in kinds


def test_anki_export_and_chinese_labels(env, tmp_path):
    env = dict(env, QUIZKIT_HOME=str(tmp_path / "home"))
    apkg = tmp_path / "o.apkg"
    r = quizkit(env, "export", "--format", "anki", "-o", apkg, "--bank", BANK)
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(apkg) as z:
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "c.anki2")
    flds = [f for (f,) in con.execute("select flds from notes")]
    con.close()
    assert len(flds) == 2 and any("scaler.update()" in f and "type::order" not in f for f in flds)
    zh = quizkit(dict(env, QUIZKIT_LANG="zh"), "list", "--bank", BANK, "--all")
    assert "排序题" in zh.stdout, zh.stdout


def test_a_broken_type_package_is_named_by_doctor_and_breaks_nothing_else(env, tmp_path):
    site = tmp_path / "site"
    (site / "quizkit_broken_type-1.0.dist-info").mkdir(parents=True)
    (site / "quizkit_broken_type-1.0.dist-info" / "entry_points.txt").write_text("[quizkit.types]\nbroken = json\n")
    env = dict(env, QUIZKIT_HOME=str(tmp_path / "home"),
               PYTHONPATH=os.pathsep.join([str(site), env.get("PYTHONPATH", "")]))
    listed = quizkit(env, "list", "--bank", BANK, "--all")
    assert listed.returncode == 0 and "training-step" in listed.stdout, listed.stderr
    doctor = json.loads(quizkit(env, "doctor", "--json").stdout)
    assert any("broken" in p and "lacks" in p for p in doctor["problems"]), doctor["problems"]
    assert "order" in doctor["types"] and "broken" not in doctor["types"]
