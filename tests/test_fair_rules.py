"""Rules that test the skill asked for, and only that: answers in standard, correct styles that the old
forbid lists refused (issue 21) are judged right."""
import pytest

from quizkit import types
from quizkit.bank import load_banks

RIGHT = {
    "nn/dropout-by-hand": (
        "def dropout(x, p=0.5, training=True):\n"
        "    if not training or p == 0:\n        return x\n"
        "    if p == 1:\n        return torch.zeros_like(x)\n"
        "    keep = torch.bernoulli(torch.full_like(x, 1 - p))\n"
        "    return x * keep / (1 - p)\n"),
    "nn/layer-norm-by-hand": (
        "def layer_norm(x, weight, bias, eps=1e-5):\n"
        "    var, mean = torch.var_mean(x, dim=-1, unbiased=False, keepdim=True)\n"
        "    return (x - mean) / torch.sqrt(var + eps) * weight + bias\n"),
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
}


@pytest.fixture(scope="module")
def shipped():
    banks, errors = load_banks()
    assert not errors
    return {q.full_id: q for b in banks for q in b.questions}


@pytest.mark.parametrize("qid", RIGHT)
def test_a_right_answer_the_old_rules_refused_passes(runner, shipped, qid):
    verdict = types.of("code").judge(shipped[qid], RIGHT[qid], types.Ctx(runner, "cpu"))
    assert verdict.correct, verdict.detail
