"""``guarantees``: "two no-worries, three guarantees" for households exiting this year.

The seeds' household standard: no worry over food and clothing; assured
compulsory education, basic medical care and safe housing; safe drinking
water is checked with housing in practice. Food, clothing, schooling and
medical care are paid by other programmes; the two a plan can close are safe
housing and safe water.

Spec: ``guarantees: {housing: true, water: true, water_category: drinking_water}``.
A registered poor household exiting this year without safe housing gets a
measure that closes it (``closes: safe_housing`` in measures.csv); one
without safe water gets a measure that closes it, or lives in a village whose
``water_category`` project is funded. Households nothing eligible can close
it for are named, not made infeasible. Inactive without a household register.

Model, per class c of such households (classed per village for water):
``sum_{closing k} y[k] (+ households x sum selected water projects) + slack >= households``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.policies.base import (
    AuditView,
    Conflict,
    ModelBuilder,
    Policy,
    PolicyKey,
    PrecheckView,
    SpecPath,
    StartBuilder,
    by_village,
    ids,
)
from allocator.policies.household_floor import cheapest, class_key
from allocator.rules.household_options import HouseholdOptions
from allocator.schemas import Identifier

KINDS = {"safe_housing": "guarantee_housing", "safe_water": "guarantee_water"}


class GuaranteesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    housing: bool = True
    water: bool = True
    water_category: Identifier = "drinking_water"


def standards(config: GuaranteesConfig) -> list[str]:
    """The standards this configuration guarantees."""
    return [s for s, on in (("safe_housing", config.housing), ("safe_water", config.water)) if on]


def water_projects(case: Case, category: str, village_index: int, library: list[int]) -> list[int]:
    """Fundable projects of the water category in a village."""
    village_id = case.villages[village_index].village_id
    return [
        p
        for p in library
        if case.projects[p].category == category and case.projects[p].village_id == village_id
    ]


def guaranteed(
    config: GuaranteesConfig,
    options: HouseholdOptions,
    library: dict[int, list[int]],
    case: Case,
) -> list[tuple[str, int, list[int], list[int]]]:
    """(standard, class, closing pairs, water projects) for every class a guarantee covers."""
    found = []
    for standard in standards(config):
        for c in range(len(options.classes)):
            if not options.exits(c) or not options.lacks(c, standard):
                continue
            pairs = [k for k in options.pairs_of_class.get(c, []) if options.closes(k, standard)]
            projects: list[int] = []
            if standard == "safe_water":
                v = int(options.classes.village[c])
                projects = water_projects(case, config.water_category, v, library.get(v, []))
            if pairs or projects:
                found.append((standard, c, pairs, projects))
    return found


def _key(options: HouseholdOptions, standard: str, c: int) -> PolicyKey:
    return (KINDS[standard], class_key(options, c)[1])


class Guarantees(Policy[GuaranteesConfig]):
    key: ClassVar[str] = "guarantees"
    annotation: ClassVar[Any] = GuaranteesConfig | None
    description: ClassVar[str] = (
        "two no-worries, three guarantees: exiting registered poor households get safe "
        "housing and safe water; needs households.csv and measures.csv"
    )
    kinds: ClassVar[tuple[str, ...]] = tuple(KINDS.values())

    def categories(self, config: GuaranteesConfig) -> list[tuple[SpecPath, str]]:
        return [(("policies", "guarantees", "water_category"), config.water_category)]

    def selections(self, config: GuaranteesConfig, model: ModelBuilder) -> set[int]:
        options = model.households
        if options is None:
            return set()
        found = guaranteed(config, options, model.by_village, model.case)
        return {p for _, _, _, projects in found for p in projects}

    def define(self, config: GuaranteesConfig, model: ModelBuilder) -> None:
        options = model.households
        if options is None:
            return
        for standard, c, pairs, projects in guaranteed(
            config, options, model.by_village, model.case
        ):
            key = _key(options, standard, c)
            count = float(options.classes.count[c])
            closed = sum(model.given(k) for k in pairs)
            closed += count * sum(model.selected(p) for p in projects)
            model.constrain(key, closed + model.slack(key, count) >= count)

    def check(self, config: GuaranteesConfig, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        options = view.households
        if options is None:
            return []
        library = {v: view.fundable_library(v) for v in range(len(view.case.villages))}
        violations: list[str] = []
        for standard, c, _, projects in guaranteed(config, options, library, view.case):
            if _key(options, standard, c) in waived:
                continue
            if any(view.ledger.project(p) > 0 for p in projects):
                continue
            missed = [
                str(options.register.ids[h])
                for h in options.households_of_class[c]
                if not any(
                    options.measures[m].closes == standard
                    for m in view.grants.measures_of.get(int(h), [])
                )
            ]
            if missed:
                what = msg("safe housing") if standard == "safe_housing" else msg("safe water")
                violations.append(
                    msg(
                        (
                            "{n_missed} exiting registered poor household(s) are left without "
                            "{what}: {value}"
                        ),
                        n_missed=len(missed),
                        what=what,
                        value=ids(missed),
                    )
                )
        return violations

    def describe(
        self, config: GuaranteesConfig, key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        what = msg("safe housing") if key[0] == KINDS["safe_housing"] else msg("safe water")
        return Conflict(
            "policies.guarantees",
            msg(
                (
                    "{amount:,} exiting registered poor household(s) like {key} cannot be "
                    "given {what}"
                ),
                amount=round(amount),
                key=key[1],
                what=what,
            ),
        )

    def instance_name(self, config: GuaranteesConfig, key: PolicyKey) -> str:
        what = msg("safe-housing") if key[0] == KINDS["safe_housing"] else msg("safe-water")
        return msg("the {what} guarantee for exiting households like {key}", what=what, key=key[1])

    def seed_start(self, config: GuaranteesConfig, start: StartBuilder, stage: str) -> None:
        options = start.households
        if stage != "first" or options is None:
            return
        library = by_village(start.case, start.by_density)
        for _, c, pairs, projects in guaranteed(config, options, library, start.case):
            missing = int(options.classes.count[c]) - sum(start.given(k) for k in pairs)
            if missing <= 0 or any(p in start.funded for p in projects):
                continue  # met already (an LP-led start gives the LP's measures first)
            cheapest_project = min(
                projects, key=lambda p: start.case.projects[p].cost, default=None
            )
            if cheapest_project is not None and start.fund(cheapest_project):
                continue
            for k in cheapest(options, pairs):
                if missing <= 0:
                    break
                missing -= start.give(k, missing)

    def shortfalls(self, config: GuaranteesConfig, view: PrecheckView) -> list[str]:
        options = view.households
        if options is None:
            return []
        covered = {(s, c) for s, c, _, _ in guaranteed(config, options, view.library, view.case)}
        notes: list[str] = []
        for standard in standards(config):
            missed: list[str] = []
            for c in range(len(options.classes)):
                if options.exits(c) and options.lacks(c, standard) and (standard, c) not in covered:
                    members = options.households_of_class[c]
                    missed += [str(h) for h in options.register.ids[np.sort(members)]]
            if missed:
                what = msg("safe housing") if standard == "safe_housing" else msg("safe water")
                notes.append(
                    msg(
                        (
                            "{n_missed} exiting registered poor household(s) lack {what} and no "
                            "eligible measure or project can close it: {value}"
                        ),
                        n_missed=len(missed),
                        what=what,
                        value=ids(sorted(missed)),
                    )
                )
        return notes


POLICY = Guarantees()
