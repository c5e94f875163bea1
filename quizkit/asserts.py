"""Failing asserts that say why, as pytest's do: `assert a == b` reports both values.

The worker compiles a question's tests through `rewrite`: an `assert` without a message whose test is one
comparison or one call is turned into statements that keep the values and, on failure, raise
AssertionError with them. Evaluation order and line numbers stay as written. Pure Python; imports no torch.
"""

from __future__ import annotations

import ast
from typing import cast

EXPLAIN = "__quizkit_explain__"  # the helper's name in the run's namespace, put there before the tests
_OPPOSITE = {
    ast.Eq: "!=",
    ast.NotEq: "==",
    ast.Lt: ">=",
    ast.LtE: ">",
    ast.Gt: "<=",
    ast.GtE: "<",
    ast.Is: "is not",
    ast.IsNot: "is",
    ast.In: "not in",
    ast.NotIn: "in",
}
_REPR_LIMIT = 300


def rewrite(source: str, filename: str) -> ast.Module:
    tree = ast.parse(source, filename)
    tree = _Rewriter().visit(tree)
    return ast.fix_missing_locations(cast(ast.Module, tree))


def short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception as e:  # noqa: BLE001  (a broken __repr__ must not hide the failure)
        text = f"<unprintable {type(value).__name__}: {type(e).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 1] + "…"


def explain(kind: str, text: str, *values: object) -> str:
    """The failure message: 'compare' gets (left, right); 'call' gets the arguments."""
    if kind == "compare":
        left, right = values
        return f"{short_repr(left)} {text} {short_repr(right)}"
    return f"{text}({', '.join(short_repr(v) for v in values)}) is false"


class _Rewriter(ast.NodeTransformer):
    count = 0

    def _name(self, store: bool = False) -> ast.Name:
        self.count += 1
        return ast.Name(id=f"_qk_v{self.count}", ctx=ast.Store() if store else ast.Load())

    def visit_Assert(self, node: ast.Assert) -> ast.stmt | list[ast.stmt]:
        if node.msg is not None:
            return node
        test = node.test
        check: ast.expr
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            left, right = self._name(), self._name()
            steps = [
                ast.Assign([ast.Name(left.id, ast.Store())], test.left),
                ast.Assign([ast.Name(right.id, ast.Store())], test.comparators[0]),
            ]
            check = ast.Compare(left, test.ops, [right])
            message: list[ast.expr] = [ast.Constant("compare"), ast.Constant(_OPPOSITE[type(test.ops[0])]), left, right]
        elif (
            isinstance(test, ast.Call)
            and not any(isinstance(a, ast.Starred) for a in test.args)
            and not any(k.arg is None for k in test.keywords)
        ):
            func = self._name()
            args = [self._name() for _ in test.args]
            kwargs = [self._name() for _ in test.keywords]
            steps = [ast.Assign([ast.Name(func.id, ast.Store())], test.func)]
            steps += [ast.Assign([ast.Name(n.id, ast.Store())], a) for n, a in zip(args, test.args)]
            steps += [ast.Assign([ast.Name(n.id, ast.Store())], k.value) for n, k in zip(kwargs, test.keywords)]
            check = ast.Call(
                func, cast("list[ast.expr]", args), [ast.keyword(k.arg, n) for k, n in zip(test.keywords, kwargs)]
            )
            message = [ast.Constant("call"), ast.Constant(ast.unparse(test.func)), *args, *kwargs]
        else:
            return node
        fail = ast.Raise(
            ast.Call(
                ast.Name("AssertionError", ast.Load()), [ast.Call(ast.Name(EXPLAIN, ast.Load()), message, [])], []
            ),
            None,
        )
        out = [*steps, ast.If(ast.UnaryOp(ast.Not(), check), [fail], [])]
        for stmt in out:
            ast.copy_location(stmt, node)
            for child in ast.walk(stmt):
                if not hasattr(child, "lineno") or child.lineno is None:
                    ast.copy_location(child, node)
        return out
