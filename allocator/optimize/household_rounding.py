"""From solved household counts to whole measures for named households, in whole yuan.

A class's households are interchangeable in the model; here each class's
measures are dealt to its households in household_id order, cyclically: the
measures' units are laid end to end (measure order) and unit j goes to
household j mod n. No household gets the same measure twice (a pair's count
never exceeds the class size), and the households reached are
min(n, measures given), as the model counted them.
"""

from __future__ import annotations

from typing import Any

from allocator.ledger import Grant
from allocator.optimize.household_model import MeasureGroup
from allocator.optimize.solve import SolveResult
from allocator.rules.household_options import HouseholdOptions


def measure_counts(am: Any, result: SolveResult) -> list[int]:
    """Whole households per (measure, class) pair (solver values are integral within tolerance)."""
    m = am.model
    options = am.households
    if options is None:
        return []
    return [max(0, round(result.value(m.y[k]))) for k in range(len(options.pairs))]


def assign_households(options: HouseholdOptions, counts: list[int]) -> dict[int, list[int]]:
    """Pair -> the register positions of the households that get its measure."""
    chosen: dict[int, list[int]] = {}
    for c, pairs in sorted(options.pairs_of_class.items()):
        members = options.households_of_class[c]
        n = len(members)
        offset = 0
        for k in pairs:
            given = counts[k]
            if given:
                chosen[k] = sorted(int(members[(offset + j) % n]) for j in range(given))
            offset += given
    return chosen


def split_grants(
    options: HouseholdOptions,
    groups: list[MeasureGroup],
    chosen: dict[int, list[int]],
    pools: list[list[tuple[int, int]]],
) -> list[Grant]:
    """Rows per household, measure and fund: each group's fund money, fund by fund, to its
    households in pair and household order (a household on a fund's boundary gets two rows)."""
    grants: list[Grant] = []
    for h, group in enumerate(groups):
        pool = [(f, amount) for f, amount in pools[h] if amount > 0]
        fi = 0
        for k in group.pairs:
            measure = options.pairs[k][0]
            for household in chosen.get(k, []):
                need = options.unit_cost[k]
                while need > 0:
                    f, left = pool[fi]
                    take = min(left, need)
                    grants.append(Grant(household, measure, f, take))
                    need -= take
                    pool[fi] = (f, left - take)
                    if left - take == 0:
                        fi += 1
    grants.sort(key=lambda g: (g.household, g.measure, g.fund))
    return grants
