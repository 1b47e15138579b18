"""A deliberately simple one-row-at-a-time evaluator of rule expressions.

It shares nothing with the vectorized evaluator but the typed tree, so the two
can check each other (differential tests), and independent verification of a
plan does not depend on the numpy compiler.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np
import numpy.typing as npt

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.io.households import CAUSES, NO_YEAR
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
from allocator.rules.ruleset import EARMARK, RuleSet
from allocator.schemas import Fund, Measure, Project, Village

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
    raise TypeError(msg("unknown node {name}", name=type(node).__name__))


def _attributes(
    prefix: str, item: Fund | Project | Village | Measure
) -> Iterator[tuple[tuple[str, str], Value]]:
    for name in type(item).model_fields:
        if name in ("extra", "categories"):
            continue
        yield (prefix, name), getattr(item, name)
    for name, value in getattr(item, "extra", {}).items():
        yield (prefix, name), value


def pair_row(case: Case, fund: int, project: int) -> Row:
    """Every attribute a rule can read for one (fund, project) pair, as plain values."""
    f, p = case.funds[fund], case.projects[project]
    village = case.villages[case.village_index()[p.village_id]]
    return {
        **dict(_attributes("fund", f)),
        **dict(_attributes("project", p)),
        **dict(_attributes("village", village)),
        ("case", "year"): case.meta.year,
        ("case", "name"): case.meta.name,
    }


def scalar_eligibility(case: Case, ruleset: RuleSet) -> npt.NDArray[np.bool_]:
    """(funds x projects) eligibility by the scalar evaluator, one pair at a time."""
    villages = {v.village_id: v for v in case.villages}
    eligible = np.zeros((len(case.funds), len(case.projects)), dtype=bool)
    fund_rows = [dict(_attributes("fund", f)) for f in case.funds]
    for p, project in enumerate(case.projects):
        base: dict[tuple[str, str], Value] = dict(_attributes("project", project))
        base.update(_attributes("village", villages[project.village_id]))
        base[("case", "year")] = case.meta.year
        base[("case", "name")] = case.meta.name
        for f, fund in enumerate(case.funds):
            if project.category not in fund.categories:
                continue
            row: Row = {**base, **fund_rows[f]}
            eligible[f, p] = all(
                (rule.when is not None and not evaluate_row(rule.when, row))
                or bool(evaluate_row(rule.require, row))
                for rule in ruleset.project_rules
            )
    return eligible


def excluding_check(case: Case, ruleset: RuleSet, fund: int, project: int) -> str | None:
    """The first check (EARMARK or a rule id) that excludes a pair, by the scalar evaluator."""
    if case.projects[project].category not in case.funds[fund].categories:
        return EARMARK
    row = pair_row(case, fund, project)
    for rule in ruleset.project_rules:
        if (rule.when is None or evaluate_row(rule.when, row)) and not evaluate_row(
            rule.require, row
        ):
            return rule.id
    return None


def household_row(case: Case, fund: int, measure: int, household: int) -> Row:
    """Every attribute a rule can read for one (fund, measure, household), as plain values."""
    register = case.households
    assert register is not None
    village = case.villages[int(register.village[household])]
    exit_year = int(register.exit_year[household])
    cause = int(register.cause[household])
    row: dict[tuple[str, str], Value] = {
        **dict(_attributes("fund", case.funds[fund])),
        **dict(_attributes("measure", case.measures[measure])),
        **dict(_attributes("village", village)),
        ("household", "household_id"): str(register.ids[household]),
        ("household", "village_id"): village.village_id,
        ("household", "members"): int(register.members[household]),
        ("household", "poor"): bool(register.poor[household]),
        ("household", "exit_year"): None if exit_year == NO_YEAR else exit_year,
        ("household", "cause"): CAUSES[cause] if cause >= 0 else None,
        ("household", "safe_housing"): bool(register.safe_housing[household]),
        ("household", "safe_water"): bool(register.safe_water[household]),
        ("household", "income"): int(register.income[household]),
        ("household", "labour"): int(register.labour[household]),
        ("case", "year"): case.meta.year,
        ("case", "name"): case.meta.name,
    }
    return row


def household_excluding_check(
    case: Case, ruleset: RuleSet, fund: int, measure: int, household: int
) -> str | None:
    """The first check (EARMARK or a rule id) that keeps a fund from paying a measure for a
    household, by the scalar evaluator; None if it may."""
    if case.measures[measure].category not in case.funds[fund].categories:
        return EARMARK
    row = household_row(case, fund, measure, household)
    for rule in ruleset.household_rules:
        if (rule.when is None or evaluate_row(rule.when, row)) and not evaluate_row(
            rule.require, row
        ):
            return rule.id
    return None
