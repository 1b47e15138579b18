"""Starting plans offered to HiGHS as first incumbents.

HiGHS's LP bound on these models is within a few hundredths of a percent of the
optimum, but finding an integer plan that good can take it most of its time
(cuts, sub-MIPs). Two cheap starts close that gap:

* ``greedy``: what each policy requires first (``Policy.seed_start``: must-fund
  projects, each poor village's floor, then enough of each minimum-share
  category), then everything by value per yuan while money lasts;
* ``lp_guided``: the same passes, but led by the LP relaxation: projects the
  LP funds come first, drawing on the money the LP routed to their group, then
  the rest is filled by value per yuan.

Every project funded respects every policy's limit (``Policy.start_limit``),
and funds are drawn in the order the policies prefer (``Policy.fund_order``).
HiGHS re-checks a start and ignores it if it breaks a row, so a start can only
help; and with one, a time-limited run always has an incumbent.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from allocator.io.case import Case
from allocator.need_overlap import SharedNeeds, best_first
from allocator.optimize.model import AllocationModel
from allocator.optimize.solve import Compiled, Point, SolveResult
from allocator.policies.divisible_min_share import min_share_of
from allocator.policies.project_years import starts_of
from allocator.policies.registry import active
from allocator.rules.household_options import HouseholdOptions
from allocator.spec import ModelSpec
from allocator.valuation import HouseholdValues, ProjectValue


class StartPlan:
    """A start under construction; what policies see of it is ``StartBuilder``."""

    def __init__(
        self,
        case: Case,
        am: AllocationModel,
        compiled: Compiled,
        values: list[ProjectValue],
        spec: ModelSpec,
        household_values: HouseholdValues | None = None,
    ) -> None:
        self.case, self.am, self.values = case, am, values
        self.unit = am.unit
        self.groups = am.groups
        self.policies: list[tuple[Any, Any]] = list(active(spec.policies))
        self.min_share = min_share_of(spec.policies)
        self.left = {f: fund.budget / am.unit for f, fund in enumerate(case.funds)}
        self._spent: dict[str, float] = defaultdict(float)
        self._count: dict[str, int] = defaultdict(int)
        self.group_of = {p: g for g, group in enumerate(am.groups) for p in group.projects}
        self.point = compiled.point()
        self.funded: set[int] = set()
        #: money the LP routed from fund f to group g, not yet used (lp_guided only)
        self.reserved: dict[tuple[int, int], float] = {}
        self.reserved_total: dict[int, float] = defaultdict(float)
        #: money the LP routed from fund f to measure group h, not yet used (lp_guided only)
        self.measure_reserved: dict[tuple[int, int], float] = {}
        self._densities = [
            v.value / project.cost for v, project in zip(values, case.projects, strict=True)
        ]
        self.by_density = sorted(am.modelled, key=lambda p: (-self.density(p), p))
        self.floor_order: list[int] = list(self.by_density)
        self._rank: dict[int, dict[int, int]] = {}
        self.households = am.households
        self.household_values = household_values
        self._given: dict[int, int] = defaultdict(int)
        self.following_lp = False
        self._measure_count: dict[int, int] = defaultdict(int)
        self.measure_group_of = {
            k: h for h, group in enumerate(am.measure_groups) for k in group.pairs
        }
        self._z = set(am.model.Z)
        #: what funding a project adds depends on its need's projects already funded
        self.shared = SharedNeeds([overlap for _, overlap in am.overlap_terms])
        #: fund orders that depend on nothing but the group (no LP reservation, no preference)
        self._plain_order: dict[int, list[int]] = {}
        # Columns by key: a start writes hundreds of thousands of values at province
        # size, and a Pyomo index lookup per write cost about a second there.
        column_of = compiled.column_of
        self._x_column = {key: column_of.get(id(var)) for key, var in am.model.x.items()}
        self._s_column = {p: column_of.get(id(var)) for p, var in am.model.s.items()}
        #: multi-year plans: projects started, and each (project, start year)'s parts
        self._started: set[int] = set()
        self._parts: dict[tuple[int, int], list[int]] = {
            (origin, year): parts
            for origin, starts in starts_of(case).items()
            for year, parts in starts.items()
        }

    def density(self, p: int) -> float:
        return self._densities[p]

    def spent(self, village_id: str) -> float:
        return self._spent[village_id]

    def count(self, village_id: str) -> int:
        return self._count[village_id]

    def _room(self, f: int, g: int) -> float:
        """What fund f can give group g without taking money reserved for other groups."""
        own = self.reserved.get((f, g), 0.0)
        others = self.reserved_total[f] - own if self.reserved else 0.0
        return max(0.0, self.left[f] - others)

    def _fund_rank(self, g: int) -> dict[int, int]:
        if g not in self._rank:
            self._rank[g] = self._fund_rank_of(self.am.groups[g].funds)
        return self._rank[g]

    def fund(self, p: int, prefer: set[int] | None = None) -> float:
        """Fund project p as far as money and every policy allow; returns the amount.

        In a multi-year plan p is a project's start: all its parts are funded alike,
        and a project that has started is not started again.
        """
        if p in self.funded:
            return 0.0
        timing = self.case.timing
        if timing is None:
            return self._fund_part(p, prefer)
        if not timing.is_start(p) or timing.origin[p] in self._started:
            return 0.0
        parts = self._parts[(timing.origin[p], timing.start[p])]
        if any(q not in self.group_of for q in parts):
            return 0.0
        # Started only as far as its later years' money reaches: a start whose later
        # part finds no money would be funded unevenly, and the start infeasible.
        share = 1.0
        for q in parts[1:]:
            cost = self.case.projects[q].cost / self.am.unit
            share = min(share, self._part_room(q, prefer) / cost if cost > 0 else 1.0)
        if share < 1.0 - 1e-9 and not self.case.projects[p].divisible:
            return 0.0
        amount = self._fund_part(p, prefer, max(0.0, share))
        if amount <= 0:
            return 0.0
        self._started.add(timing.origin[p])
        share = amount / (self.case.projects[p].cost / self.am.unit)
        for q in parts[1:]:
            self._fund_part(q, prefer, share)
        return amount

    def _fund_part(self, p: int, prefer: set[int] | None = None, share: float = 1.0) -> float:
        """Fund one project (or part) up to ``share`` of its cost."""
        if p in self.funded:
            return 0.0
        am, m = self.am, self.am.model
        project = self.case.projects[p]
        cost = project.cost / am.unit
        g = self.group_of[p]
        funds = self._funds_in_order(g, prefer)
        room = self._part_room(p, prefer, funds)
        if project.divisible:
            amount = min(cost * share, room)
            if amount <= 1e-9 or amount < self.min_share * cost:
                return 0.0
        elif room >= cost - 1e-9:
            amount = cost
        else:
            return 0.0
        self.funded.add(p)
        self._write(self._s_column[p], amount / cost)
        if p in self._z:
            self.point[m.z[p]] = 1.0
        self._spent[project.village_id] += amount
        self._count[project.village_id] += 1
        remaining = amount
        for f in funds:
            if remaining <= 0:
                break
            take = min(self._room(f, g), remaining)
            if take <= 0:
                continue
            column = self._x_column[f, g]
            if column is not None:
                self.point.x[column] += take
            self.left[f] -= take
            if (f, g) in self.reserved:
                used = min(self.reserved[(f, g)], take)
                self.reserved[(f, g)] -= used
                self.reserved_total[f] -= used
            remaining -= take
        return amount

    def _part_room(self, p: int, prefer: set[int] | None, funds: list[int] | None = None) -> float:
        """What project (part) p could get now: its funds' money, as the policies limit it."""
        g = self.group_of[p]
        if funds is None:
            funds = self._funds_in_order(g, prefer)
        if self.reserved:
            room = sum(self._room(f, g) for f in funds)
        else:  # _room without reservations, inline: the greedy pass asks this 100,000s of times
            left = self.left
            room = sum(max(0.0, left[f]) for f in funds)
        for policy, config in self.policies:
            room = policy.start_limit(config, self, p, room)
        return room

    def _funds_in_order(self, g: int, prefer: set[int] | None) -> list[int]:
        """Group g's funds in the order money is drawn: preferred first, then the policies'
        rank, then the most money the LP reserved for g."""
        plain = prefer is None and not self.reserved
        if plain and g in self._plain_order:
            return self._plain_order[g]
        rank = self._fund_rank(g)
        funds = sorted(
            self.am.groups[g].funds,
            key=lambda f: (
                prefer is not None and f not in prefer,
                rank.get(f, 0),
                -self.reserved.get((f, g), 0.0),
                f,
            ),
        )
        if plain:
            self._plain_order[g] = funds
        return funds

    def _write(self, column: int | None, value: float) -> None:
        if column is not None:
            self.point.x[column] = value

    def given(self, k: int) -> int:
        return self._given[k]

    def give(self, k: int, count: int) -> int:
        """Give pair k's measure to up to ``count`` more households of its class."""
        options, m = self.households, self.am.model
        if options is None or count <= 0:
            return 0
        measure, c = options.pairs[k]
        quota = options.measures[measure].quota
        room = int(options.classes.count[c]) - self._given[k]
        if quota is not None:
            room = min(room, quota - self._measure_count[measure])
        h = self.measure_group_of[k]
        funds = self.am.measure_groups[h].funds
        unit_cost = options.unit_cost[k] / self.unit
        if self.following_lp:
            # Following the LP's household counts, a measure group spends the money the
            # LP routed to it: drawn from other funds, it would leave a later group
            # without the money the LP gave it.
            free = {f: min(self.left[f], self.measure_reserved.get((f, h), 0.0)) for f in funds}
        else:  # what a policy requires may take any money left
            free = {f: max(0.0, self.left[f]) for f in funds}
        money = sum(free.values())
        n = min(count, room, int(money / unit_cost + 1e-9) if unit_cost > 0 else count)
        if n <= 0:
            return 0
        remaining = n * unit_cost
        rank = self._fund_rank_of(funds)
        for f in sorted(funds, key=lambda f: (rank.get(f, 0), f)):
            take = min(free[f], remaining)
            if take <= 0:
                continue
            self.point[m.xh[f, h]] = self.point[m.xh[f, h]] + take
            self.left[f] -= take
            if self.following_lp:
                self.measure_reserved[(f, h)] -= take
            remaining -= take
        self._given[k] += n
        self._measure_count[measure] += n
        self.point[m.y[k]] = float(self._given[k])
        self._settle(c)
        return n

    def _fund_rank_of(self, funds: tuple[int, ...]) -> dict[int, int]:
        """Rank of each of ``funds`` when money is drawn from several (the policies' order)."""
        rank: dict[int, int] = defaultdict(int)
        for policy, config in self.policies:
            for f, r in policy.fund_order(config, self.case, funds).items():
                rank[f] += r
        return rank

    def _settle(self, c: int) -> None:
        """Households reached and standards closed in class c, from the measures given."""
        options, m = self.households, self.am.model
        assert options is not None
        count = int(options.classes.count[c])
        pairs = options.pairs_of_class[c]
        self.point[m.r[c]] = float(min(count, sum(self._given[k] for k in pairs)))
        for standard in ("safe_housing", "safe_water"):
            if (c, standard) in m.Q:
                closing = sum(self._given[k] for k in pairs if options.closes(k, standard))
                self.point[m.q[c, standard]] = float(min(count, closing))

    def _household_offers(self) -> list[tuple[float, int, int]]:
        """(value per yuan, class, cheapest pair) for reaching each class's households."""
        options, values = self.households, self.household_values
        if options is None or values is None:
            return []
        offers = []
        for c, pairs in options.pairs_of_class.items():
            k = min(pairs, key=lambda k: (options.unit_cost[k], k))
            if options.unit_cost[k] > 0 and values.reached[c] > 0:
                offers.append((float(values.reached[c]) / options.unit_cost[k], c, k))
        return offers

    def build(self, lp: SolveResult | None) -> Point:
        am, m = self.am, self.am.model
        lp_share: dict[int, float] = {}
        if lp is not None and lp.point is not None:
            spent: dict[int, float] = defaultdict(float)
            for f, g in am.arcs:
                amount = max(0.0, lp.value(m.x[f, g]))
                if amount > 0:
                    self.reserved[(f, g)] = amount
                    self.reserved_total[f] += amount
                    spent[f] += amount
            for f, h in am.measure_arcs:
                spent[f] += max(0.0, lp.value(m.xh[f, h]))
            # No fund pays more than the LP paid from it: money the LP leaves idle is idle
            # for a reason (filled, it broke the category share of a three-year province).
            for f in self.left:
                self.left[f] = min(self.left[f], spent.get(f, 0.0) + 1e-9)
            lp_share = {p: lp.value(m.s[p]) for p in am.modelled}
        # Candidates for floors in the order the LP favours them, else cheapest first.
        self.floor_order = sorted(
            self.by_density,
            key=lambda p: (-round(lp_share.get(p, 0.0), 6), self.case.projects[p].cost, p),
        )
        if lp is not None and lp.point is not None and self.households is not None:
            # The households the LP reaches, whole, first: the LP meets the household
            # floors and guarantees itself, so the policies' seeds below only top up.
            self.following_lp = True
            self.measure_reserved = {(f, h): lp.value(m.xh[f, h]) for f, h in am.measure_arcs}
            for k, wanted in enumerate(lp_counts(self.am, lp)):
                if wanted - self._given[k] > 0:
                    self.give(k, wanted - self._given[k])
            self.following_lp = False
            self.measure_reserved.clear()
        for policy, config in self.policies:
            policy.seed_start(config, self, "first")
        if lp_share:
            led = sorted(am.modelled, key=lambda p: (-round(lp_share[p], 6), -self.density(p), p))
            for p in led:
                if lp_share[p] > 1e-6:
                    self.fund(p)
            self.reserved.clear()
            self.reserved_total.clear()
        for policy, config in self.policies:
            policy.seed_start(config, self, "after_lp")
        # Projects and households by value per yuan, one list.
        items: list[tuple[float, int, int, int]] = [
            (-self.density(p), 0, p, 0) for p in self.by_density if self.values[p].value > 0
        ]
        items += [(-d, 1, c, k) for d, c, k in self._household_offers()]

        # A project whose need funded projects already cover in part is worth what it adds.
        def reprice(item: tuple[float, int, int, int]) -> tuple[float, int, int, int] | None:
            key, kind, p, k = item
            if kind != 0:
                return item
            cost = self.case.projects[p].cost
            now = self.shared.reprice(key, p, self.values[p].value, cost, self.funded.__contains__)
            return None if now is None else (now, kind, p, k)

        for _, kind, first, k in best_first(items, reprice):
            if kind == 0:
                self.fund(first)
            else:
                assert self.households is not None
                missing = int(self.households.classes.count[first]) - sum(
                    self._given[j] for j in self.households.pairs_of_class[first]
                )
                self.give(k, missing)
        self._match_measure_flows()
        return self.point

    def _match_measure_flows(self) -> None:
        """Scale each measure group's flows to its exact cost (sums of many small draws drift)."""
        options, m = self.households, self.am.model
        if options is None:
            return
        for h, group in enumerate(self.am.measure_groups):
            demand = sum(options.unit_cost[k] * self._given[k] for k in group.pairs) / self.unit
            total = sum(self.point[m.xh[f, h]] for f in group.funds)
            if total > 0:
                for f in group.funds:
                    self.point[m.xh[f, h]] = self.point[m.xh[f, h]] * demand / total


