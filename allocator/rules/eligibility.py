"""Evaluating a rule set over every (fund, project) pair of a case.

The outcome records, for each pair, whether it is eligible, and if not which
check excluded it first (the earmark, then rules in order); for eligible pairs
the rules that governed (admitted) them can be listed. This is the basis of
every "why" in the reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from allocator.io.case import Case
from allocator.io.households import CAUSES, NO_YEAR, HouseholdClasses
from allocator.rules.language import AttrType, Type, attributes_used
from allocator.rules.ruleset import EARMARK, RuleSet, rule_schema
from allocator.rules.vector import Column, Env, evaluate

ELIGIBLE = -1
BY_EARMARK = 0
#: excluded because the fund's money is not there in the year the part is paid in
BY_MONEY_YEAR = -2
#: the id of that check in explanations (multi-year plans)
MONEY_YEAR = "MONEY-YEAR"


@dataclass(frozen=True)
class Eligibility:
    """Which fund may pay for which project, and why (shape: funds x projects)."""

    ruleset: RuleSet
    eligible: npt.NDArray[np.bool_]
    #: -1 eligible, 0 excluded by the earmark, k > 0 excluded by rule k - 1
    excluded_by: npt.NDArray[np.int16]
    #: per rule, where its ``when`` held (broadcastable to funds x projects)
    applies: tuple[npt.NDArray[np.bool_], ...]

    def excluding_rule(self, fund: int, project: int) -> str | None:
        """Id of the first check that excluded the pair (``EARMARK`` or a rule id)."""
        code = int(self.excluded_by[fund, project])
        if code == ELIGIBLE:
            return None
        if code == BY_MONEY_YEAR:
            return MONEY_YEAR
        return EARMARK if code == BY_EARMARK else self.ruleset.project_rules[code - 1].id

    def admitting_rules(self, fund: int, project: int) -> list[str]:
        """For an eligible pair: the earmark and every rule that governed it."""
        if not self.eligible[fund, project]:
            return []
        ids = [EARMARK]
        for rule, mask in zip(self.ruleset.project_rules, self.applies, strict=True):
            if np.broadcast_to(mask, self.eligible.shape)[fund, project]:
                ids.append(rule.id)
        return ids

    def eligible_funds(self, project: int) -> list[int]:
        """Funds that may pay for the project, in fund order."""
        return self._funds_of_project[project]

    @cached_property
    def _funds_of_project(self) -> list[list[int]]:
        # Row-major over (project, fund): each project's funds come out in fund order.
        projects, funds = np.nonzero(self.eligible.T)
        result: list[list[int]] = [[] for _ in range(self.eligible.shape[1])]
        for p, f in zip(projects.tolist(), funds.tolist(), strict=True):
            result[p].append(f)
        return result


_DTYPES = {Type.INT: np.int64, Type.FLOAT: np.float64, Type.BOOL: np.bool_, Type.STR: np.str_}


def _columns(rows: Sequence[Any], attrs: dict[str, AttrType]) -> dict[str, Column]:
    """1-D arrays of each attribute over ``rows`` (declared extra columns included)."""
    columns: dict[str, Column] = {}
    fields = type(rows[0]).model_fields if rows else {}
    for name, attr in attrs.items():
        raw = [getattr(r, name) for r in rows] if name in fields else [r.extra[name] for r in rows]
        if attr.optional:
            present = np.array([v is not None for v in raw], dtype=bool)
            filled = [0 if v is None else v for v in raw]
            columns[name] = Column(np.array(filled, dtype=_DTYPES[attr.type]), present)
        else:
            columns[name] = Column(np.array(raw, dtype=_DTYPES[attr.type]))
    return columns


def _shaped(
    column: Column, shape: tuple[int, ...], index: npt.NDArray[np.int64] | None = None
) -> Column:
    values = column.values if index is None else column.values[index]
    present = column.present
    if present is not None and index is not None:
        present = present[index]
    return Column(values.reshape(shape), None if present is None else present.reshape(shape))


def build_env(case: Case) -> Env:
    """Attribute arrays: funds (F, 1), projects and their villages (1, P), case scalars.

    Village attributes are read once per village and spread to projects by index.
    """
    schema = rule_schema(case.meta)
    env: Env = {}
    funds, projects = len(case.funds), len(case.projects)
    for name, column in _columns(case.funds, schema["fund"]).items():
        env[("fund", name)] = _shaped(column, (funds, 1))
    for name, column in _columns(case.projects, schema["project"]).items():
        env[("project", name)] = _shaped(column, (1, projects))
    village_of = case.village_index()
    index = np.array([village_of[p.village_id] for p in case.projects], dtype=np.int64)
    for name, column in _columns(case.villages, schema["village"]).items():
        env[("village", name)] = _shaped(column, (1, projects), index)
    env[("case", "year")] = Column(np.asarray(case.meta.year, dtype=np.int64))
    env[("case", "name")] = Column(np.asarray(case.meta.name, dtype=np.str_))
    return env


def earmark_matrix(case: Case) -> npt.NDArray[np.bool_]:
    """(F, P): does the fund's earmark list the project's category."""
    categories = sorted(
        {p.category for p in case.projects} | {c for f in case.funds for c in f.categories}
    )
    code = {c: i for i, c in enumerate(categories)}
    fund_cats = np.zeros((len(case.funds), len(categories)), dtype=bool)
    for i, fund in enumerate(case.funds):
        fund_cats[i, [code[c] for c in fund.categories]] = True
    project_codes = np.array([code[p.category] for p in case.projects], dtype=np.int64)
    result: npt.NDArray[np.bool_] = fund_cats[:, project_codes]
    return result


def evaluate_eligibility(case: Case, ruleset: RuleSet) -> Eligibility:
    """Evaluate the earmark and every rule over all (fund, project) pairs."""
    shape = (len(case.funds), len(case.projects))
    env = build_env(case)
    earmark = earmark_matrix(case)
    excluded_by = np.where(earmark, ELIGIBLE, BY_EARMARK).astype(np.int16)
    applies: list[npt.NDArray[np.bool_]] = []
    for k, rule in enumerate(ruleset.project_rules, start=1):
        when = (
            np.asarray(evaluate(rule.when, env), dtype=bool)
            if rule.when is not None
            else np.ones((1, 1), dtype=bool)
        )
        require = np.asarray(evaluate(rule.require, env), dtype=bool)
        applies.append(when)
        fails = np.broadcast_to(when & ~require, shape)
        np.copyto(excluded_by, np.int16(k), where=fails & (excluded_by == ELIGIBLE))
    if case.timing is not None:
        outside = ~case.timing.window()
        np.copyto(excluded_by, np.int16(BY_MONEY_YEAR), where=outside & (excluded_by == ELIGIBLE))
    return Eligibility(
        ruleset=ruleset,
        eligible=excluded_by == ELIGIBLE,
        excluded_by=excluded_by,
        applies=tuple(applies),
    )


@dataclass(frozen=True)
class MeasureEligibility:
    """Which fund may pay which household measure for which household class.

    Shape: funds x measures x classes. A triple is eligible when the fund's
    earmark lists the measure's category and every rule that governs household
    measures (``RuleSet.household_rules``) holds where its ``when`` holds.
    """

    ruleset: RuleSet
    eligible: npt.NDArray[np.bool_]
    #: -1 eligible, 0 excluded by the earmark, k > 0 by household rule k - 1
    excluded_by: npt.NDArray[np.int16]

    def excluding_rule(self, fund: int, measure: int, klass: int) -> str | None:
        code = int(self.excluded_by[fund, measure, klass])
        if code == ELIGIBLE:
            return None
        if code == BY_MONEY_YEAR:
            return MONEY_YEAR
        return EARMARK if code == BY_EARMARK else self.ruleset.household_rules[code - 1].id


def household_attributes_read(ruleset: RuleSet) -> list[str]:
    """Household attributes the rules governing household measures read, in first-use order."""
    read: dict[str, None] = {}
    for rule in ruleset.household_rules:
        for node in (rule.when, rule.require):
            if node is None:
                continue
            for attr in attributes_used(node):
                if attr.entity == "household":
                    read.setdefault(attr.name)
    return list(read)


def _household_env(case: Case, classes: HouseholdClasses) -> Env:
    """Attribute arrays: funds (F, 1, 1), measures (1, M, 1), classes and villages (1, 1, K)."""
    schema = rule_schema(case.meta)
    funds, measures, count = len(case.funds), len(case.measures), len(classes)
    env: Env = {}
    for name, column in _columns(case.funds, schema["fund"]).items():
        env[("fund", name)] = _shaped(column, (funds, 1, 1))
    for name, column in _columns(case.measures, schema["measure"]).items():
        env[("measure", name)] = _shaped(column, (1, measures, 1))
    index = classes.village.astype(np.int64)
    for name, column in _columns(case.villages, schema["village"]).items():
        env[("village", name)] = _shaped(column, (1, 1, count), index)
    village_ids = np.array([v.village_id for v in case.villages], dtype=np.str_)
    env[("household", "village_id")] = Column(village_ids[index].reshape(1, 1, count))
    for name, values in classes.values.items():
        if name == "exit_year":
            column = Column(values.astype(np.int64), values != NO_YEAR)
        elif name == "cause":
            names = np.array([*CAUSES, ""], dtype=np.str_)
            column = Column(names[values.astype(np.int64)], values >= 0)
        else:
            column = Column(values)
        env[("household", name)] = _shaped(column, (1, 1, count))
    env[("case", "year")] = Column(np.asarray(case.meta.year, dtype=np.int64))
    env[("case", "name")] = Column(np.asarray(case.meta.name, dtype=np.str_))
    return env


def evaluate_measure_eligibility(
    case: Case, ruleset: RuleSet, classes: HouseholdClasses
) -> MeasureEligibility:
    """Evaluate the earmark and every household-measure rule over all triples."""
    shape = (len(case.funds), len(case.measures), len(classes))
    env = _household_env(case, classes)
    earmark = np.array(
        [[m.category in f.categories for m in case.measures] for f in case.funds], dtype=bool
    ).reshape(len(case.funds), len(case.measures), 1)
    excluded_by = np.where(np.broadcast_to(earmark, shape), ELIGIBLE, BY_EARMARK).astype(np.int16)
    for k, rule in enumerate(ruleset.household_rules, start=1):
        when = (
            np.asarray(evaluate(rule.when, env), dtype=bool)
            if rule.when is not None
            else np.ones((1, 1, 1), dtype=bool)
        )
        require = np.asarray(evaluate(rule.require, env), dtype=bool)
        fails = np.broadcast_to(when & ~require, shape)
        np.copyto(excluded_by, np.int16(k), where=fails & (excluded_by == ELIGIBLE))
    if case.timing is not None:
        # Household measures are given in the plan's first year, from that year's money.
        later = np.asarray(case.timing.money_year) != case.timing.years[0]
        np.copyto(
            excluded_by,
            np.int16(BY_MONEY_YEAR),
            where=later[:, None, None] & (excluded_by == ELIGIBLE),
        )
    return MeasureEligibility(ruleset, excluded_by == ELIGIBLE, excluded_by)
