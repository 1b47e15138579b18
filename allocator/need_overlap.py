"""Each listed need's households counted once, however many projects address it.

A village lists a need with the households it affects (needs.csv). Two projects
for the same need (a project and its alternative) may each record most of
those households; funded together they reach at most the households listed.

Funding a set S of a need's projects reaches H(S) = min(listed, sum of their
households) households (each project's own count already capped at listed),
and likewise P(S) poor households. Written by inclusion and exclusion
(Moebius), H(S) = sum over subsets T of S of h(T), where h({p}) is p's own
count and, for two or more projects, h(T) = sum over U in T of
(-1)^(|T|-|U|) H(U). Every T of two or more projects with a non-zero term is
an ``Overlap``: the households (and value) to add when all of T is funded,
negative for a pair (their shared households).

For a project funded in part (a divisible one, share s), "all of T funded"
is the share taken from its linear form: max(0, sum of shares - (|T| - 1))
for a term that takes value back, min of the shares for one that adds it.
For whole projects both are exactly "every project of T funded". The MIP
models each term with one column in [0, 1] and these rows, which is the
convex hull for a pair: the relaxation is as tight as it can be.

In a multi-year plan a project may start in any of several years, and a
term is weighed by the year weight of the latest start among its projects
(the households were first reached by the earlier one). That weight is
written as layers: for each start year k, "every project of T started by
k" (its starts up to k, summed) times w(k) - w(next start year), which adds
up to w(latest start). A member of a term is therefore a set of starts
whose shares add; in a one-year plan, one project.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from allocator.io.case import MAX_PROJECTS_PER_NEED, Case
from allocator.spec import Objective
from allocator.valuation import ProjectValue, ValueFactor

Q = TypeVar("Q", bound=tuple[Any, ...])


@dataclass(frozen=True)
class Overlap:
    """Households (and value) to add when every member of the term is funded."""

    village_id: str
    need: str
    #: each member: the starts of one project (one project in a one-year plan) whose
    #: shares add up to "that project funded"; members and starts ascending
    members: tuple[tuple[int, ...], ...]
    households: int
    poor_households: int
    value: float

    @property
    def projects(self) -> tuple[int, ...]:
        """Every start of every member."""
        return tuple(p for member in self.members for p in member)

    def share(self, shares: Mapping[int, float]) -> float:
        """How much of "all funded" the plan's shares give (see module); a project
        missing from ``shares`` counts 0."""
        parts = [
            min(max(sum(shares.get(p, 0.0) for p in member), 0.0), 1.0) for member in self.members
        ]
        if self.value <= 0:
            return max(0.0, sum(parts) - (len(parts) - 1))
        return min(parts)


def need_overlaps(case: Case, objective: Objective, values: list[ProjectValue]) -> list[Overlap]:
    """Every non-zero overlap term of the case's listed needs, in need order."""
    listed = {(n.village_id, n.need): n.households for n in case.needs}
    timing = case.timing
    keys = [(project.village_id, project.category) for project in case.projects]
    # Most needs have one project: find the others before building anything per need
    # (a province has 58,000 needs; its run computes this twice).
    seen: set[tuple[str, str]] = set()
    several: set[tuple[str, str]] = set()
    for p, key in enumerate(keys):
        if timing is None or timing.part[p] == 0:
            if key in seen:
                several.add(key)
            seen.add(key)
    # need -> original project -> its starts (the project itself in a one-year plan)
    by_need: dict[tuple[str, str], dict[int, list[int]]] = {}
    for p, key in enumerate(keys):
        if key not in several or key not in listed or (timing and timing.part[p] != 0):
            continue
        origin = timing.origin[p] if timing is not None else p
        by_need.setdefault(key, {}).setdefault(origin, []).append(p)
    factor_of = ValueFactor(case, objective)
    found: list[Overlap] = []
    for (village_id, need), starts in sorted(by_need.items()):
        if len(starts) < 2:
            continue
        cap = listed[(village_id, need)]
        origins = sorted(starts)
        first = [starts[o][0] for o in origins]
        households = [values[p].households_counted for p in first]
        poor = [values[p].poor_households_counted for p in first]
        if sum(households) <= cap and sum(poor) <= cap:
            continue  # no set of them can reach more than the need lists
        # load_case refuses more (with the row); a case built in code must keep to it too
        assert len(origins) <= MAX_PROJECTS_PER_NEED, (village_id, need)
        factor = factor_of(village_id, need, True)
        weights = objective.household_weight, objective.poor_household_weight
        # Start years in order, with their weights; a one-year plan has one, weight 1.
        years = sorted({timing.start[p] for o in origins for p in starts[o]} if timing else {0})
        weight = (
            {timing.start[p]: timing.value_weight[p] for o in origins for p in starts[o]}
            if timing
            else {0: 1.0}
        )
        for size in range(2, len(origins) + 1):
            for chosen in itertools.combinations(range(len(origins)), size):
                h = _moebius([households[i] for i in chosen], cap)
                q = _moebius([poor[i] for i in chosen], cap)
                if h == 0 and q == 0:
                    continue
                base = factor * (weights[0] * h + weights[1] * q)
                for k, year in enumerate(years):
                    later = weight[years[k + 1]] if k + 1 < len(years) else 0.0
                    step = weight[year] - later
                    if step == 0:
                        continue
                    members = tuple(
                        tuple(
                            p for p in starts[origins[i]] if not timing or timing.start[p] <= year
                        )
                        for i in chosen
                    )
                    if all(members):
                        found.append(Overlap(village_id, need, members, h, q, base * step))
    return found