def lp_counts(am: AllocationModel, lp: SolveResult) -> list[int]:
    """Whole household counts per pair from an LP: rounded down, except that a class the
    LP reaches (or makes safe) in full keeps its pairs rounded up, as floors need."""
    options, m = am.households, am.model
    if options is None:
        return []
    exact = [max(0.0, lp.value(m.y[k])) for k in m.Y]
    counts = [int(x + 1e-6) for x in exact]
    full = {c for c in m.C if lp.value(m.r[c]) >= options.classes.count[c] - 1e-6}
    full |= {c for c, s in m.Q if lp.value(m.q[c, s]) >= options.classes.count[c] - 1e-6}
    for k, (_, c) in enumerate(options.pairs):
        if c in full and exact[k] - counts[k] > 1e-6:
            counts[k] += 1
    return counts


def greedy_start(
    case: Case,
    am: AllocationModel,
    compiled: Compiled,
    values: list[ProjectValue],
    spec: ModelSpec,
    household_values: HouseholdValues | None = None,
) -> Point:
    """Fund by value per yuan, after what the policies require."""
    return StartPlan(case, am, compiled, values, spec, household_values).build(None)


def lp_guided_start(
    case: Case,
    am: AllocationModel,
    compiled: Compiled,
    values: list[ProjectValue],
    spec: ModelSpec,
    relaxed: SolveResult,
    household_values: HouseholdValues | None = None,
) -> Point:
    """Round the LP relaxation along its own money flows."""
    return StartPlan(case, am, compiled, values, spec, household_values).build(relaxed)


