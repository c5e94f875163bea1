"""Rules that test the skill asked for, and only that: answers in standard, correct styles that the old
forbid lists refused (issue 21) are judged right."""
import pytest

from quizkit import checks, types
from quizkit.bank import load_banks

RIGHT = {
    "nn/dropout-by-hand": (
        "def dropout(x, p=0.5, training=True):\n"
        "    if not training or p == 0:\n        return x\n"
        "    if p == 1:\n        return torch.zeros_like(x)\n"
        "    keep = torch.bernoulli(torch.full_like(x, 1 - p))\n"
        "    return x * keep / (1 - p)\n"),
    "layers/layer-norm-normalized-shape": (  # nn/layer-norm-by-hand, its duplicate, was merged into it
        "def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):\n"
        "    dims = tuple(range(-len(normalized_shape), 0))\n"
        "    var, mean = torch.var_mean(x, dim=dims, unbiased=False, keepdim=True)\n"
        "    y = (x - mean) / torch.sqrt(var + eps)\n"
        "    y = y if weight is None else y * weight\n"
        "    return y if bias is None else y + bias\n"),
    "layers/kaiming-normal-by-hand": (
        "def kaiming_normal_(w, mode='fan_in', nonlinearity='relu'):\n"
        "    fan = w.shape[1] if mode == 'fan_in' else w.shape[0]\n"
        "    for k in w.shape[2:]:\n        fan *= k\n"
        "    std = nn.init.calculate_gain(nonlinearity) / math.sqrt(fan)\n"
        "    with torch.no_grad():\n        w.normal_(0, std)\n"
        "    return w\n"),
    "precision/unscale-then-clip": (
        "def unscale_and_clip_(params, scale, max_norm):\n"
        "    params = [p for p in params if p.grad is not None]\n"
        "    with torch.no_grad():\n"
        "        for p in params:\n            p.grad.div_(scale)\n"
        "    return torch.nn.utils.clip_grad_norm_(params, max_norm)\n"),
    "layers/triplet-margin-loss": (
        "def triplet_margin_loss(anchor, positive, negative, margin=1.0, swap=False, reduction='mean'):\n"
        "    d_ap = F.pairwise_distance(anchor, positive)\n"
        "    d_an = F.pairwise_distance(anchor, negative)\n"
        "    if swap:\n        d_an = torch.minimum(d_an, F.pairwise_distance(positive, negative))\n"
        "    loss = (d_ap - d_an + margin).clamp(min=0)\n"
        "    return {'none': loss, 'sum': loss.sum()}.get(reduction, loss.mean())\n"),
    "layers/linear-module-init": (
        "class Linear(nn.Module):\n"
        "    def __init__(self, in_features, out_features, bias=True):\n"
        "        super().__init__()\n"
        "        self.weight = nn.Parameter(torch.empty(out_features, in_features))\n"
        "        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None\n"
        "        bound = 1 / math.sqrt(in_features)\n"
        "        nn.init.uniform_(self.weight, -bound, bound)\n"
        "        if bias:\n            nn.init.uniform_(self.bias, -bound, bound)\n"
        "    def forward(self, x):\n"
        "        return F.linear(x, self.weight, self.bias)\n"),
}


# What the old forbid lists held that refused each of them.
OLD_RULE = {
    "nn/dropout-by-hand": "torch.bernoulli", "layers/layer-norm-normalized-shape": "torch.var_mean",
    "layers/kaiming-normal-by-hand": "nn.init.calculate_gain",
    "precision/unscale-then-clip": "torch.nn.utils.clip_grad_norm_",
    "layers/triplet-margin-loss": "F.pairwise_distance", "layers/linear-module-init": "F.linear",
}


@pytest.fixture(scope="module")
def shipped():
    banks, errors = load_banks()
    assert not errors
    return {q.full_id: q for b in banks for q in b.questions}


@pytest.mark.parametrize("qid", RIGHT)
def test_a_right_answer_the_old_rules_refused_passes(runner, shipped, qid):
    assert checks.forbidden_uses(RIGHT[qid], [OLD_RULE[qid]])  # the old rule refused it
    verdict = types.of("code").judge(shipped[qid], RIGHT[qid], types.Ctx(runner, "cpu"))
    assert verdict.correct, verdict.detail


# ---- the rules are shown with the prompt, and a refusal names the rule shown ----

from typer.testing import CliRunner  # noqa: E402

from quizkit import i18n  # noqa: E402
from quizkit.app import questions as qs  # noqa: E402
from quizkit.cli import app  # noqa: E402
from quizkit.types.code import Body  # noqa: E402

from conftest import BANKS  # noqa: E402

RULED = Body(starter="", solution="", tests="", forbid=("F.softmax", "torch.nn.functional.softmax", "torch.exp", "for"),
             allow=(), max_lines=3)


def test_rule_lines_name_every_rule_once():
    lines = checks.rule_lines(RULED)
    assert lines[0].startswith("may not use: `F.softmax`, `torch.exp`")  # one name written two ways: once
    assert "`x.softmax(...)`" in lines[0] and "`x.exp(...)`" in lines[0]  # the method forms are caught too
    assert "no `for` loops" in lines[1] and "comprehension" in lines[1]
    assert lines[2].startswith("at most 3 lines of code")
    assert checks.rule_lines(Body(starter="", solution="", tests="")) == []


