"""Starting plans offered to HiGHS as first incumbents.

HiGHS's LP bound on these models is within a few hundredths of a percent of the
optimum, but finding an integer plan that good can take it most of its time
(cuts, sub-MIPs). Two cheap starts close that gap:

* ``greedy``: must-fund projects, each poor village's floor, enough of each
  minimum-share category, then everything by value per yuan while money lasts;
* ``lp_guided``: the same passes, but led by the LP relaxation: projects the
  LP funds come first, drawing on the money the LP routed to their group, then
  the rest is filled by value per yuan.

A start is ``id(var) -> value`` for every column. HiGHS re-checks it and
ignores it if it breaks a constraint, so a start can only help; and with one,
a time-limited run always has an incumbent.
"""

from __future__ import annotations

from collections import defaultdict

from allocator.case import Case
from allocator.model import AllocationModel
from allocator.spec import ModelSpec
from allocator.valuation import ProjectValue

Start = dict[int, float]


class _Builder:
    def __init__(
        self, case: Case, am: AllocationModel, values: list[ProjectValue], spec: ModelSpec
    ) -> None:
        self.case, self.am, self.values, self.spec = case, am, values, spec
        self.policies = spec.policies
        unit = am.unit
        self.left = {f: fund.budget / unit for f, fund in enumerate(case.funds)}
        self.cap = (
            self.policies.village_cap.max_amount / unit if self.policies.village_cap else None
        )
        self.village_spent: dict[str, float] = defaultdict(float)
        self.village_count: dict[str, int] = defaultdict(int)
        self.group_of = {p: g for g, group in enumerate(am.groups) for p in group.projects}
        self.start: Start = {id(v): 0.0 for v in am.column_order}
        self.funded: set[int] = set()
        #: money the LP routed from fund f to group g, not yet used (lp_guided only)
        self.reserved: dict[tuple[int, int], float] = {}

    def density(self, p: int) -> float:
        return self.values[p].value / self.case.projects[p].cost

    def _room(self, f: int, g: int) -> float:
        """What fund f can give group g without taking money reserved for other groups."""
        own = self.reserved.get((f, g), 0.0)
        others = self.reserved_total[f] - own if self.reserved else 0.0
        return max(0.0, self.left[f] - others)

    def fund(self, p: int, prefer: set[int] | None = None) -> float:
        """Fund project p as far as money allows; returns the amount (model units)."""
        if p in self.funded:
            return 0.0
        case, am, m = self.case, self.am, self.am.model
        project = case.projects[p]
        cost = project.cost / am.unit
        g = self.group_of[p]
        funds = sorted(
            am.groups[g].funds,
            key=lambda f: (
                prefer is not None and f not in prefer,
                -self.reserved.get((f, g), 0.0),
                f,
            ),
        )
        room = sum(self._room(f, g) for f in funds)
        if self.cap is not None:
            room = min(room, self.cap - self.village_spent[project.village_id])
        if project.divisible:
            amount = min(cost, room)
            if amount <= 1e-9 or amount < self.policies.divisible_min_share * cost:
                return 0.0
        elif room >= cost - 1e-9:
            amount = cost
        else:
            return 0.0
        self.funded.add(p)
        self.start[id(m.s[p])] = amount / cost
        if p in m.Z:
            self.start[id(m.z[p])] = 1.0
        self.village_spent[project.village_id] += amount
        self.village_count[project.village_id] += 1
        remaining = amount
        for f in funds:
            take = min(self._room(f, g), remaining)
            if take <= 0:
                continue
            self.start[id(m.x[f, g])] += take
            self.left[f] -= take
            if (f, g) in self.reserved:
                used = min(self.reserved[(f, g)], take)
                self.reserved[(f, g)] -= used
                self.reserved_total[f] -= used
            remaining -= take
        return amount

    def build(self, relaxed: Start | None) -> Start:
        case, am, policies = self.case, self.am, self.policies
        by_density = sorted(am.modelled_projects, key=lambda p: (-self.density(p), p))
        self.reserved_total: dict[int, float] = defaultdict(float)
        if relaxed is not None:
            m = am.model
            for g, group in enumerate(am.groups):
                for f in group.funds:
                    amount = max(0.0, relaxed.get(id(m.x[f, g]), 0.0))
                    if amount > 0:
                        self.reserved[(f, g)] = amount
                        self.reserved_total[f] += amount
        must = set(policies.must_fund_categories)
        for p in by_density:
            if case.projects[p].category in must:
                self.fund(p)
        m = am.model
        lp_share = (
            {p: relaxed.get(id(m.s[p]), 0.0) for p in am.modelled_projects}
            if (relaxed is not None)
            else {}
        )
        # Floors before the bulk: afterwards the money is gone. Each village's
        # candidates in the order the LP favours them, else cheapest first.
        self._floors(
            sorted(
                by_density,
                key=lambda p: (-round(lp_share.get(p, 0.0), 6), case.projects[p].cost, p),
            )
        )
        if relaxed is not None:
            led = sorted(
                am.modelled_projects, key=lambda p: (-round(lp_share[p], 6), -self.density(p), p)
            )
            for p in led:
                if lp_share[p] > 1e-6:
                    self.fund(p)
            self.reserved.clear()
            self.reserved_total.clear()
        self._shares(by_density)
        for p in by_density:
            if self.values[p].value > 0:
                self.fund(p)
        return self.start

    def _floors(self, candidates: list[int]) -> None:
        """Fund projects of floor villages, in the given order, until each floor holds."""
        if self.policies.poor_village_floor is None:
            return
        case, unit = self.case, self.am.unit
        village_of = case.village_index()
        for p in candidates:
            v = village_of[case.projects[p].village_id]
            if v not in self.am.floors:
                continue
            amount, count = self.am.floors[v]
            village_id = case.villages[v].village_id
            if (
                self.village_count[village_id] < count
                or self.village_spent[village_id] * unit < amount
            ):
                self.fund(p)

    def _shares(self, by_density: list[int]) -> None:
        case, am = self.case, self.am
        for rule in self.policies.category_shares:
            if rule.min_share <= 0:
                continue
            kinds = set(rule.fund_kinds) if rule.fund_kinds is not None else None
            scoped = {f for f, fund in enumerate(case.funds) if kinds is None or fund.kind in kinds}
            target = rule.min_share * sum(case.funds[f].budget / am.unit for f in scoped)
            got = 0.0
            for p in by_density:
                if got >= target:
                    break
                group = am.groups[self.group_of[p]]
                if case.projects[p].category == rule.category and set(group.funds) & scoped:
                    before = sum(self.left[f] for f in scoped)
                    self.fund(p, prefer=scoped)
                    got += before - sum(self.left[f] for f in scoped)


def greedy_start(
    case: Case, am: AllocationModel, values: list[ProjectValue], spec: ModelSpec
) -> Start:
    """Fund by value per yuan, after must-fund projects, floors and minimum shares."""
    return _Builder(case, am, values, spec).build(None)


def lp_guided_start(
    case: Case, am: AllocationModel, values: list[ProjectValue], spec: ModelSpec, relaxed: Start
) -> Start:
    """Round the LP relaxation ``relaxed`` (id(var) -> value) along its own money flows."""
    return _Builder(case, am, values, spec).build(relaxed)


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
    return sorted(chosen)
