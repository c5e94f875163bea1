"""quizkit/verifycache.py: a pass is remembered by everything its verdict depends on (the key), in a file kept
short and read safely. The CLI's side (what verify runs again) is in test_verify_cache.py."""

import dataclasses

import pytest

from quizkit import verifycache

from conftest import DATA, write_bank

pytestmark = pytest.mark.torch_free


BANK = (DATA / "vc.yaml").read_text()  # (one question of each kind that runs, and a card)


def _question(tmp_path):
    from quizkit.bank import load_bank

    return next(q for q in load_bank(write_bank(tmp_path, BANK)).questions if q.id == "double")


def test_the_key_covers_every_field_a_verdict_depends_on(tmp_path):
    q = _question(tmp_path)
    v = verifycache.Verified("cpu", 4096, tmp_path / "c")
    base = v.key(q)
    assert v.key(q) == base
    wrong = q.body.wrong[0]
    changes = [
        dataclasses.replace(q, body=dataclasses.replace(q.body, **{name: q.body.__getattribute__(name) + "\n#"}))
        for name in ("solution", "starter", "tests")
    ] + [
        dataclasses.replace(q, body=dataclasses.replace(q.body, wrong=(dataclasses.replace(wrong, code=wrong.code + "#"),))),
        dataclasses.replace(q, body=dataclasses.replace(q.body, setup="x = 1")),
        dataclasses.replace(q, body=dataclasses.replace(q.body, seeds=3)),
        dataclasses.replace(q, body=dataclasses.replace(q.body, forbid=("torch.mul",))),
        dataclasses.replace(q, timeout=1.0),
        dataclasses.replace(q, requires=("numpy",)),
        dataclasses.replace(q, type="output"),
    ]
    keys = {v.key(c) for c in changes}
    assert base not in keys and len(keys) == len(changes)
    # The prompt, hints and the question's place in the file do not decide the verdict (an edit above a
    # question moves it and its wrong answers down).
    moved = dataclasses.replace(q.body, wrong=(dataclasses.replace(wrong, line=wrong.line + 10),))
    assert v.key(dataclasses.replace(q, line=q.line + 10, prompt={"en": "Other"}, hint=("h",), body=moved)) == base
    # Nor is the same question the same key on another device, memory limit, or torch.
    assert verifycache.Verified("cuda", 4096, tmp_path / "c").key(q) != base
    assert verifycache.Verified("cpu", 1024, tmp_path / "c").key(q) != base


def test_torch_packages_and_quizkit_are_part_of_the_key(tmp_path, monkeypatch):
    q = _question(tmp_path)
    base = verifycache.Verified("cpu", 4096, tmp_path / "c").key(q)
    for name, value in (("_torch_stamp", "other torch"), ("_packages_stamp", "numpy-9.dist-info"),
                        ("_quizkit_stamp", "other judge"), ("_machine_stamp", "another host")):
        with monkeypatch.context() as m:
            m.setattr(verifycache, name, lambda value=value: value)
            assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) != base, name


def test_the_machine_and_the_environment_torch_reads_are_part_of_the_key(tmp_path, monkeypatch):
    q = _question(tmp_path)
    base = verifycache.Verified("cpu", 4096, tmp_path / "c").key(q)
    monkeypatch.setenv("EDITOR_OF_NO_CONCERN", "vi")
    assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) == base
    for name, value in (("CUDA_VISIBLE_DEVICES", "1"), ("ATEN_CPU_CAPABILITY", "default"), ("MKL_CBWR", "AVX")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) != base, name
    monkeypatch.setattr("platform.node", lambda: "another-host")
    assert verifycache.Verified("cpu", 4096, tmp_path / "c").key(q) != base


def test_a_damaged_file_is_an_empty_cache_and_the_file_is_trimmed_newest_first(tmp_path, monkeypatch):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / verifycache.NAME).write_bytes(b"\xff\xfe not ascii\n")
    v = verifycache.Verified("cpu", 4096, folder)
    assert not v.known("anything")
    monkeypatch.setattr(verifycache, "MAX_KEPT", 3)
    for k in ("a", "b", "c"):
        v.add(k)
    v.save()
    v = verifycache.Verified("cpu", 4096, folder)
    assert v.known("a") and not v.known("z")
    v.keep("a")
    v.add("d")
    v.save()  # d is new, a was used again: both kept; of b and c, one goes
    kept = (folder / verifycache.NAME).read_text().split()
    assert kept[:2] == ["a", "d"] and len(kept) == 3


def test_stdlib_and_installed_imports_are_remembered(tmp_path):
    q = _question(tmp_path)
    v = verifycache.Verified("cpu", 4096, tmp_path / "c")
    for imports in ("import math, collections.abc", "from typing import Any", "import yaml", "import torch.nn"):
        solution = imports + "\n" + q.body.solution
        assert v.key(dataclasses.replace(q, body=dataclasses.replace(q.body, solution=solution))), imports
    for imports in ("import vc_absent_module", "from vc_absent_module import x"):
        tests = imports + "\n" + q.body.tests
        assert v.key(dataclasses.replace(q, body=dataclasses.replace(q.body, tests=tests))) is None, imports