def test_rule_lines_in_chinese():
    i18n.use("zh")
    lines = checks.rule_lines(RULED)
    assert lines[0].startswith("不可使用：`F.softmax`") and "最多 3 行" in lines[2]


def test_a_refusal_names_the_rule_the_learner_was_shown():
    why = checks.rule_breaks(RULED, "def f(x):\n    return [torch.nn.functional.softmax(r, 0) for r in F.softmax(x, 0)]\n")
    assert why.startswith("not allowed here: F.softmax, for (")  # the name as the rules show it, once
    assert checks.rule_lines(RULED)[0] in why and checks.rule_lines(RULED)[1] in why
    long = "def f(x):\n" + "    x = x + 1\n" * 4 + "    return x\n"
    assert checks.rule_lines(RULED)[2] in checks.rule_breaks(RULED, long)
    allowed = Body(starter="", solution="", tests="", allow=("arange",))
    assert "may use only: `arange`" in checks.rule_breaks(allowed, "y = where(arange(3) > 0, 1, 0)\n")


def test_the_public_view_and_show_carry_the_rules():
    banks, questions, _errors = qs.load([str(BANKS)])
    q = qs.find(questions, "mini/softmax")
    view = qs.public_view(q)
    assert view["rule_lines"] == qs.rule_lines(q) and "`torch.softmax`" in view["rule_lines"][0]
    assert any(kind == "md" and view["rule_lines"][0] in text for kind, text in view["blocks"])
    r = CliRunner().invoke(app, ["show", "mini/softmax", "--bank", str(BANKS)])
    assert r.exit_code == 0 and "may not use: torch.softmax, F.softmax" in r.output, r.output


# ---- rules that cannot match: warnings at load time (file:line), failures in verify ----

import textwrap  # noqa: E402

from quizkit.bank import load_bank, warnings_of  # noqa: E402

from conftest import write_bank  # noqa: E402


def _code_bank(rules: str, tests: str = "assert f(torch.tensor(2.)) == 4") -> str:
    return textwrap.dedent("""\
        bank: lint
        questions:
          - id: q
            type: code
            prompt: p
            starter: "def f(x):\\n    raise NotImplementedError"
            solution: "def f(x):\\n    return x * x"
            tests: "{tests}"
        """).format(tests=tests) + textwrap.indent(rules, "    ") + "\n"


@pytest.mark.torch_free
@pytest.mark.parametrize("rules, says", [
    ("forbid: [cos]", "'cos' matches nothing"),
    ("forbid: [import]", "'import' is a keyword"),
    ("forbid: [math.coss]", "did you mean 'math.cos'?"),
    ("forbid: [np.sum]", "'np' is no module installed here"),
    ("allow: [math.sqr]", "'math.sqr' does not exist in math"),
])
def test_a_rule_that_matches_nothing_is_a_warning_at_its_line(tmp_path, rules, says):
    q = load_bank(write_bank(tmp_path, _code_bank(rules))).questions[0]
    assert len(q.warnings) == 1 and says in q.warnings[0][1], q.warnings
    assert q.warnings[0][0] == 9  # the line of forbid/allow in the file
    assert warnings_of([q])[0].startswith(f"{tmp_path / 'b.yaml'}:9: lint/q: ")


@pytest.mark.torch_free
@pytest.mark.parametrize("rules", [
    "forbid: [sum, for, while, math.cos, torch.softmax, F.relu, numpy.sum]",
    "forbid: [helper]",  # a name the tests define at their top level (the original contract)
    "allow: [shape, T, torch.arange, math.sqrt]",
])
def test_rules_that_can_match_load_without_warnings(tmp_path, rules):
    tests = "def helper(x):\\n    return x\\nassert f(torch.tensor(2.)) == 4"
    q = load_bank(write_bank(tmp_path, _code_bank(rules, tests))).questions[0]
    assert q.warnings == ()


def test_verify_fails_a_rule_that_matches_nothing(tmp_path):
    path = write_bank(tmp_path, _code_bank("forbid: [cos]"))
    r = CliRunner().invoke(app, ["verify", str(path)])
    assert r.exit_code == 1 and "'cos' matches nothing" in r.output and "b.yaml:9" in r.output, r.output


def test_verify_resolves_torch_names_in_the_worker(tmp_path):
    path = write_bank(tmp_path, _code_bank("forbid: [torch.sofmax, F.relu, torch.utils.checkpoint.checkpoint]"))
    r = CliRunner().invoke(app, ["verify", "--json", str(path)])
    assert r.exit_code == 1
    assert "'torch.sofmax' does not resolve in this torch" in r.output and "torch.softmax" in r.output, r.output
    good = write_bank(tmp_path, _code_bank("forbid: [F.relu, torch.utils.checkpoint.checkpoint, nn.init.calculate_gain]"),
                      "good.yaml")
    assert CliRunner().invoke(app, ["verify", str(good)]).exit_code == 0


def test_check_shows_the_questions_warnings(tmp_path):
    path = write_bank(tmp_path, _code_bank("forbid: [cos]"))
    answer = tmp_path / "a.py"
    answer.write_text("def f(x):\n    return x * x\n")
    r = CliRunner().invoke(app, ["check", "lint/q", str(answer), "--bank", str(path)])
    assert "warning:" in r.output and "'cos' matches nothing" in r.output, r.output
