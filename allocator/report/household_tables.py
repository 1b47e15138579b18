"""Household output tables: every measure row, every registered poor household and why.

``household_measures.csv``: household_id, village_id, measure_id, fund_id,
amount (one row per household, measure and fund). ``households.csv``: every
registered poor household, the measures and money it got, or why none:

* ``no_eligible_measure``: no fund may pay any measure for it (earmarks, rules);
* ``quota``: every measure eligible for it is given to as many households as
  its quota allows;
* ``money``: the funds that may pay its measures were spent on what was worth
  more per yuan (or are exhausted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from allocator.i18n import msg
from allocator.plan import Plan

Row = list[str | int]  # as in tables.py, which imports this module


@dataclass(frozen=True)
class HouseholdOutcome:
    reason: str  # reached | no_eligible_measure | quota | money
    detail: str


def household_measure_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    """household_measures.csv."""
    case, options = plan.case, plan.households
    header = ["household_id", "village_id", "measure_id", "fund_id", "amount"]
    if options is None:
        return header, []
    register = options.register
    rows: list[Row] = [
        [
            str(register.ids[g.household]),
            case.villages[int(register.village[g.household])].village_id,
            case.measures[g.measure].measure_id,
            case.funds[g.fund].fund_id,
            g.amount,
        ]
        for g in plan.grants
    ]
    if case.meta.horizon is not None:
        # A multi-year plan gives household measures in its first year, from that money.
        return [*header, "year"], [[*row, case.meta.year] for row in rows]
    return header, rows


def household_outcome(plan: Plan, household: int) -> HouseholdOutcome:
    """Why a registered poor household got what it got."""
    options = plan.households
    assert options is not None
    ledger = plan.grant_ledger
    measures = ledger.measures_of.get(household, [])
    if measures:
        names = ", ".join(options.measures[m].measure_id for m in measures)
        return HouseholdOutcome("reached", f"gets {names}")
    c = int(options.classes.of_household[household])
    pairs = options.pairs_of_class.get(c, []) if c >= 0 else []
    if not pairs:
        return HouseholdOutcome(
            "no_eligible_measure",
            "no fund may pay any measure for this household (earmarks and rules)",
        )
    eligible = sorted({options.pairs[k][0] for k in pairs})
    full = [
        m
        for m in eligible
        if options.measures[m].quota is not None
        and ledger.households_of.get(m, 0) >= (options.measures[m].quota or 0)
    ]
    if len(full) == len(eligible):
        names = ", ".join(options.measures[m].measure_id for m in full)
        return HouseholdOutcome(
            "quota", msg("every eligible measure is at its quota ({names})", names=names)
        )
    cheapest = min(pairs, key=lambda k: (options.unit_cost[k], k))
    funds = options.funds_of(cheapest)
    left = sum(plan.case.funds[f].budget - plan.fund_spent(f) for f in funds)
    measure_id = options.measures[options.pairs[cheapest][0]].measure_id
    return HouseholdOutcome(
        "money",
        msg(
            (
                "its cheapest eligible measure ({measure_id}, {unit_cost:,} yuan) "
                "competes for funds spent on what is worth more per yuan ({left:,} "
                "yuan left in them)"
            ),
            measure_id=measure_id,
            unit_cost=options.unit_cost[cheapest],
            left=left,
        ),
    )


def household_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    """households.csv: every registered poor household, what it got, or why nothing."""
    case, options = plan.case, plan.households
    header = [
        "household_id",
        "village_id",
        "members",
        "exit_year",
        "measures",
        "amount",
        "reason",
        "detail",
    ]
    if options is None:
        return header, []
    register = options.register
    ledger = plan.grant_ledger
    rows: list[Row] = []
    unreached: dict[int, HouseholdOutcome] = {}  # an unreached household's reason is its class's
    for h in np.flatnonzero(register.poor).tolist():
        if ledger.reached(h):
            outcome = household_outcome(plan, h)
        else:
            c = int(options.classes.of_household[h])
            if c not in unreached:
                unreached[c] = household_outcome(plan, h)
            outcome = unreached[c]
        measures = ledger.measures_of.get(h, [])
        rows.append(
            [
                str(register.ids[h]),
                case.villages[int(register.village[h])].village_id,
                int(register.members[h]),
                int(register.exit_year[h]),
                ";".join(case.measures[m].measure_id for m in measures),
                sum(ledger.by_grant[(h, m)] for m in measures),
                outcome.reason,
                outcome.detail,
            ]
        )
    return header, rows


def household_summary(plan: Plan) -> dict[str, Any] | None:
    """Figures for summary.json and the terminal (None without a register)."""
    options = plan.households
    if options is None:
        return None
    register = options.register
    ledger = plan.grant_ledger
    poor = register.poor
    exiting = poor & options.exiting(register.exit_year)
    reached = np.zeros(len(register), dtype=bool)
    reached[list(ledger.measures_of)] = True
    eligible = np.zeros(len(register), dtype=bool)
    for c in options.pairs_of_class:
        eligible[options.households_of_class[c]] = True
    made_safe: set[tuple[int, str]] = set()
    for h, m in ledger.by_grant:
        standard = options.measures[m].closes
        if standard is not None and not getattr(register, standard)[h]:
            made_safe.add((h, standard))
    closed = {s: sum(1 for _, x in made_safe if x == s) for s in ("safe_housing", "safe_water")}
    return {
        "registered_poor": int(poor.sum()),
        "registered_poor_reached": int((reached & poor).sum()),
        "exiting": int(exiting.sum()),
        "exiting_eligible": int((exiting & eligible).sum()),
        "exiting_reached": int((exiting & reached).sum()),
        "measures_given": len(ledger.by_grant),
        "measure_rows": len(plan.grants),
        "to_households": sum(ledger.by_fund.values()),
        "housing_made_safe": closed["safe_housing"],
        "water_made_safe": closed["safe_water"],
    }
