"""The interface in Chinese (issue 12, part 9): the catalog is complete and compiled, the language is chosen
explicit --lang > QUIZKIT_LANG > locale > en, and a zh session shows no English label."""
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import quizkit
from quizkit import i18n
from quizkit.cli import app

ROOT = Path(__file__).parent.parent
LOCALE = Path(quizkit.__file__).parent / "locale"
PO = LOCALE / "zh" / "LC_MESSAGES" / "quizkit.po"
MO = PO.with_suffix(".mo")
cli = CliRunner()

babel = pytest.importorskip("babel")  # a test dependency: pip install '.[test]'
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402


def _catalog(path):
    with open(path, "rb") as f:
        return read_po(f)


def _ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def _english_labels() -> list[str]:
    """The literal pieces of every English message (placeholders cut out), longest first."""
    pieces = set()
    for mid in _ids(_catalog(PO)):
        for text in mid if isinstance(mid, tuple) else (mid,):
            for piece in re.split(r"\{\w*\}|%\w", text):
                piece = piece.strip(" ;:.,()>·…'")
                if sum(c.isalpha() for c in piece) >= 3:
                    pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


# ---- the catalog ----


@pytest.mark.torch_free
def test_every_message_in_the_source_is_in_the_template():
    """A new _() message fails here until scripts/update_catalog.sh is run (and it is translated)."""
    from babel.messages.extract import extract_from_dir

    method_map = [("quizkit/**.py", "python")]
    keywords = {"_": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else tuple(message))
    assert found == _ids(_catalog(LOCALE / "quizkit.pot")), "run scripts/update_catalog.sh"


@pytest.mark.torch_free
def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    pot, po = _catalog(LOCALE / "quizkit.pot"), _catalog(PO)
    assert _ids(pot) == _ids(po), "run scripts/update_catalog.sh"
    untranslated = [m.id for m in po if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))]
    assert not untranslated, untranslated
    for m in po:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        want = set(re.findall(r"\{\w*\}", ids[-1]))
        for s in strings:
            assert set(re.findall(r"\{\w*\}", s)) == want, (m.id, s)


@pytest.mark.torch_free
def test_the_compiled_catalog_is_the_po_file_compiled():
    """The shipped .mo is what quizkit reads: it must not be older than the .po."""
    buf = io.BytesIO()
    write_mo(buf, _catalog(PO))
    assert MO.read_bytes() == buf.getvalue(), "the .mo is stale: run scripts/update_catalog.sh"


@pytest.mark.torch_free
def test_the_catalog_ships_with_the_package():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"locale/*/LC_MESSAGES/*.mo"' in text


# ---- choosing the language ----