def marginal_band(
    case: Case,
    am: AllocationModel,
    values: list[ProjectValue],
    prices: dict[int, float],
    band: float = 0.3,
) -> list[int]:
    """Projects whose value per model unit is within ``band`` of their funds' price.

    These are the projects an optimal plan trades against each other at the
    margin; the rest are clearly in or clearly out.
    """
    chosen = []
    for group in am.groups:
        price = max((prices.get(f, 0.0) for f in group.funds), default=0.0)
        if price <= 0:
            continue
        for p in group.projects:
            density = values[p].value / (case.projects[p].cost / am.unit)
            if abs(density - price) <= band * price:
                chosen.append(p)
    if case.timing is not None:
        # A multi-year project at the margin: every start and part of it is free to move
        # (later parts carry no value of their own, so their density says nothing).
        modelled = set(am.modelled)
        starts = starts_of(case)
        origins = {case.timing.origin[p] for p in chosen}
        chosen = [
            q
            for origin in origins
            for parts in starts[origin].values()
            for q in parts
            if q in modelled
        ]
    return sorted(set(chosen))


def whole_households(am: AllocationModel, guide: SolveResult) -> list[Point]:
    """Plans from one solved with household counts continuous: counts made whole.

    Two roundings: every count rounded down; and, where the guide reached (or
    made safe) every household of a class, as a floor or guarantee may
    require, that class rounded up by taking whole measures from its pairs
    with a fraction, cheapest first. Measure flows follow the new costs, extra
    money drawn from funds with room; project shares stay as the guide has
    them (the caller re-routes money with an LP where that is not enough).
    """
    options = am.households
    if options is None or guide.point is None:
        return []
    m = am.model
    exact = {k: max(0.0, guide.value(m.y[k])) for k in m.Y}
    down = {k: int(exact[k] + 1e-6) for k in m.Y}
    up = dict(down)
    count = options.classes.count
    for c in m.C:
        pairs = options.pairs_of_class[c]
        cheapest = sorted(pairs, key=lambda k: (options.unit_cost[k], k))
        if guide.value(m.r[c]) >= count[c] - 1e-6:
            _top_up(up, exact, cheapest, float(count[c]), m)
        for standard in ("safe_housing", "safe_water"):
            if (c, standard) in m.Q and guide.value(m.q[c, standard]) >= count[c] - 1e-6:
                closing = [k for k in cheapest if options.closes(k, standard)]
                _top_up(up, exact, closing, float(count[c]), m)
    return [_with_counts(am, options, guide.point, counts) for counts in (down, up)]


