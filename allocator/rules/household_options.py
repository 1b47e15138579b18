"""Registered poor households as classes, the measures each class may get, and who may pay.

The model never sees a household: it sees classes of registered poor
households identical in everything the household rules read, in their cost
(members) and in what the policies and values ask (exit year, safe housing
and water, the village's performance factor). Villages alike in what the
rules and values read share classes, so a province's 1.5 million households
form a few thousand classes; where a policy ties a household to its own
village (the water guarantee, met by the village's drinking-water project),
those households are classed per village.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from allocator.io.case import Case
from allocator.io.households import CLASS_BASE, HouseholdClasses, Households, household_classes
from allocator.rules.eligibility import (
    MeasureEligibility,
    evaluate_measure_eligibility,
    household_attributes_read,
)
from allocator.rules.language import attributes_used
from allocator.rules.ruleset import RuleSet
from allocator.schemas import Measure


@dataclass(frozen=True)
class HouseholdOptions:
    """What the model may give registered poor households, class by class."""

    year: int
    register: Households
    measures: tuple[Measure, ...]
    classes: HouseholdClasses
    eligibility: MeasureEligibility
    #: (measure, class) pairs at least one fund may pay, sorted by (class, measure)
    pairs: tuple[tuple[int, int], ...]
    #: yuan per household of each pair: cost_per_household + cost_per_member x members
    unit_cost: tuple[int, ...]
    pairs_of_class: dict[int, list[int]] = field(default_factory=dict)
    #: the plan's last year (a multi-year plan's horizon; else the case year)
    last_year: int = 0

    def exits(self, c: int) -> bool:
        """Whether class c's households plan to exit in a year of the plan (the case year,
        or a year of a multi-year plan's horizon: they get their measure by then)."""
        return (
            self.year <= int(self.classes.values["exit_year"][c]) <= max(self.year, self.last_year)
        )

    def exiting(self, exit_year: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
        """Which of these exit years fall in the plan (see :meth:`exits`)."""
        found: npt.NDArray[np.bool_] = (exit_year >= self.year) & (
            exit_year <= max(self.year, self.last_year)
        )
        return found

    def lacks(self, c: int, standard: str) -> bool:
        """Whether class c's households lack ``safe_housing`` or ``safe_water``."""
        return not bool(self.classes.values[standard][c])

    def closes(self, k: int, standard: str) -> bool:
        """Whether pair k's measure closes ``standard``."""
        return self.measures[self.pairs[k][0]].closes == standard

    def funds_of(self, k: int) -> tuple[int, ...]:
        """Funds that may pay pair k, in fund order."""
        m, c = self.pairs[k]
        return tuple(int(f) for f in np.flatnonzero(self.eligibility.eligible[:, m, c]))

    @cached_property
    def households_of_class(self) -> dict[int, npt.NDArray[np.int64]]:
        """Each class's households (register positions, so in household_id order)."""
        of = self.classes.of_household
        chosen = np.flatnonzero(of >= 0)
        order = chosen[np.argsort(of[chosen], kind="stable")]
        bounds = np.cumsum(self.classes.count)
        return {c: order[(bounds[c - 1] if c else 0) : bounds[c]] for c in range(len(self.classes))}


def village_attributes_read(ruleset: RuleSet) -> list[str]:
    """Village attributes the household-measure rules read, in first-use order."""
    read: dict[str, None] = {}
    for rule in ruleset.household_rules:
        for node in (rule.when, rule.require):
            if node is not None:
                for attr in attributes_used(node):
                    if attr.entity == "village":
                        read.setdefault(attr.name)
    return list(read)


def household_options(
    case: Case,
    ruleset: RuleSet,
    village_value: list[float],
    per_village: npt.NDArray[np.bool_] | None = None,
) -> HouseholdOptions | None:
    """Classes, eligible measures and their costs; None without a register and measures.

    Rules are evaluated once per village-level class (households of one village
    alike in what the rules read); classes that then agree in which fund may
    pay which measure, in cost, exit year, standards and value factor
    (``village_value``) merge across villages. Households where
    ``per_village`` holds stay classed per village.
    """
    register = case.households
    if register is None or not case.measures:
        return None
    fine = household_classes(register, household_attributes_read(ruleset), subset=register.poor)
    fine_eligibility = evaluate_measure_eligibility(case, ruleset, fine)
    classes, first = _merge(fine, fine_eligibility, village_value, register, per_village)
    eligibility = MeasureEligibility(
        ruleset, fine_eligibility.eligible[:, :, first], fine_eligibility.excluded_by[:, :, first]
    )
    payable = eligibility.eligible.any(axis=0)  # measures x classes
    klass, measure = np.nonzero(payable.T)  # row-major: sorted by (class, measure)
    members = classes.values["members"]
    pairs = tuple(zip(measure.tolist(), klass.tolist(), strict=True))
    unit_cost = tuple(
        case.measures[m].cost_per_household + case.measures[m].cost_per_member * int(members[c])
        for m, c in pairs
    )
    pairs_of_class: dict[int, list[int]] = {}
    for k, (_, c) in enumerate(pairs):
        pairs_of_class.setdefault(c, []).append(k)
    return HouseholdOptions(
        year=case.meta.year,
        register=register,
        measures=case.measures,
        classes=classes,
        eligibility=eligibility,
        pairs=pairs,
        unit_cost=unit_cost,
        pairs_of_class=pairs_of_class,
        last_year=case.meta.years()[-1],
    )


def _merge(
    fine: HouseholdClasses,
    eligibility: MeasureEligibility,
    village_value: list[float],
    register: Households,
    per_village: npt.NDArray[np.bool_] | None,
) -> tuple[HouseholdClasses, npt.NDArray[np.int64]]:
    """Merge village-level classes alike in everything the model reads; (classes, the first
    village-level class of each)."""
    count = len(fine)
    if count == 0:
        return fine, np.zeros(0, dtype=np.int64)
    pattern = np.packbits(eligibility.eligible.reshape(-1, count), axis=0).T.astype(np.int64)
    value_codes = {v: i for i, v in enumerate(sorted(set(village_value)))}
    value_of_village = np.array([value_codes[v] for v in village_value], dtype=np.int64)
    village = fine.village.astype(np.int64)
    own_village = np.full(count, -1, dtype=np.int64)
    if per_village is not None:
        representative = np.full(count, -1, dtype=np.int64)
        chosen = np.flatnonzero(fine.of_household >= 0)
        representative[fine.of_household[chosen]] = chosen
        keyed = per_village[representative]
        own_village = np.where(keyed, village, -1)
    base = [fine.values[a].astype(np.int64) for a in CLASS_BASE]
    key = np.column_stack([*base, value_of_village[village], own_village, pattern])
    _, first, inverse, _ = np.unique(
        key, axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    # Keep classes in the order of their first village-level class (village order).
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    coarse_of_fine = rank[inverse.reshape(-1)]
    first = first[order].astype(np.int64)
    of_household = np.where(fine.of_household >= 0, coarse_of_fine[fine.of_household], -1)
    merged = HouseholdClasses(
        attributes=fine.attributes,
        village=fine.village[first],
        values={a: v[first] for a, v in fine.values.items()},
        count=np.bincount(coarse_of_fine, weights=fine.count, minlength=len(first)).astype(
            np.int64
        ),
        of_household=of_household.astype(np.int64),
    )
    return merged, first


def _attribute(village: object, name: str) -> object:
    fields = type(village).model_fields  # type: ignore[attr-defined]
    return getattr(village, name) if name in fields else village.extra[name]  # type: ignore[attr-defined]
