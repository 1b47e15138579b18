"""A deliberately simple one-row-at-a-time evaluator of rule expressions.

It shares nothing with the vectorized evaluator but the typed tree, so the two
can check each other (differential tests), and independent verification of a
plan does not depend on the numpy compiler.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from allocator.rules.language import (
    Attr,
    Binary,
    Call,
    Compare,
    Const,
    InList,
    Logical,
    Node,
    Unary,
)

Value = int | float | bool | str | None
Row = Mapping[tuple[str, str], Value]  # (entity, attribute) -> value; None = empty


def evaluate_row(node: Node, row: Row) -> Value:
    """Value of ``node`` for one (fund, project, village, case) combination."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Attr):
        return row[(node.entity, node.name)]
    if isinstance(node, Unary):
        operand = evaluate_row(node.operand, row)
        if node.op == "not":
            return not operand
        return -operand  # type: ignore[operator]
    if isinstance(node, Binary):
        left = evaluate_row(node.left, row)
        right = evaluate_row(node.right, row)
        assert isinstance(left, int | float) and isinstance(right, int | float)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            return math.nan  # x / 0 and x % 0: no comparison with it holds
        if node.op == "/":
            return left / right
        return left % right
    if isinstance(node, Compare):
        a = evaluate_row(node.left, row)
        b = evaluate_row(node.right, row)
        if node.op == "==":
            return a == b
        if node.op == "!=":
            return a != b
        assert isinstance(a, int | float) and isinstance(b, int | float)
        if node.op == "<":
            return a < b
        if node.op == "<=":
            return a <= b
        if node.op == ">":
            return a > b
        return a >= b
    if isinstance(node, Logical):
        # Evaluate every operand (no short-circuit), as the vectorized form does.
        values = [bool(evaluate_row(n, row)) for n in node.operands]
        return all(values) if node.op == "and" else any(values)
    if isinstance(node, InList):
        value = evaluate_row(node.operand, row)
        hit = any(value == v for v in node.values)
        return not hit if node.negate else hit
    if isinstance(node, Call):
        if node.func == "is_set":
            return evaluate_row(node.args[0], row) is not None
        if node.func == "default":
            value = evaluate_row(node.args[0], row)
            return evaluate_row(node.args[1], row) if value is None else value
        args = [evaluate_row(a, row) for a in node.args]
        numbers = [a for a in args if isinstance(a, int | float)]
        if node.func == "abs":
            return abs(numbers[0])
        if any(isinstance(a, float) and math.isnan(a) for a in numbers):
            return math.nan  # numpy's minimum/maximum propagate NaN
        return min(numbers) if node.func == "min" else max(numbers)
    raise TypeError(f"unknown node {type(node).__name__}")
