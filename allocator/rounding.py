"""From the solver's floats to exact integer yuan.

1. Project amounts: indivisible projects get their full cost or nothing;
   divisible ones are rounded by largest remainder within each village, so each
   village's total is its solver total rounded (floors and caps stay met).
2. Money per (fund, group): floors of the solver's flows, then the few missing
   yuan are routed by augmenting paths through funds with room (moving money
   between groups where needed). Budgets are never exceeded by construction.
3. Inside a group any fund may pay any project, so money is split fund by fund,
   project by project, in id order (fewest pairs, same result every time).
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass

from allocator.case import Case
from allocator.errors import SolverError
from allocator.model import AllocationModel
from allocator.solve import SolveResult

#: solver values closer than this to 0 or 1 (as a share of a project) are snapped
SNAP = 1e-6


@dataclass(frozen=True)
class Allocation:
    """Money from one fund to one project, in integer yuan (always > 0)."""

    project: int
    fund: int
    amount: int


def _value(result: SolveResult, var: object) -> float:
    return result.values.get(id(var), 0.0)


def project_amounts(
    case: Case, am: AllocationModel, result: SolveResult, min_share: float
) -> dict[int, int]:
    """Integer yuan per modelled project."""
    m = am.model
    amounts: dict[int, int] = {}
    selected: set[int] = set()
    fractional: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for p in am.modelled_projects:
        project = case.projects[p]
        share = min(max(_value(result, m.s[p]), 0.0), 1.0)
        if not project.divisible:
            amounts[p] = project.cost if share > 0.5 else 0
            continue
        if p in m.Z:  # the model says whether it is funded at all
            if _value(result, m.z[p]) < 0.5:
                share = 0.0
            else:
                selected.add(p)
        elif share < SNAP:
            share = 0.0
        if share > 1 - SNAP:
            share = 1.0
        fractional[project.village_id].append((p, share * project.cost))
    for village_id in sorted(fractional):
        items = fractional[village_id]
        floors = {p: math.floor(raw) for p, raw in items}
        total = round(sum(raw for _, raw in items))
        remainder = total - sum(floors.values())
        order = sorted(items, key=lambda item: (-(item[1] - math.floor(item[1])), item[0]))
        for p, _ in order:
            if remainder <= 0:
                break
            if floors[p] < case.projects[p].cost:
                floors[p] += 1
                remainder -= 1
        for p, _ in items:
            amount = floors[p]
            if amount > 0 or p in selected:
                amount = max(amount, 1, math.ceil(min_share * case.projects[p].cost))
            amounts[p] = min(amount, case.projects[p].cost)
    return amounts


def group_flows(
    case: Case, am: AllocationModel, result: SolveResult, demand: list[int]
) -> dict[tuple[int, int], int]:
    """Integer yuan per (fund, group) meeting every group's demand within budgets."""
    m = am.model
    flows: dict[tuple[int, int], int] = {}
    used: dict[int, int] = defaultdict(int)
    for g, group in enumerate(am.groups):
        for f in group.funds:
            amount = max(0, math.floor(_value(result, m.x[f, g]) * am.unit + 1e-6))
            flows[(f, g)] = amount
            used[f] += amount
    # Trim groups that received more than their (rounded) demand, highest fund first.
    for g, group in enumerate(am.groups):
        excess = sum(flows[(f, g)] for f in group.funds) - demand[g]
        for f in sorted(group.funds, reverse=True):
            if excess <= 0:
                break
            cut = min(excess, flows[(f, g)])
            flows[(f, g)] -= cut
            used[f] -= cut
            excess -= cut
    # Trim funds that are over budget (float noise) by taking from their groups.
    for f, fund in enumerate(case.funds):
        over = used[f] - fund.budget
        for g in sorted((g for (ff, g) in flows if ff == f), reverse=True):
            if over <= 0:
                break
            cut = min(over, flows[(f, g)])
            flows[(f, g)] -= cut
            used[f] -= cut
            over -= cut
    slack = {f: fund.budget - used[f] for f, fund in enumerate(case.funds)}
    for g in range(len(am.groups)):
        missing = demand[g] - sum(flows[(f, g)] for f in am.groups[g].funds)
        while missing > 0:
            moved = _augment(am, flows, slack, g, missing)
            if moved == 0:
                raise _Shortfall(g, missing)
            missing -= moved
    return flows


class _Shortfall(Exception):
    def __init__(self, group: int, missing: int) -> None:
        super().__init__(f"group {group} short by {missing} yuan")
        self.group = group
        self.missing = missing


