"""``household_floor``: every registered poor household exiting this year gets a measure.

Spec: ``household_floor: true``. A household counts where at least one
measure is eligible for it (some fund may pay some measure for it under the
rules); households no measure can reach are named, not made infeasible.
The seeds: "every poor household planned to exit this year must benefit from
at least one measure".

Model, per class c of exiting households with an eligible measure:
``r[c] + slack >= households in c``. Inactive without a household register.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import yuan
from allocator.policies.base import (
    AuditView,
    Conflict,
    ModelBuilder,
    Policy,
    PolicyKey,
    PrecheckView,
    StartBuilder,
    ids,
)
from allocator.rules.household_options import HouseholdOptions

KIND = "household_floor"


def floor_classes(options: HouseholdOptions) -> list[int]:
    """Classes of exiting households that some measure can reach."""
    return [c for c in sorted(options.pairs_of_class) if options.exits(c)]


def class_key(options: HouseholdOptions, c: int) -> PolicyKey:
    """The instance of class c: named after its first household."""
    first = int(options.households_of_class[c][0])
    return (KIND, str(options.register.ids[first]))


def cheapest(options: HouseholdOptions, pairs: list[int]) -> list[int]:
    """Pairs from cheapest to dearest per household (then pair order)."""
    return sorted(pairs, key=lambda k: (options.unit_cost[k], k))


def unreachable(options: HouseholdOptions) -> list[str]:
    """Exiting registered poor households no measure is eligible for."""
    register = options.register
    exiting = register.poor & options.exiting(register.exit_year)
    reachable = np.zeros(len(register), dtype=bool)
    for c in options.pairs_of_class:
        reachable[options.households_of_class[c]] = True
    return [str(h) for h in register.ids[exiting & ~reachable]]


class HouseholdFloor(Policy[bool]):
    key: ClassVar[str] = KIND
    annotation: ClassVar[Any] = bool
    default: ClassVar[Any] = False
    description: ClassVar[str] = (
        "every registered poor household exiting this year gets at least one measure "
        "(where one is eligible); needs households.csv and measures.csv"
    )
    kinds: ClassVar[tuple[str, ...]] = (KIND,)

    def define(self, config: bool, model: ModelBuilder) -> None:
        options = model.households
        if options is None:
            return
        for c in floor_classes(options):
            key = class_key(options, c)
            count = float(options.classes.count[c])
            model.constrain(key, model.reached(c) + model.slack(key, count) >= count)

    def precheck(self, config: bool, view: PrecheckView) -> list[Conflict]:
        options = view.households
        if options is None:
            return []
        needed = 0
        funds: set[int] = set()
        for c in floor_classes(options):
            pairs = options.pairs_of_class[c]
            needed += int(options.classes.count[c]) * options.unit_cost[cheapest(options, pairs)[0]]
            for k in pairs:
                funds.update(options.funds_of(k))
        held = sum(view.case.funds[f].budget for f in funds)
        if needed <= held:
            return []
        classes = floor_classes(options)
        households = sum(int(options.classes.count[c]) for c in classes)
        named = sorted(
            str(options.register.ids[h]) for c in classes for h in options.households_of_class[c]
        )
        return [
            Conflict(
                f"policies.{KIND}",
                msg(
                    (
                        "{households:,} exiting registered poor households ({value}) need at "
                        "least {value2} for one measure each (the cheapest eligible), but the "
                        "funds that may pay their measures hold {value3}"
                    ),
                    households=households,
                    value=ids(named),
                    value2=yuan(needed),
                    value3=yuan(held),
                ),
            )
        ]

    def check(self, config: bool, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        options = view.households
        if options is None:
            return []
        violations: list[str] = []
        for c in floor_classes(options):
            if class_key(options, c) in waived:
                continue
            missed = [
                str(options.register.ids[h])
                for h in options.households_of_class[c]
                if not view.grants.reached(int(h))
            ]
            if missed:
                violations.append(
                    msg(
                        (
                            "{n_missed} exiting registered poor household(s) get no measure "
                            "although one is eligible: {value}"
                        ),
                        n_missed=len(missed),
                        value=ids(missed),
                    )
                )
        return violations

    def describe(
        self, config: bool, key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        return Conflict(
            f"policies.{KIND}",
            msg(
                ("{amount:,} exiting registered poor household(s) like {key} cannot get a measure"),
                amount=round(amount),
                key=key[1],
            ),
        )

    def instance_name(self, config: bool, key: PolicyKey) -> str:
        return msg("the measure floor for exiting households like {key}", key=key[1])

    def seed_start(self, config: bool, start: StartBuilder, stage: str) -> None:
        # Before the bulk, as every floor: afterwards the money is gone.
        options = start.households
        if stage != "first" or options is None:
            return
        for c in floor_classes(options):
            missing = int(options.classes.count[c]) - sum(
                start.given(k) for k in options.pairs_of_class[c]
            )
            for k in cheapest(options, options.pairs_of_class[c]):
                if missing <= 0:
                    break
                missing -= start.give(k, missing)

    def shortfalls(self, config: bool, view: PrecheckView) -> list[str]:
        options = view.households
        if options is None:
            return []
        missed = unreachable(options)
        if not missed:
            return []
        return [
            msg(
                (
                    "{n_missed} exiting registered poor household(s) have no eligible "
                    "measure, so the measure floor cannot reach them: {value}"
                ),
                n_missed=len(missed),
                value=ids(missed),
            )
        ]


POLICY = HouseholdFloor()