def _moebius(counts: list[int], cap: int) -> int:
    """h(T) for the projects with these counts: what funding all of them adds beyond every
    smaller set (inclusion and exclusion over min(cap, sum))."""
    total = 0
    n = len(counts)
    for size in range(n + 1):
        for subset in itertools.combinations(counts, size):
            total += (-1) ** (n - size) * min(cap, sum(subset))
    return total


def overlap_shares(case: Case, overlaps: list[Overlap], totals: Mapping[int, int]) -> list[float]:
    """Each overlap's share of "all funded" for the plan's money per project."""
    shares = {p: totals.get(p, 0) / case.projects[p].cost for o in overlaps for p in o.projects}
    return [o.share(shares) for o in overlaps]


def overlap_value(case: Case, overlaps: list[Overlap], totals: Mapping[int, int]) -> float:
    """What the overlaps take back from (or add to) the projects' own values."""
    shares = overlap_shares(case, overlaps, totals)
    return sum(o.value * share for o, share in zip(overlaps, shares, strict=True))


def money_value(
    case: Case, values: list[ProjectValue], overlaps: list[Overlap], totals: Mapping[int, int]
) -> float:
    """The value of the plan's money per project: each project's value in proportion to
    its money, each shared need's households counted once."""
    value = sum(values[p].value * amount / case.projects[p].cost for p, amount in totals.items())
    return value + overlap_value(case, overlaps, totals)


class SharedNeeds:
    """The overlaps each project is in: what funding it adds, given what is funded.

    Greedy fills (the warm start, the factor method) take projects by value per
    yuan; with shared needs a project's value is what it adds to the projects
    of its need already funded, which only falls as more are funded. So they
    take the best item, re-price it, and put it back when it got worse (a lazy
    greedy, ``best_first``).
    """

    def __init__(self, overlaps: list[Overlap]) -> None:
        self._of: dict[int, list[Overlap]] = {}
        for overlap in overlaps:
            for p in overlap.projects:
                self._of.setdefault(p, []).append(overlap)

    def __contains__(self, p: int) -> bool:
        return p in self._of

    def added_value(self, p: int, value: float, funded: Callable[[int], bool]) -> float:
        """``value`` (p's own) plus every overlap of p whose other members are funded."""
        for overlap in self._of.get(p, ()):
            if all(p in member or any(funded(q) for q in member) for member in overlap.members):
                value += overlap.value
        return value

    def reprice(
        self, key: float, p: int, value: float, cost: int, funded: Callable[[int], bool]
    ) -> float | None:
        """A greedy fill's key for p (minus value per yuan): ``key`` while p adds all it was
        priced at, else minus what it adds per yuan now, or None when it adds nothing."""
        if p not in self._of:
            return key
        density = self.added_value(p, value, funded) / cost
        if density >= -key - 1e-15:
            return key
        return -density if density > 0 else None


def best_first(queue: list[Q], reprice: Callable[[Q], Q | None]) -> Iterator[Q]:
    """Items smallest first; each is re-priced when it comes up, and put back (or dropped,
    for None) if that made it larger. The caller acts on an item before the next."""
    heapq.heapify(queue)
    while queue:
        item = heapq.heappop(queue)
        now = reprice(item)
        if now is None:
            continue
        if now > item:
            heapq.heappush(queue, now)
            continue
        yield item