@pytest.mark.torch_free
def test_the_language_is_explicit_then_quizkit_lang_then_the_locale(monkeypatch):
    for var in ("QUIZKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert i18n.resolve() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.resolve() == "zh" and i18n.resolve("auto") == "zh"
    monkeypatch.setenv("LC_MESSAGES", "en_US.UTF-8")  # the first one set decides
    assert i18n.resolve() == "en"
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    assert i18n.resolve() == "zh"
    monkeypatch.setenv("LC_ALL", "C")
    assert i18n.resolve() == "en"
    monkeypatch.setenv("QUIZKIT_LANG", "zh")
    assert i18n.resolve() == "zh" and i18n.resolve("en") == "en" and i18n.resolve("EN") == "en"
    with pytest.raises(quizkit.errors.QuizkitError, match="--lang must be en, zh or auto, not 'fr'"):
        i18n.resolve("fr")
    monkeypatch.setenv("QUIZKIT_LANG", "fr")
    with pytest.raises(quizkit.errors.QuizkitError, match="QUIZKIT_LANG"):
        i18n.resolve()
    assert i18n.resolve("zh") == "zh"  # an explicit choice never reads a bad QUIZKIT_LANG


@pytest.mark.torch_free
def test_translations_are_read_with_the_standard_library():
    assert i18n.use("zh") == "zh" and i18n._("right") == "答对" and i18n.language() == "zh"
    assert i18n.ngettext("… {n} more line", "… {n} more lines", 3) == "… 另有 {n} 行"
    assert i18n.use("en") == "en" and i18n._("right") == "right"


@pytest.mark.torch_free
def test_help_imports_neither_rich_nor_babel():
    code = "import sys; from quizkit.cli import app; print(sorted({'rich', 'babel'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


# ---- a session in Chinese ----

BANK = """\
bank: zhong
title: {en: A bilingual bank, zh: 双语题库}
tags: [tensors]
questions:
  - id: card
    type: flashcard
    prompt: {en: "What does requires_grad do?", zh: "requires_grad 有什么作用？"}
    answer: {en: It records operations for autograd., zh: 让 autograd 记录运算。}
    explanation: {en: Only tensors that require grad are tracked., zh: 只有需要梯度的张量会被记录。}
  - id: dtype
    type: short
    difficulty: 1
    prompt: {en: "The dtype of torch.tensor([1, 2])?", zh: "torch.tensor([1, 2]) 的 dtype 是？"}
    hint: {en: Python ints., zh: Python 整数。}
    accept: [torch.int64, int64]
    explanation: {en: Python ints become int64., zh: Python 整数变成 int64。}
  - id: copy
    type: mcq
    shuffle: false
    prompt: {en: Which one returns a copy?, zh: 哪一个返回副本？}
    choices: ["x.view(4)", "x[[0, 1]]"]
    answer: 1
    explanation: {en: Advanced indexing copies., zh: 高级索引会复制。}
  - id: grad
    type: output
    prompt: {en: What does it print?, zh: 它打印什么？}
    code: |
      x = torch.ones(2, requires_grad=True)
      (3 * x).sum().backward()
      print(x.grad)
    expected: tensor([3., 3.])
    explanation: {en: d(3x)/dx is 3., zh: 3x 的导数是 3。}
  - id: double
    type: code
    prompt: {en: "Write double(x).", zh: "写出 double(x)。"}
    starter: |
      def double(x):
          return x
    solution: |
      def double(x):
          return 2 * x
    tests: |
      assert torch.equal(double(torch.ones(2)), torch.full((2,), 2.0))
    explanation: {en: Twice x., zh: x 的两倍。}
"""

# per type: reveal + rate 2, a hint then a wrong short answer, a bad letter then a right mcq, a wrong output,
# a failing code answer then Enter at the retry prompt
ANSWERS = {
    "flashcard": "\n2\n",
    "short": "?\nfloat32\n",
    "mcq": "z\nb\n",
    "output": "tensor([1., 1.])\n",
    "code": "def double(x):\n    return x\n.\n\n",
}


def _drill(tmp_path, *extra, env=None):
    """One drill per type, every screen joined."""
    bank = tmp_path / "zhong.yaml"
    bank.write_text(BANK, encoding="utf-8")
    screens = []
    for qtype, answers in ANSWERS.items():
        r = cli.invoke(app, ["drill", "--bank", str(bank), "--type", qtype, *extra], input=answers, env=env)
        assert r.exit_code == 0, r.output
        screens.append(r.output)
    return "".join(screens)


# What the bank itself shows (ids, code, choices, the right answer): content, not labels.
CONTENT = ("zhong/card", "zhong/dtype", "zhong/copy", "zhong/grad", "zhong/double", "requires_grad", "torch.int64",
           "x.view(4)", "x[[0, 1]]", "def double(x):", "return x", "return 2 * x", "torch.ones(2, requires_grad=True)",
           "(3 * x).sum().backward()", "print(x.grad)", "assert torch.equal(double(torch.ones(2)), torch.full((2,), 2.0))")


def _english_shown(output: str, content=CONTENT) -> list[str]:
    """The English labels on a screen: the catalog's English pieces, as whole words, once the bank's own
    content is taken out."""
    for text in content:
        output = output.replace(text, " ")
    return [p for p in _english_labels() if re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", output)]


def test_a_drill_in_chinese_shows_no_english_label(tmp_path):
    out = _drill(tmp_path, "--lang", "zh")
    for zh in ("requires_grad 有什么作用", "让 autograd 记录运算", "显示答案", "记得怎么样", "提示：", "答错", "答对",
               "请输入 a-b 之间的字母", "输出：", "本机的 torch", "r 重试", "本次小结", "连对", "正确率", "合计",
               "闪卡", "简答题", "选择题", "输出题", "代码题", "解析：", "每个答案都已保存"):
        assert zh in out, (zh, out)
    assert _english_shown(out) == [], (_english_shown(out), out)
    assert {"answer", "hint", "right", "wrong", "session summary", "streak"} <= set(_english_labels())


def test_quizkit_lang_and_the_locale_choose_chinese_and_lang_en_wins(tmp_path):
    out = _drill(tmp_path, env={"QUIZKIT_LANG": "zh"})
    assert "本次小结" in out and "哪一个返回副本" in out, out
    out = _drill(tmp_path, env={"QUIZKIT_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"})
    assert "本次小结" in out, out
    out = _drill(tmp_path, "--lang", "en", env={"QUIZKIT_LANG": "zh"})
    assert "session summary" in out and "本次小结" not in out, out


def test_an_english_drill_is_unchanged(tmp_path):
    out = _drill(tmp_path)
    for en in ("Enter reveals the answer · ? hint · s skip · q quit", "how well did you know it?", "hint: Python ints.",
               "✗ wrong", "✓ right", "pick letters a-b, e.g. b or a,c", "it prints:", "run just now on this machine's torch in",
               "r retries (from your last attempt) · Enter goes on · q quits > ", "session summary", "streak",
               "best streak", "Every answer is saved.", "Why:", "Which one returns a copy?"):
        assert en in out, (en, out)
    assert not re.search(r"[\u4e00-\u9fff]", out), out


@pytest.mark.torch_free
def test_a_bad_lang_is_a_one_line_error(tmp_path):
    for args, env, what in ((["list", "--lang", "fr"], {}, "--lang"), (["list"], {"QUIZKIT_LANG": "fr"}, "QUIZKIT_LANG")):
        r = cli.invoke(app, args, env=env)
        assert r.exit_code == 1 and r.output == f"error: {what} must be en, zh or auto, not 'fr'\n", r.output


@pytest.mark.torch_free
def test_an_error_is_in_chinese(tmp_path):
    r = cli.invoke(app, ["drill", "--lang", "zh", "--difficulty", "9"])
    assert r.exit_code == 1 and r.output == "错误： --difficulty 必须在 1-5 之间，不能是 '9'\n", r.output


# ---- finding questions, learning paths, the workspace in Chinese ----

STUDY = ROOT / "tests" / "data" / "study"
# The fixture bank's own texts (English only, but for the path's title), ids, code and command names: content.
STUDY_CONTENT = ("Write `add(a, b)` returning the sum of two tensors.", "Write add(a, b) returning the sum of two tensors.",
                 "Say one.", "Say two.", "Say three.", "def add(a, b):", "pass", "quizkit-work/study/add.py",
                 "study/one", "study/two", "study/three", "study/add", "basics", "quizkit path")  # a command


def _study_screens(*lang):
    """list --search, path NAME, path and show ID (a code question: its workspace line too), after one
    right answer so that done, next, locked and new are all on screen."""
    env = {"COLUMNS": "100"}
    r = cli.invoke(app, ["drill", "--id", "one", "--bank", str(STUDY)], input="one\n", env=env)
    assert r.exit_code == 0, r.output
    screens = []
    for args in (["list", "--search", "say"], ["path", "basics"], ["path"], ["show", "add"], ["show", "one"]):
        r = cli.invoke(app, [*args, "--bank", str(STUDY), *lang], env=env)
        assert r.exit_code == 0, r.output
        screens.append(r.output)
    return "".join(screens)


@pytest.mark.torch_free
def test_list_path_and_show_in_chinese_show_no_english_label():
    out = _study_screens("--lang", "zh")
    for zh in ("题目（quizkit show ID", "状态", "难度", "简答题", "代码题", "已完成", "新题", "下一步", "未解锁",
               "共 3 道题：新题 2 · 已完成 1", "按顺序学基础", "学习路径", "还有 2 条提示", "状态：新题", "工作区：",
               "作答 1 次，答对 1 次", "会出下一步"):
        assert zh in out, (zh, out)
    assert _english_shown(out, STUDY_CONTENT) == [], (_english_shown(out, STUDY_CONTENT), out)
    assert {"status", "done", "next", "locked", "finished", "workspace"} <= set(_english_labels())


@pytest.mark.torch_free
def test_list_path_and_show_in_english_are_unchanged():
    out = _study_screens()
    for en in ("questions (quizkit show ID · quizkit drill --id ID)", "┃ id ", "┃ type ", "┃ lvl ┃ status ",
               "3 questions: 2 new · 1 done", "The basics in order", "✓ done", "→ next", "· locked",
               "1/4 done · quizkit drill --path basics asks the next step", "learning paths (quizkit path NAME)",
               "2 hints left: quizkit show study/add --hint", "status: new",
               "workspace: quizkit-work/study/add.py (not started) · quizkit start study/add",
               "status: done · 1 answer, 1 right", "3 hints left: quizkit show study/one --hint", "study/add · code ·"):
        assert en in out, (en, out)
    assert not re.search(r"[\u4e00-\u9fff]", out), out


def test_the_failing_line_of_a_code_answer_is_named_in_chinese(tmp_path):
    """The worker names where a run failed ("tests line 1"); a Chinese screen showed it in English."""
    bank = tmp_path / "zhong.yaml"
    bank.write_text(BANK, encoding="utf-8")
    args = ["drill", "--bank", str(bank), "--type", "code"]
    zh = cli.invoke(app, [*args, "--lang", "zh"], input=ANSWERS["code"])
    assert zh.exit_code == 0 and "测试 第 1 行" in zh.output and "tests line" not in zh.output, zh.output
    en = cli.invoke(app, args, input=ANSWERS["code"])
    assert "tests line 1: assert torch.equal(double(torch.ones(2)), torch.full((2,), 2.0))" in en.output, en.output


def test_check_and_reset_take_lang_as_start_does(tmp_path):
    """start took --lang, but check and reset, the other workspace commands, refused it (in English)."""
    f = tmp_path / "add.py"
    f.write_text("def add(a, b):\n    return a + b\n")
    r = cli.invoke(app, ["check", "add", str(f), "--bank", str(STUDY), "--lang", "zh"])
    assert r.exit_code == 0 and "通过 study/add" in r.output, r.output
    r = cli.invoke(app, ["reset", "add", str(tmp_path / "work"), "--bank", str(STUDY), "--lang", "zh"])
    assert r.exit_code == 0 and "已恢复初始代码" in r.output, r.output


@pytest.mark.torch_free
def test_start_on_a_question_that_is_not_code_names_its_type_in_chinese(tmp_path):
    """The type's name came through as the bank's English word: 'study/one 是 short 题'."""
    r = cli.invoke(app, ["start", "one", str(tmp_path / "work"), "--bank", str(STUDY), "--lang", "zh"])
    assert r.exit_code == 1 and r.output == "错误： study/one 是简答题，不是代码题；start 只能用于代码题\n", r.output


def test_a_usage_error_is_one_line_in_chinese_too(monkeypatch):
    monkeypatch.setenv("QUIZKIT_LANG", "zh")
    r = CliRunner().invoke(app, ["drill", "-n", "0"])
    assert r.exit_code == 1 and r.output.count("\n") == 1
    assert r.output.startswith("错误") and "--help 列出它接受的参数" in r.output, r.output


def test_a_usage_error_before_lang_is_read_is_in_the_language_asked(tmp_path):
    """`drill -n 0 --lang zh`: click fails on -n before it reads --lang, which still decides the language."""
    import os

    env = dict(os.environ, QUIZKIT_LANG="en", QUIZKIT_HOME=str(tmp_path))
    for args in (["drill", "-n", "0", "--lang", "zh"], ["drill", "--lang=zh", "-n", "0"]):
        r = subprocess.run([sys.executable, "-m", "quizkit", *args], capture_output=True, text=True, env=env)
        assert r.returncode == 1 and r.stderr.startswith("错误") and r.stderr.count("\n") == 1, r.stderr
    r = subprocess.run([sys.executable, "-m", "quizkit", "drill", "-n", "0", "--lang"], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 1 and r.stderr.startswith("error:") and "Traceback" not in r.stderr, r.stderr


def test_a_missing_file_is_said_in_chinese_not_in_the_systems_english(tmp_path):
    """`check ID missing.py --lang zh` said 无法读取：No such file or directory: the system's words stay English
    whatever the locale; the common ones are the interface's own messages now, the rest keep the system's."""
    r = CliRunner().invoke(app, ["check", "tensors/one-hot-without-f", str(tmp_path / "missing.py"), "--lang", "zh"])
    assert r.exit_code == 1 and "没有这个文件或文件夹" in r.output and "No such file" not in r.output, r.output
    i18n.use("en")
    assert i18n.os_error(FileNotFoundError(2, "No such file or directory")) == "No such file or directory"
    i18n.use("zh")
    assert i18n.os_error(FileNotFoundError(2, "No such file or directory")) == "没有这个文件或文件夹"
    assert i18n.os_error(OSError(5, "Input/output error")) == "Input/output error"


def test_usage_errors_are_said_in_chinese(monkeypatch):
    """click's own usage messages stay English whatever the locale: the common ones are quizkit's messages."""
    for args, said in ((["stats", "--bogus"], "没有这个选项：--bogus"), (["check"], "缺少参数：ID"),
                       (["stats", "extra"], "多余的参数：extra")):
        monkeypatch.setattr(sys, "argv", ["quizkit", *args, "--lang", "zh"])  # (read there: click failed first)
        r = CliRunner().invoke(app, [*args, "--lang", "zh"])
        assert r.exit_code == 1 and said in r.output and "No such" not in r.output, r.output
