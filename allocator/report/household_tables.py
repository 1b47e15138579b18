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
import numpy.typing as npt

from allocator.i18n import msg
from allocator.plan import Plan

Row = list[str | int]  # as in tables.py, which imports this module


@dataclass(frozen=True)
class HouseholdOutcome:
    reason: str  # reached | no_eligible_measure | quota | money
    detail: str


def household_measure_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    """household_measures.csv (built column by column: a province has 400,000 rows)."""
    case, options = plan.case, plan.households
    header = ["household_id", "village_id", "measure_id", "fund_id", "amount"]
    if options is None:
        return header, []
    if case.meta.horizon is not None:
        # A multi-year plan gives household measures in its first year, from that money.
        header = [*header, "year"]
    register, grants = options.register, plan.grants
    # household, measure, fund of each grant: one pass over the rows, then array lookups
    keys = np.array([(g.household, g.measure, g.fund) for g in grants], dtype=np.int64)
    keys = keys.reshape(len(grants), 3)
    household = keys[:, 0]
    columns: list[list[Any]] = [
        register.ids[household].tolist(),
        _labels([v.village_id for v in case.villages], register.village[household]),
        _labels([m.measure_id for m in case.measures], keys[:, 1]),
        _labels([f.fund_id for f in case.funds], keys[:, 2]),
        [g.amount for g in grants],
    ]
    if case.meta.horizon is not None:
        columns.append([case.meta.year] * len(grants))
    return header, [list(row) for row in zip(*columns, strict=True)]


def _labels(names: list[str], index: npt.NDArray[np.integer[Any]]) -> list[str]:
    """``names[i]`` for each i of ``index``."""
    labels: list[str] = np.array(names, dtype=object)[index].tolist()
    return labels


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
    register, ledger = options.register, plan.grant_ledger
    poor = np.flatnonzero(register.poor)
    measure_ids = [m.measure_id for m in case.measures]
    unreached: dict[int, HouseholdOutcome] = {}  # an unreached household's reason is its class's
    rows: list[Row] = []
    for h, household_id, village_id, members, exit_year in zip(
        poor.tolist(),
        register.ids[poor].tolist(),
        _labels([v.village_id for v in case.villages], register.village[poor]),
        register.members[poor].tolist(),
        register.exit_year[poor].tolist(),
        strict=True,
    ):
        measures = ledger.measures_of.get(h)
        if measures:  # household_outcome's "reached", without looking it up again
            names = [measure_ids[m] for m in measures]
            listed = ";".join(names)
            amount = sum(ledger.by_grant[(h, m)] for m in measures)
            reason, detail = "reached", f"gets {', '.join(names)}"
        else:
            c = int(options.classes.of_household[h])
            if c not in unreached:
                unreached[c] = household_outcome(plan, h)
            listed, amount = "", 0
            reason, detail = unreached[c].reason, unreached[c].detail
        rows.append([household_id, village_id, members, exit_year, listed, amount, reason, detail])
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
