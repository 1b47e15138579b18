"""Household measures in the MIP: whole measures for classes of households, with integer counts.

* ``y[k]`` (integer, 0..households of the class, and within the measure's
  quota): how many households of class c get measure m, for each pair
  k = (m, c) some fund may pay.
* ``r[c]`` households of class c reached by at least one measure:
  r[c] <= sum_k y[k] and r[c] <= count; ``q[c, standard]`` households whose
  unsafe housing (water) a measure makes safe, likewise. Both are continuous:
  at an optimum they equal min(count, measures given), a whole number.
* Pairs with identical eligible-fund sets and the same measure category form
  a money group h, paid by flows ``xh[f, h]`` (exact, as for projects); these
  flows share each fund's budget row with the project flows.

Households of a class are interchangeable: which of them gets what is decided
after solving (``rounding.assign_households``), deterministically.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyomo.core as pyo  # components only; pyomo.environ also loads every plugin

from allocator.rules.household_options import HouseholdOptions
from allocator.valuation import HouseholdValues

STANDARDS = ("safe_housing", "safe_water")


@dataclass(frozen=True)
class MeasureGroup:
    """Measure pairs sharing one eligible-fund set and category: one money flow per fund."""

    funds: tuple[int, ...]
    category: str
    pairs: tuple[int, ...]


def group_pairs(options: HouseholdOptions) -> list[MeasureGroup]:
    """Group the (measure, class) pairs by (eligible funds, category), in pair order."""
    buckets: dict[tuple[tuple[int, ...], str], list[int]] = defaultdict(list)
    for k, (m, _) in enumerate(options.pairs):
        buckets[(options.funds_of(k), options.measures[m].category)].append(k)
    groups = [MeasureGroup(funds, category, tuple(ks)) for (funds, category), ks in buckets.items()]
    groups.sort(key=lambda g: g.pairs[0])
    return groups


def closing_pairs(options: HouseholdOptions, c: int, standard: str) -> list[int]:
    """Pairs of class c whose measure closes ``standard``."""
    return [k for k in options.pairs_of_class.get(c, []) if options.closes(k, standard)]


def define_household_variables(am: Any, options: HouseholdOptions, budget: list[float]) -> None:
    """y, r, q and the measure flows xh, with their balance and quota rows."""
    m, unit = am.model, am.unit
    count = options.classes.count
    quota_of = [measure.quota for measure in options.measures]
    m.Y = pyo.Set(initialize=range(len(options.pairs)), ordered=True)

    def y_bounds(_: Any, k: int) -> tuple[int, int]:
        measure, c = options.pairs[k]
        quota = quota_of[measure]
        return (0, int(count[c]) if quota is None else min(int(count[c]), quota))

    m.y = pyo.Var(m.Y, domain=pyo.NonNegativeIntegers, bounds=y_bounds)
    classes = sorted(options.pairs_of_class)
    m.C = pyo.Set(initialize=classes, ordered=True)
    m.r = pyo.Var(m.C, bounds=lambda _, c: (0, int(count[c])))
    closable = [
        (c, standard)
        for c in classes
        for standard in STANDARDS
        if options.lacks(c, standard) and closing_pairs(options, c, standard)
    ]
    m.Q = pyo.Set(initialize=closable, dimen=2, ordered=True)
    m.q = pyo.Var(m.Q, bounds=lambda _, c, s: (0, int(count[c])))
    groups = am.measure_groups
    arcs = [(f, h) for h, group in enumerate(groups) for f in group.funds]
    am.measure_arcs = arcs
    group_cost = [
        sum(options.unit_cost[k] * y_bounds(None, k)[1] for k in group.pairs) / unit
        for group in groups
    ]
    m.HA = pyo.Set(initialize=arcs, dimen=2, ordered=True)
    m.xh = pyo.Var(m.HA, bounds=lambda _, f, h: (0, min(budget[f] / unit, group_cost[h])))
    m.reach = pyo.Constraint(
        m.C, rule=lambda m, c: m.r[c] <= sum(m.y[k] for k in options.pairs_of_class[c])
    )
    m.close = pyo.Constraint(
        m.Q, rule=lambda m, c, s: m.q[c, s] <= sum(m.y[k] for k in closing_pairs(options, c, s))
    )
    funds_into: dict[int, list[int]] = defaultdict(list)
    for f, h in arcs:
        funds_into[h].append(f)
    m.measure_balance = pyo.Constraint(
        range(len(groups)),
        rule=lambda m, h: (
            sum(m.xh[f, h] for f in funds_into[h])
            == sum(options.unit_cost[k] / unit * m.y[k] for k in groups[h].pairs)
        ),
    )
    pairs_of_measure: dict[int, list[int]] = defaultdict(list)
    for k, (measure, _) in enumerate(options.pairs):
        pairs_of_measure[measure].append(k)
    limited = [
        measure
        for measure, ks in sorted(pairs_of_measure.items())
        if quota_of[measure] is not None
        and sum(int(count[options.pairs[k][1]]) for k in ks) > (quota_of[measure] or 0)
    ]
    m.quota = pyo.Constraint(
        limited,
        rule=lambda m, measure: sum(m.y[k] for k in pairs_of_measure[measure]) <= quota_of[measure],
    )
    am.column_order += [m.y[k] for k in m.Y] + [m.r[c] for c in m.C]
    am.column_order += [m.q[key] for key in m.Q] + [m.xh[a] for a in arcs]


def household_objective(
    am: Any, options: HouseholdOptions, values: HouseholdValues, tie_break: float, penalty: float
) -> Any:
    """Value of households reached and standards made safe, less a whisker per yuan spent.

    The whisker makes a household's first measure its cheapest sufficient one
    and keeps measures nobody values from being given; equal values are
    broken by class order, so optima are the same every time.
    """
    m, unit = am.model, am.unit
    count = max(len(options.classes), 1)
    total = sum(
        float(values.reached[c]) * (1 + tie_break * (count - c) / count) * m.r[c] for c in m.C
    )
    total += sum(float(values.standard[c]) * m.q[c, s] for c, s in m.Q)
    total -= sum(penalty * options.unit_cost[k] / unit * m.y[k] for k in m.Y)
    return total
