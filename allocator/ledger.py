"""Money rows in whole yuan and their sums: the integer ledger every check reads.

Nothing here knows about solvers: a plan is a list of :class:`Allocation`
rows, from the optimizer, the factor method or a hand-edited allocations.csv,
and :class:`Ledger` adds them up exactly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from allocator.i18n import msg


@dataclass(frozen=True)
class Allocation:
    """Money from one fund to one project, in integer yuan (always > 0)."""

    project: int
    fund: int
    amount: int


@dataclass
class Ledger:
    """Integer sums of allocation rows per fund, project and (fund, project) pair."""

    by_fund: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    by_project: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    by_pair: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    rows_of_project: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def of(cls, allocations: Iterable[Allocation]) -> Ledger:
        """Sum the rows (rows that are not positive whole yuan are left out)."""
        ledger = cls()
        for a in allocations:
            if not isinstance(a.amount, int) or a.amount <= 0:
                continue
            ledger.by_fund[a.fund] += a.amount
            ledger.by_project[a.project] += a.amount
            ledger.by_pair[(a.fund, a.project)] += a.amount
            ledger.rows_of_project[a.project] += 1
        return ledger

    def project(self, p: int) -> int:
        return self.by_project.get(p, 0)

    def fund(self, f: int) -> int:
        return self.by_fund.get(f, 0)


def split_yuan(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` whole yuan in proportion to ``weights`` (largest remainders; ties to
    the earlier share): the parts sum to ``total``, or are all 0 when no weight is positive."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def yuan(amount: int | float) -> str:
    """An amount for people: ``1,234,567 yuan`` (translatable)."""
    return msg("{amount:,} yuan", amount=round(amount))


@dataclass(frozen=True)
class Grant:
    """Money from one fund for one measure given to one household, in integer yuan (> 0).

    ``household`` is a position in the case's household register.
    """

    household: int
    measure: int
    fund: int
    amount: int


@dataclass
class HouseholdLedger:
    """Integer sums of grant rows per fund, per (household, measure) and per measure."""

    by_fund: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    by_grant: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    #: (household, measure) -> the funds paying it
    funds_of_grant: dict[tuple[int, int], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: household -> measures it got, in measure order
    measures_of: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: measure -> households that got it
    households_of: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def of(cls, grants: Iterable[Grant]) -> HouseholdLedger:
        """Sum the rows (rows that are not positive whole yuan are left out)."""
        ledger = cls()
        for g in grants:
            if not isinstance(g.amount, int) or g.amount <= 0:
                continue
            key = (g.household, g.measure)
            if key not in ledger.by_grant:
                ledger.measures_of[g.household].append(g.measure)
                ledger.households_of[g.measure] += 1
            ledger.by_fund[g.fund] += g.amount
            ledger.by_grant[key] += g.amount
            ledger.funds_of_grant[key].append(g.fund)
        for measures in ledger.measures_of.values():
            measures.sort()
        return ledger

    def fund(self, f: int) -> int:
        return self.by_fund.get(f, 0)

    def reached(self, household: int) -> bool:
        return household in self.measures_of