def _with_counts(
    am: AllocationModel, options: HouseholdOptions, base: Point, whole: dict[int, int]
) -> Point:
    """``base`` with measure counts ``whole``: reach, standards and measure flows to match."""
    m, unit = am.model, am.unit
    point = Point(base.compiled, base.x.copy())
    count = options.classes.count
    for k in m.Y:
        point[m.y[k]] = float(whole[k])
    for c in m.C:
        given = sum(whole[k] for k in options.pairs_of_class[c])
        point[m.r[c]] = float(min(int(count[c]), given))
    for c, standard in m.Q:
        closing = [k for k in options.pairs_of_class[c] if options.closes(k, standard)]
        point[m.q[c, standard]] = float(min(int(count[c]), sum(whole[k] for k in closing)))
    used: dict[int, float] = defaultdict(float)
    for f, g in am.arcs:
        used[f] += point[m.x[f, g]]
    for f, h in am.measure_arcs:
        used[f] += point[m.xh[f, h]]
    for h, group in enumerate(am.measure_groups):
        demand = sum(options.unit_cost[k] * whole[k] for k in group.pairs) / unit
        flows = {f: point[m.xh[f, h]] for f in group.funds}
        total = sum(flows.values())
        if total > demand:
            scale = demand / total
            for f in group.funds:
                used[f] -= flows[f] * (1 - scale)
                flows[f] *= scale
        missing = demand - sum(flows.values())
        for f in group.funds:
            if missing <= 0:
                break
            take = min(max(0.0, am.case.funds[f].budget / unit - used[f]), missing)
            flows[f] += take
            used[f] += take
            missing -= take
        for f in group.funds:
            point[m.xh[f, h]] = flows[f]
    return point


def _top_up(
    whole: dict[int, int], exact: dict[int, float], pairs: list[int], wanted: float, m: Any
) -> None:
    """Round up fractions of ``pairs``, in their order, until they give ``wanted``."""
    need = math.ceil(wanted - 1e-6) - sum(whole[k] for k in pairs)
    for k in pairs:
        if need <= 0:
            return
        if exact[k] - whole[k] > 1e-6 and whole[k] < (m.y[k].ub or 0):
            whole[k] += 1
            need -= 1