def _augment(
    am: AllocationModel,
    flows: dict[tuple[int, int], int],
    slack: dict[int, int],
    target: int,
    wanted: int,
) -> int:
    """Send up to ``wanted`` yuan into group ``target`` along one augmenting path."""
    funds_of = {g: grp.funds for g, grp in enumerate(am.groups)}
    groups_of: dict[int, list[int]] = defaultdict(list)
    for (f, g), amount in flows.items():
        if amount > 0:
            groups_of[f].append(g)
    # BFS: group needs money -> any eligible fund f; fund f either has slack, or
    # takes money back from another group g2 it pays, which then needs money.
    parent_fund: dict[int, int] = {}  # fund -> group it will pay
    parent_group: dict[int, int] = {target: -1}  # group -> fund that gave money up
    queue: deque[int] = deque([target])
    end: int | None = None
    while queue and end is None:
        g = queue.popleft()
        for f in funds_of[g]:
            if f in parent_fund:
                continue
            parent_fund[f] = g
            if slack[f] > 0:
                end = f
                break
            for g2 in sorted(groups_of[f]):
                if g2 not in parent_group:
                    parent_group[g2] = f
                    queue.append(g2)
    if end is None:
        return 0
    # Bottleneck along the path.
    amount = min(wanted, slack[end])
    f = end
    while True:
        g = parent_fund[f]
        if g == target:
            break
        f_prev = parent_group[g]
        amount = min(amount, flows[(f_prev, g)])
        f = f_prev
    f = end
    slack[end] -= amount
    while True:
        g = parent_fund[f]
        flows[(f, g)] += amount
        if g == target:
            break
        f_prev = parent_group[g]
        flows[(f_prev, g)] -= amount
        f = f_prev
    return amount


def enforce_village_cap(
    case: Case,
    amounts: dict[int, int],
    cap: int | None,
    min_share: float,
    density: dict[int, float],
    exempt: set[str],
) -> None:
    """Trim villages the solver's tolerance left a few yuan over the cap.

    Divisible projects are trimmed first, then indivisible ones dropped, least
    valuable per yuan first; a plan within tolerance changes by a few yuan at most.
    """
    if cap is None:
        return
    by_village: dict[str, list[int]] = defaultdict(list)
    for p, amount in amounts.items():
        if amount > 0:
            by_village[case.projects[p].village_id].append(p)
    for village_id, members in by_village.items():
        if village_id in exempt:
            continue
        over = sum(amounts[p] for p in members) - cap
        for p in sorted(members, key=lambda q: (not case.projects[q].divisible, density[q], q)):
            if over <= 0:
                break
            project = case.projects[p]
            lowest = math.ceil(min_share * project.cost) if min_share > 0 else 1
            if project.divisible and amounts[p] - over >= lowest:
                amounts[p] -= over
                over = 0
            else:
                over -= amounts[p]
                amounts[p] = 0


def round_plan(
    case: Case,
    am: AllocationModel,
    result: SolveResult,
    min_share: float,
    village_cap: int | None = None,
    density: dict[int, float] | None = None,
    exempt: set[str] | None = None,
) -> list[Allocation]:
    """Exact integer allocations from a solver result (raises if none can be made).

    ``exempt`` villages (a relaxed plan's waived caps) are not trimmed to the cap.
    """
    amounts = project_amounts(case, am, result, min_share)
    enforce_village_cap(
        case, amounts, village_cap, min_share, density or defaultdict(float), exempt or set()
    )
    for _attempt in range(len(am.modelled_projects) + 1):
        demand = [sum(amounts[p] for p in group.projects) for group in am.groups]
        try:
            flows = group_flows(case, am, result, demand)
            break
        except _Shortfall as short:
            # Float noise left a group a few yuan short: trim its divisible projects.
            if not _trim(case, am.groups[short.group].projects, amounts, short.missing, min_share):
                members = am.groups[short.group].projects[:5]
                names = ", ".join(case.projects[p].project_id for p in members)
                raise SolverError(
                    f"could not turn the solver's plan into whole yuan: projects {names} "
                    f"are {short.missing} yuan short of eligible budget"
                ) from None
    else:  # pragma: no cover - every failed attempt either trims or raises
        raise SolverError("rounding did not converge")
    allocations: list[Allocation] = []
    for g, group in enumerate(am.groups):
        pool = [(f, flows[(f, g)]) for f in group.funds if flows[(f, g)] > 0]
        fi = 0
        for p in group.projects:
            need = amounts[p]
            while need > 0:
                f, left = pool[fi]
                take = min(left, need)
                allocations.append(Allocation(p, f, take))
                need -= take
                left -= take
                pool[fi] = (f, left)
                if left == 0:
                    fi += 1
    allocations.sort(key=lambda a: (a.project, a.fund))
    return allocations


def _trim(
    case: Case, projects: tuple[int, ...], amounts: dict[int, int], missing: int, min_share: float
) -> bool:
    for p in sorted(projects, reverse=True):
        project = case.projects[p]
        if not project.divisible or amounts[p] == 0:
            continue
        lowest = math.ceil(min_share * project.cost) if min_share > 0 else 0
        cut = min(missing, amounts[p] - lowest)
        if cut > 0:
            amounts[p] -= cut
            missing -= cut
        if missing == 0:
            return True
    return False
