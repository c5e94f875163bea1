"""`quizkit new BANK`: a bank file to start from, one question of each type, that `quizkit verify` passes."""

from __future__ import annotations

from pathlib import Path

from .bank import BANK_RE
from .errors import QuizkitError
from .i18n import _, os_error

TEMPLATE = """\
# A quizkit bank: one question of each type, to edit. docs/bank-format.md is the reference.
# Check it as CI would: quizkit verify {file}      Drill it: quizkit drill --bank {file}
bank: {bank}                      # the bank's name; progress is stored as {bank}/QUESTION-ID
title: {bank}
tags: [{bank}]                    # added to every question
questions:
  # flashcard: the answer is shown, and the learner rates themself.
  - id: what-is-a-leaf
    type: flashcard
    prompt: What is a leaf tensor?
    answer: A tensor autograd did not make (created by the user); .grad is kept on leaves.
    explanation: Non-leaf tensors only keep .grad after .retain_grad().
    source: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.is_leaf.html

  # short: a one-line answer matched against `accept` (case and spaces ignored; /.../ is a regex).
  - id: default-int-dtype
    type: short
    prompt: "What dtype does `torch.tensor([1, 2])` have?"
    answer: torch.int64
    accept: [torch.int64, int64, torch.long, long]
    examples: [int64, " Torch.Int64 "]   # verify: each must be accepted
    reject: [int32, torch.int]           # verify: none may be
    source: https://docs.pytorch.org/docs/stable/tensor_attributes.html

  # mcq: answer is the 0-based index of the right choice (or a list of them); `check` must run without error.
  - id: sum-keepdim
    type: mcq
    prompt: "What is `torch.ones(2, 3).sum(1, keepdim=True).shape`?"
    choices: ["torch.Size([2, 1])", "torch.Size([2])", "torch.Size([1, 3])"]
    answer: 0
    check: assert torch.ones(2, 3).sum(1, keepdim=True).shape == (2, 1)
    explanation: keepdim keeps the reduced dimension, with size 1.

  # output: the learner predicts what `code` prints; verify runs it and compares with `expected`.
  - id: grad-accumulates
    type: output
    prompt:
      en: What does the last line print?
      zh: 最后一行打印什么？
    code: |
      x = torch.ones(2, requires_grad=True)
      for _ in range(2):
          (3 * x).sum().backward()
      print(x.grad)
    expected: tensor([6., 6.])
    explanation: .grad accumulates on leaf tensors until it is zeroed.

  # code: the learner writes code; `tests` run after it. verify checks that the solution passes, the
  # starter fails, and every `wrong` answer fails (write the mistakes a good candidate makes).
  - id: scale-rows
    type: code
    difficulty: 2
    prompt: Write `scale_rows(x, w)`, which multiplies each row i of the 2-D tensor `x` by `w[i]`, without changing `x`.
    starter: |
      def scale_rows(x, w):
          raise NotImplementedError
    solution: |
      def scale_rows(x, w):
          return x * w[:, None]
    tests: |
      x = torch.randn(3, 4, device=device)
      w = torch.randn(3, device=device)
      x0 = x.clone()
      out = scale_rows(x, w)
      assert type(out) is torch.Tensor
      assert_close(out, torch.stack([x[i] * w[i] for i in range(3)]))
      assert torch.equal(x, x0)
      sq = torch.randn(3, 3, device=device)  # square: a broadcast along the wrong axis also fits
      assert_close(scale_rows(sq, w), torch.stack([sq[i] * w[i] for i in range(3)]))
    wrong:
      - code: |
          def scale_rows(x, w):
              return x * w[None, :]
        why: scales columns, not rows (fails only where the shapes let it broadcast)
      - code: |
          def scale_rows(x, w):
              x *= w[:, None]
              return x
        why: changes x in place
    explanation: "`w[:, None]` has shape (n, 1): it broadcasts across each row."
"""


def new_bank(name: str, folder: Path) -> Path:
    """Write `folder/NAME.yaml` from the template; refuse a bad name or an existing file."""
    bank = name[: -len(Path(name).suffix)] if Path(name).suffix in (".yaml", ".yml") else name
    if not BANK_RE.match(bank) or "/" in bank:
        raise QuizkitError(
            _("'{name}' is not a bank name: letters, digits, '-', '_' or '.', starting with a letter or digit").format(
                name=name
            )
        )
    if not folder.is_dir():
        raise QuizkitError(_("{folder}: no such folder").format(folder=folder))
    path = folder / f"{bank}.yaml"
    try:
        with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite, even in a race
            f.write(TEMPLATE.format(bank=bank, file=path.name))
    except FileExistsError:
        raise QuizkitError(
            _("{path} already exists; it was left as it was (choose another name or --dir)").format(path=path)
        ) from None
    except OSError as e:
        raise QuizkitError(_("{file}: cannot write: {error}").format(file=path, error=os_error(e))) from None
    return path
