"""Household measures under the status-quo method: the register served in priority order.

Bureaus serve the households planned to exit this year first ("every exiting
household gets a measure"), before village projects are filled from the
envelopes; households exiting later are served from what is left afterwards.
Each household gets one measure: one that makes its housing safe if it lacks
it and one is eligible, else its cheapest eligible measure; funds pay in fund
order, a household's measure split across two funds where one runs out. Quotas
hold. Nothing is optimized: the order is exit year, then household_id.
"""

from __future__ import annotations

import numpy as np

from allocator.ledger import Grant
from allocator.rules.household_options import HouseholdOptions


def factor_grants(
    options: HouseholdOptions, left: dict[int, int], exiting: bool, given: dict[int, int]
) -> list[Grant]:
    """Measures for the exiting households (``exiting``) or the others, drawing on ``left``
    (fund -> yuan, updated); ``given`` counts households per measure (updated)."""
    register = options.register
    poor = np.flatnonzero(register.poor)
    this_year = register.exit_year[poor] == options.year
    chosen = poor[this_year] if exiting else poor[~this_year]
    order = chosen[np.lexsort((register.ids[chosen], register.exit_year[chosen]))]
    grants: list[Grant] = []
    for h in order.tolist():
        c = int(options.classes.of_household[h])
        pairs = options.pairs_of_class.get(c, [])
        for k in _preference(options, c, pairs):
            measure = options.pairs[k][0]
            quota = options.measures[measure].quota
            if quota is not None and given.get(measure, 0) >= quota:
                continue
            funds = options.funds_of(k)
            cost = options.unit_cost[k]
            if sum(left[f] for f in funds) < cost:
                continue
            need = cost
            for f in funds:
                take = min(left[f], need)
                if take > 0:
                    grants.append(Grant(h, measure, f, take))
                    left[f] -= take
                    need -= take
            given[measure] = given.get(measure, 0) + 1
            break
    return grants


def _preference(options: HouseholdOptions, c: int, pairs: list[int]) -> list[int]:
    """A closing measure first where the housing is unsafe, then cheapest first."""
    unsafe = options.lacks(c, "safe_housing")
    return sorted(
        pairs,
        key=lambda k: (
            not (unsafe and options.closes(k, "safe_housing")),
            options.unit_cost[k],
            k,
        ),
    )
