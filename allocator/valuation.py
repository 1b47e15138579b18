"""Need-coverage value of each project, as declared by the model spec's objective.

value = need weight(category) x priority(category) x exit-year priority
        x performance factor(village score)
        x (household weight x households covered + poor weight x poor households covered)

Households covered are capped at the households the village's need list records
for that category; a project whose category the village did not list is valued
at ``unlisted_need_factor`` (0 by default: it addresses no recorded need).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.rules.household_options import HouseholdOptions, household_options
from allocator.rules.ruleset import RuleSet
from allocator.spec import ModelSpec, Objective


@dataclass(frozen=True)
class ProjectValue:
    value: float
    listed_need: bool
    performance_factor: float
    exit_this_year: bool
    households_counted: int
    poor_households_counted: int


def project_values(case: Case, objective: Objective) -> list[ProjectValue]:
    """Value of funding each project fully, in ``case.projects`` order."""
    need_households = {(n.village_id, n.need): n.households for n in case.needs}
    factor_of = ValueFactor(case, objective)
    values: list[ProjectValue] = []
    timing = case.timing
    for p, project in enumerate(case.projects):
        listed = need_households.get((project.village_id, project.category))
        if listed is None:
            households, poor = project.households, project.poor_households
        else:
            households = min(project.households, listed)
            poor = min(project.poor_households, listed)
        factor = factor_of(project.village_id, project.category, listed is not None)
        base = objective.household_weight * households + objective.poor_household_weight * poor
        values.append(
            ProjectValue(
                value=factor * base * (timing.value_weight[p] if timing is not None else 1.0),
                listed_need=listed is not None,
                performance_factor=factor_of.performance(project.village_id),
                exit_this_year=factor_of.exits(project.village_id),
                households_counted=households,
                poor_households_counted=poor,
            )
        )
    return values


class ValueFactor:
    """Value per weighted household of a (village, category): need weight x priority x
    exit-year priority x performance (x unlisted_need_factor for an unlisted need)."""

    def __init__(self, case: Case, objective: Objective) -> None:
        self.objective = objective
        self.year = case.meta.year
        self._scores = {s.village_id: s.score for s in case.scores}
        self._exit_year = {v.village_id: v.exit_year for v in case.villages}

    def exits(self, village_id: str) -> bool:
        return self._exit_year[village_id] == self.year

    def performance(self, village_id: str) -> float:
        return self.objective.performance.factor(self._scores.get(village_id))

    def __call__(self, village_id: str, category: str, listed: bool) -> float:
        objective = self.objective
        need_factor = 1.0 if listed else objective.unlisted_need_factor
        weight = objective.need_weights.get(category, objective.default_need_weight)
        priority = objective.priority.categories.get(category, 1.0)
        exit_factor = objective.priority.exit_this_year if self.exits(village_id) else 1.0
        return need_factor * weight * priority * exit_factor * self.performance(village_id)


def value_warnings(case: Case, values: list[ProjectValue]) -> list[str]:
    """Silent zeros and caps in the value: what a person should know before trusting a plan."""
    warnings: list[str] = []
    unlisted = [case.projects[p].project_id for p, v in enumerate(values) if not v.listed_need]
    if unlisted and len(unlisted) == len(values):
        warnings.append(
            msg(
                "no project addresses a need listed in needs.csv: every project is "
                "worth 0 and the plan will fund nothing of value (check needs.csv and "
                "the categories)"
            )
        )
    elif unlisted:
        shown = ", ".join(unlisted[:5]) + (
            msg(" and {n_unlisted} more", n_unlisted=len(unlisted) - 5) if len(unlisted) > 5 else ""
        )
        warnings.append(
            msg(
                (
                    "{n_unlisted} of {n_values} projects address no need their village "
                    "listed in needs.csv; their value is scaled by unlisted_need_factor "
                    "({shown})"
                ),
                n_unlisted=len(unlisted),
                n_values=len(values),
                shown=shown,
            )
        )
    capped = [
        case.projects[p].project_id
        for p, v in enumerate(values)
        if v.listed_need
        and (
            v.households_counted < case.projects[p].households
            or v.poor_households_counted < case.projects[p].poor_households
        )
    ]
    if capped:
        shown = ", ".join(capped[:5]) + (
            msg(" and {n_capped} more", n_capped=len(capped) - 5) if len(capped) > 5 else ""
        )
        warnings.append(
            msg(
                (
                    "{n_capped} project(s) list more beneficiaries than their village's "
                    "need records; their value counts only the households in needs.csv "
                    "({shown})"
                ),
                n_capped=len(capped),
                shown=shown,
            )
        )
    return warnings


def village_value_factors(case: Case, objective: Objective) -> list[float]:
    """Each village's performance factor: households are valued like their village's projects."""
    scores = {s.village_id: s.score for s in case.scores}
    return [objective.performance.factor(scores.get(v.village_id)) for v in case.villages]


@dataclass(frozen=True)
class HouseholdValues:
    """Value per household of each class: reached by a measure, and per standard made safe.

    value = weight x exit-year priority (the household exits in the case year)
            x performance factor (of its village)
    """

    reached: npt.NDArray[np.float64]
    standard: npt.NDArray[np.float64]


def household_values(
    case: Case, objective: Objective, options: HouseholdOptions, factors: list[float]
) -> HouseholdValues:
    """Values of each household class (``options.classes`` order)."""
    classes = options.classes
    exits = classes.values["exit_year"] == case.meta.year
    exit_factor = np.where(exits, objective.priority.exit_this_year, 1.0)
    performance = np.asarray(factors, dtype=np.float64)[classes.village]
    scale = exit_factor * performance
    weights = objective.households
    return HouseholdValues(
        reached=weights.reached_weight * scale, standard=weights.standard_weight * scale
    )


def plan_households(case: Case, ruleset: RuleSet, spec: ModelSpec) -> HouseholdOptions | None:
    """The household classes a plan under ``spec`` works with (None without a register).

    Classes never mix villages of different value factors; where the water
    guarantee can be met by the village's own project, exiting households
    without safe water are classed per village.
    """
    register = case.households
    if register is None or not case.measures:
        return None
    guarantees = getattr(spec.policies, "guarantees", None)
    per_village = None
    if guarantees is not None and guarantees.water:
        years = np.asarray(case.meta.years())
        exiting = np.isin(register.exit_year, years)
        per_village = register.poor & exiting & ~register.safe_water
    factors = village_value_factors(case, spec.objective)
    return household_options(case, ruleset, factors, per_village)
