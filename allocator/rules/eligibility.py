"""Evaluating a rule set over every (fund, project) pair of a case.

The outcome records, for each pair, whether it is eligible, and if not which
check excluded it first (the earmark, then rules in order); for eligible pairs
the rules that governed (admitted) them can be listed. This is the basis of
every "why" in the reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from allocator.case import Case
from allocator.rules.language import Type
from allocator.rules.ruleset import EARMARK, RuleSet, rule_schema
from allocator.rules.vector import Column, Env, evaluate

ELIGIBLE = -1
BY_EARMARK = 0


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
        return EARMARK if code == BY_EARMARK else self.ruleset.rules[code - 1].id

    def admitting_rules(self, fund: int, project: int) -> list[str]:
        """For an eligible pair: the earmark and every rule that governed it."""
        if not self.eligible[fund, project]:
            return []
        ids = [EARMARK]
        for rule, mask in zip(self.ruleset.rules, self.applies, strict=True):
            if np.broadcast_to(mask, self.eligible.shape)[fund, project]:
                ids.append(rule.id)
        return ids

    def eligible_funds(self, project: int) -> list[int]:
        return [int(f) for f in np.flatnonzero(self.eligible[:, project])]


def build_env(case: Case) -> Env:
    """Attribute arrays: funds (F, 1), projects and their villages (1, P), case scalars."""
    schema = rule_schema(case.meta)
    env: Env = {}
    village_of = case.village_index()
    villages = [case.villages[village_of[p.village_id]] for p in case.projects]

    def column(entity: str, name: str, rows: list[object], shape: tuple[int, int]) -> Column:
        attr = schema[entity][name]
        raw = [
            getattr(r, name) if name in type(r).model_fields else r.extra[name]  # type: ignore[attr-defined]
            for r in rows
        ]
        dtype = {
            Type.INT: np.int64,
            Type.FLOAT: np.float64,
            Type.BOOL: np.bool_,
            Type.STR: np.str_,
        }[attr.type]
        if attr.optional:
            present = np.array([v is not None for v in raw], dtype=bool).reshape(shape)
            filled = [0 if v is None else v for v in raw]
            return Column(np.array(filled, dtype=dtype).reshape(shape), present)
        return Column(np.array(raw, dtype=dtype).reshape(shape))

    funds: list[object] = list(case.funds)
    for name in schema["fund"]:
        env[("fund", name)] = column("fund", name, funds, (len(funds), 1))
    projects: list[object] = list(case.projects)
    for name in schema["project"]:
        env[("project", name)] = column("project", name, projects, (1, len(projects)))
    village_rows: list[object] = list(villages)
    for name in schema["village"]:
        env[("village", name)] = column("village", name, village_rows, (1, len(village_rows)))
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
    for k, rule in enumerate(ruleset.rules, start=1):
        when = (
            np.asarray(evaluate(rule.when, env), dtype=bool)
            if rule.when is not None
            else np.ones((1, 1), dtype=bool)
        )
        require = np.asarray(evaluate(rule.require, env), dtype=bool)
        applies.append(when)
        fails = np.broadcast_to(when & ~require, shape)
        np.copyto(excluded_by, np.int16(k), where=fails & (excluded_by == ELIGIBLE))
    return Eligibility(
        ruleset=ruleset,
        eligible=excluded_by == ELIGIBLE,
        excluded_by=excluded_by,
        applies=tuple(applies),
    )
