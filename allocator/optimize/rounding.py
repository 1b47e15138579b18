"""From the solver's floats to exact integer yuan.

1. Project amounts: indivisible projects get their full cost or nothing;
   divisible ones are rounded by largest remainder within each village, so each
   village's total is its solver total rounded (floors and caps stay met);
   then each policy trims what the solver's tolerance left a few yuan outside
   it (``Policy.repair``).
2. Money per (fund, group): floors of the solver's flows, then the few missing
   yuan are routed by augmenting paths through funds with room (moving money
   between groups where needed). Budgets are never exceeded by construction.
3. Inside a group any fund may pay any project, so money is split fund by fund,
   project by project, in id order (fewest pairs, same result every time);
   where a policy needs every project to get each fund's money in the same
   proportion (``Policy.split_evenly``), it is split proportionally instead.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from allocator.errors import SolverError
from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import Allocation, Grant
from allocator.optimize.household_rounding import assign_households, measure_counts, split_grants
from allocator.optimize.model import AllocationModel
from allocator.optimize.solve import SolveResult
from allocator.policies.base import PolicyKey
from allocator.policies.divisible_min_share import least_amount, min_share_of
from allocator.policies.registry import active

#: solver values closer than this to 0 or 1 (as a share of a project) are snapped
SNAP = 1e-6


@dataclass
class Amounts:
    """Integer project amounts being made (``RoundingView`` for the policies' repairs)."""

    case: Case
    policies: Any
    amounts: dict[int, int]
    density: dict[int, float]
    exempt: set[PolicyKey] = field(default_factory=set)


def project_amounts(
    case: Case, am: AllocationModel, result: SolveResult, min_share: float
) -> dict[int, int]:
    """Integer yuan per modelled project."""
    m = am.model
    amounts: dict[int, int] = {}
    selected: set[int] = set()
    fractional: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for p in am.modelled:
        project = case.projects[p]
        share = min(max(result.value(m.s[p]), 0.0), 1.0)
        if not project.divisible:
            amounts[p] = project.cost if share > 0.5 else 0
            continue
        if p in m.Z:  # the model says whether it is funded at all
            if result.value(m.z[p]) < 0.5:
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
                amount = max(amount, least_amount(case.projects[p].cost, True, min_share))
            amounts[p] = min(amount, case.projects[p].cost)
    return amounts


def money_groups(am: AllocationModel) -> list[tuple[tuple[int, ...], Any]]:
    """Every group money flows into, projects' then measures', with its funds and flow vars."""
    m = am.model
    found: list[tuple[tuple[int, ...], Any]] = [
        (group.funds, lambda f, g=g: m.x[f, g]) for g, group in enumerate(am.groups)
    ]
    found += [(group.funds, lambda f, h=h: m.xh[f, h]) for h, group in enumerate(am.measure_groups)]
    return found


def group_flows(
    case: Case,
    am: AllocationModel,
    result: SolveResult,
    demand: list[int],
    rank: dict[int, int] | None = None,
) -> dict[tuple[int, int], int]:
    """Integer yuan per (fund, group) meeting every group's demand within budgets.

    Groups are :func:`money_groups` (project groups, then measure groups).
    Missing yuan are drawn from funds in ``rank`` order (lower first; the
    policies' preference, e.g. matching money before the money it matches).
    """
    groups = money_groups(am)
    flows: dict[tuple[int, int], int] = {}
    used: dict[int, int] = defaultdict(int)
    for g, (funds, flow) in enumerate(groups):
        for f in funds:
            amount = max(0, math.floor(result.value(flow(f)) * am.unit + 1e-6))
            flows[(f, g)] = amount
            used[f] += amount
    # Trim groups that received more than their (rounded) demand, highest fund first.
    for g, (funds, _) in enumerate(groups):
        excess = sum(flows[(f, g)] for f in funds) - demand[g]
        for f in sorted(funds, reverse=True):
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
    order = rank or {}
    funds_of = [tuple(sorted(funds, key=lambda f: (order.get(f, 0), f))) for funds, _ in groups]
    for g, (funds, _) in enumerate(groups):
        missing = demand[g] - sum(flows[(f, g)] for f in funds)
        while missing > 0:
            moved = _augment(funds_of, flows, slack, g, missing)
            if moved == 0:
                raise _Shortfall(g, missing)
            missing -= moved
    return flows


class _Shortfall(Exception):
    def __init__(self, group: int, missing: int) -> None:
        super().__init__(msg("group {group} short by {missing} yuan", group=group, missing=missing))
        self.group = group
        self.missing = missing


def _augment(
    funds_of: list[tuple[int, ...]],
    flows: dict[tuple[int, int], int],
    slack: dict[int, int],
    target: int,
    wanted: int,
) -> int:
    """Send up to ``wanted`` yuan into group ``target`` along one augmenting path."""
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


def round_plan(
    case: Case,
    am: AllocationModel,
    result: SolveResult,
    policies: Any,
    density: dict[int, float],
    exempt: set[PolicyKey] | None = None,
) -> tuple[list[Allocation], list[Grant]]:
    """Exact integer allocations and household grants from a solver result (raises if
    none can be made).

    ``exempt`` policy instances (a relaxed plan's waived ones) are not repaired.
    """
    min_share = min_share_of(policies)
    amounts = project_amounts(case, am, result, min_share)
    view = Amounts(case, policies, amounts, density, exempt or set())
    active_policies = list(active(policies))
    for policy, config in active_policies:
        policy.repair(config, view)
    rank: dict[int, int] = defaultdict(int)
    for policy, config in active_policies:
        for f, r in policy.fund_order(config, case, range(len(case.funds))).items():
            rank[f] += r
    counts = measure_counts(am, result)
    options = am.households
    measure_demand = [
        sum(options.unit_cost[k] * counts[k] for k in group.pairs)
        for group in am.measure_groups
        if options is not None
    ]
    for _attempt in range(len(am.modelled) + 1):
        demand = [sum(amounts[p] for p in group.projects) for group in am.groups]
        try:
            flows = group_flows(case, am, result, demand + measure_demand, rank)
            break
        except _Shortfall as short:
            if short.group >= len(am.groups):
                raise SolverError(
                    msg(
                        (
                            "could not turn the solver's plan into whole yuan: household measures "
                            "are {missing} yuan short of eligible budget"
                        ),
                        missing=short.missing,
                    )
                ) from None
            # Float noise left a group a few yuan short: trim its divisible projects.
            if not _trim(case, am.groups[short.group].projects, amounts, short.missing, min_share):
                members = am.groups[short.group].projects[:5]
                names = ", ".join(case.projects[p].project_id for p in members)
                raise SolverError(
                    msg(
                        (
                            "could not turn the solver's plan into whole yuan: projects {names} "
                            "are {missing} yuan short of eligible budget"
                        ),
                        names=names,
                        missing=short.missing,
                    )
                ) from None
    else:  # pragma: no cover - every failed attempt either trims or raises
        raise SolverError(msg("rounding did not converge"))
    allocations: list[Allocation] = []
    for g, group in enumerate(am.groups):
        pool = [(f, flows[(f, g)]) for f in group.funds if flows[(f, g)] > 0]
        if any(policy.split_evenly(config, case, group) for policy, config in active_policies):
            allocations += _split_evenly(group, pool, amounts)
            continue
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
    if options is None:
        return allocations, []
    first = len(am.groups)
    pools = [
        [(f, flows[(f, first + h)]) for f in group.funds]
        for h, group in enumerate(am.measure_groups)
    ]
    grants = split_grants(options, am.measure_groups, assign_households(options, counts), pools)
    return allocations, grants


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


def _split_evenly(
    group: Any, pool: list[tuple[int, int]], amounts: dict[int, int]
) -> list[Allocation]:
    """Each project gets every fund's money in proportion to its amount (whole yuan).

    Per fund, the projects' shares of its flow are rounded by largest remainder;
    per project, the rounded shares are then adjusted so they add up to its
    amount exactly, moving single yuan between funds where they are over and
    under. Every fund's total and every project's total stay exact.
    """
    projects = [p for p in group.projects if amounts[p] > 0]
    total = sum(amounts[p] for p in projects)
    if not projects or total == 0:
        return []
    share: dict[tuple[int, int], int] = {}
    for f, money in pool:
        exact = [money * amounts[p] / total for p in projects]
        parts = [math.floor(x) for x in exact]
        order = sorted(range(len(projects)), key=lambda i: (-(exact[i] - parts[i]), i))
        for i in order[: money - sum(parts)]:
            parts[i] += 1
        for p, part in zip(projects, parts, strict=True):
            share[(f, p)] = part
    funds = [f for f, _ in pool]
    # Balance: a project short of its amount takes a yuan of a fund from a project over it.
    over = {p: sum(share[(f, p)] for f in funds) - amounts[p] for p in projects}
    for p in projects:
        while over[p] < 0:
            donor = next(q for q in projects if over[q] > 0)
            f = next(f for f in funds if share[(f, donor)] > 0)
            share[(f, donor)] -= 1
            share[(f, p)] += 1
            over[donor] -= 1
            over[p] += 1
    return [Allocation(p, f, share[(f, p)]) for p in projects for f in funds if share[(f, p)] > 0]
