"""Vectorized evaluation of typed rule expressions with numpy broadcasting.

Fund attributes are arrays of shape (F, 1), project and village attributes
(1, P), case attributes 0-d; an expression's value broadcasts to (F, P) only
where it mixes fund and project terms, so a village-only condition costs P
operations, not F x P.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from allocator.i18n import msg
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

Array = npt.NDArray[np.generic]


@dataclass(frozen=True)
class Column:
    """Values of one attribute; ``present`` is False where an optional value is empty."""

    values: Array
    present: npt.NDArray[np.bool_] | None = None


Env = dict[tuple[str, str], Column]


def evaluate(node: Node, env: Env) -> Array:
    """Value of ``node`` over the whole environment (broadcastable arrays)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _eval(node, env)


def _eval(node: Node, env: Env) -> Array:
    if isinstance(node, Const):
        return np.asarray(node.value)
    if isinstance(node, Attr):
        return env[(node.entity, node.name)].values
    if isinstance(node, Unary):
        operand = _eval(node.operand, env)
        return np.logical_not(operand) if node.op == "not" else np.negative(operand)
    if isinstance(node, Binary):
        return _binary(node.op, _eval(node.left, env), _eval(node.right, env))
    if isinstance(node, Compare):
        return _compare(node.op, _eval(node.left, env), _eval(node.right, env))
    if isinstance(node, Logical):
        parts = [_eval(n, env) for n in node.operands]
        combine = np.logical_and if node.op == "and" else np.logical_or
        result = parts[0]
        for part in parts[1:]:
            result = combine(result, part)
        return result
    if isinstance(node, InList):
        operand = _eval(node.operand, env)
        hit = np.isin(operand, np.asarray(list(node.values)))
        return np.logical_not(hit) if node.negate else hit
    if isinstance(node, Call):
        return _call(node, env)
    raise TypeError(msg("unknown node {name}", name=type(node).__name__))


def _binary(op: str, left: Array, right: Array) -> Array:
    if op == "+":
        return np.add(left, right)
    if op == "-":
        return np.subtract(left, right)
    if op == "*":
        return np.multiply(left, right)
    if op == "/":
        # x / 0 is NaN, and every comparison with NaN is false (documented).
        right_f = np.asarray(right, dtype=np.float64)
        return np.where(
            right_f == 0, np.nan, np.true_divide(left, np.where(right_f == 0, 1, right_f))
        )
    if op == "%":
        right_f = np.asarray(right, dtype=np.float64)
        safe = np.where(right_f == 0, 1, right_f)
        return np.where(right_f == 0, np.nan, np.mod(left, safe))
    raise ValueError(op)


def _compare(op: str, left: Array, right: Array) -> Array:
    if op == "==":
        return np.equal(left, right)
    if op == "!=":
        return np.not_equal(left, right)
    if op == "<":
        return np.less(left, right)
    if op == "<=":
        return np.less_equal(left, right)
    if op == ">":
        return np.greater(left, right)
    if op == ">=":
        return np.greater_equal(left, right)
    raise ValueError(op)


def _call(node: Call, env: Env) -> Array:
    if node.func == "is_set":
        attr = node.args[0]
        assert isinstance(attr, Attr)
        column = env[(attr.entity, attr.name)]
        return np.ones_like(column.values, dtype=bool) if column.present is None else column.present
    if node.func == "default":
        attr, fallback = node.args
        assert isinstance(attr, Attr) and isinstance(fallback, Const)
        column = env[(attr.entity, attr.name)]
        if column.present is None:
            return column.values
        return np.where(column.present, column.values, fallback.value)
    args = [_eval(a, env) for a in node.args]
    if node.func == "abs":
        return np.abs(args[0])
    reduce = np.minimum if node.func == "min" else np.maximum
    result = args[0]
    for arg in args[1:]:
        result = reduce(result, arg)
    return result
