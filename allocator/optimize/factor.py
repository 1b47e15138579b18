"""The status-quo factor method, as finance bureaus split money today.

1. Envelopes: each fund's budget is split among units (villages, or townships)
   that have at least one project the fund may pay for, in proportion to
   weighted factor shares (e.g. poor population 70%, poor villages 20%, income
   gap 10%), each unit's share multiplied by its performance factor; whole yuan
   by largest remainder, so every fund's envelopes add up to its budget exactly.
2. Fill: each unit's projects are funded in priority order (the spec's value
   per yuan, then project id) from the envelopes of the funds that may pay for
   them, respecting indivisibility, the minimum share and the village cap.
3. Optionally, money left in envelopes that no project of the unit could use is
   pooled per fund and the remaining projects are filled county-wide by the
   same priority (the manual adjustment bureaus make).

The same eligibility rules and earmarks apply; nothing is optimized.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from allocator.io.case import Case
from allocator.ledger import Allocation, split_yuan
from allocator.need_overlap import Overlap, SharedNeeds, best_first
from allocator.policies.divisible_min_share import least_amount, min_share_of
from allocator.policies.village_cap import cap_of
from allocator.rules.eligibility import Eligibility
from allocator.spec import ModelSpec
from allocator.valuation import ProjectValue


def factor_allocate(
    case: Case,
    eligibility: Eligibility,
    values: list[ProjectValue],
    spec: ModelSpec,
    overlaps: list[Overlap] | None = None,
) -> list[Allocation]:
    """A plan made by the factor method (whole yuan, within budgets and eligibility).

    Like a careful bureau, it knows a project and its alternative address one
    need (``overlaps``): a project is taken by what it adds to those funded."""
    method = spec.factor
    policies = spec.policies
    village_of = case.village_index()
    scores = {s.village_id: s.score for s in case.scores}

    def unit_of(village_id: str) -> str:
        if method.unit == "village":
            return village_id
        return case.villages[village_of[village_id]].township

    units = sorted({unit_of(v.village_id) for v in case.villages})
    unit_index = {u: i for i, u in enumerate(units)}
    factors = np.zeros((len(units), 4))
    performance = np.ones(len(units))
    members: dict[int, list[float]] = defaultdict(list)
    for v in case.villages:
        u = unit_index[unit_of(v.village_id)]
        gap = max(0, method.income_reference - v.per_capita_income) * v.population
        factors[u] += (v.poor_population, 1.0 if v.poor_village else 0.0, gap, v.population)
        members[u].append(spec.objective.performance.factor(scores.get(v.village_id)))
    if method.performance_adjustment:
        performance = np.array([sum(members[u]) / len(members[u]) for u in range(len(units))])
    names = ["poor_population", "poor_villages", "income_gap", "population"]

    density = {p: values[p].value / case.projects[p].cost for p in range(len(case.projects))}
    projects_of: dict[int, list[int]] = defaultdict(list)
    for p, project in enumerate(case.projects):
        if values[p].value > 0 and eligibility.eligible[:, p].any():
            projects_of[unit_index[unit_of(project.village_id)]].append(p)
    for u in projects_of:
        projects_of[u].sort(key=lambda p: (-density[p], p))

    # 1. Envelopes per (fund, unit), among units the fund can pay for at all.
    envelope: dict[tuple[int, int], int] = {}
    for f, fund in enumerate(case.funds):
        reach = [
            u
            for u in range(len(units))
            if any(eligibility.eligible[f, p] for p in projects_of.get(u, []))
        ]
        if not reach:
            continue
        shares = np.zeros(len(reach))
        for k, name in enumerate(names):
            weight = method.weights.get(name, 0.0)  # type: ignore[call-overload]
            column = factors[reach, k]
            if weight > 0 and column.sum() > 0:
                shares += weight * column / column.sum()
        shares *= performance[reach]
        for u, amount in zip(reach, split_yuan(fund.budget, shares.tolist()), strict=True):
            envelope[(f, u)] = amount

    # 2. Fill each unit's projects from its envelopes.
    paid: dict[tuple[int, int], int] = defaultdict(int)
    village_spent: dict[str, int] = defaultdict(int)
    got: dict[int, int] = defaultdict(int)
    cap = cap_of(policies)
    min_share = min_share_of(policies)

    def fill(p: int, purses: dict[int, int]) -> None:
        project = case.projects[p]
        need = project.cost - got[p]
        funds = [f for f in sorted(purses) if eligibility.eligible[f, p] and purses[f] > 0]
        room = sum(purses[f] for f in funds)
        if cap is not None:
            room = min(room, cap - village_spent[project.village_id])
        if project.divisible:
            amount = min(need, room)
            least = least_amount(project.cost, True, min_share)
            if got[p] == 0 and amount < least:
                return
        elif room >= need:
            amount = need
        else:
            return
        if amount <= 0:
            return
        village_spent[project.village_id] += amount
        got[p] += amount
        for f in funds:
            take = min(purses[f], amount)
            purses[f] -= take
            paid[(f, p)] += take
            amount -= take
            if amount == 0:
                break

    shared = SharedNeeds(overlaps or [])

    def funded(q: int) -> bool:
        return got.get(q, 0) >= case.projects[q].cost

    def reprice(item: tuple[float, int]) -> tuple[float, int] | None:
        key, p = item
        now = shared.reprice(key, p, values[p].value, case.projects[p].cost, funded)
        return None if now is None else (now, p)

    by_unit: dict[int, dict[int, int]] = defaultdict(dict)
    for (f, u), amount in envelope.items():
        by_unit[u][f] = amount
    leftover: dict[int, int] = defaultdict(int)
    for u in range(len(units)):
        purses = by_unit.get(u, {})
        for _, p in best_first([(-density[p], p) for p in projects_of.get(u, [])], reprice):
            fill(p, purses)
        for f, amount in purses.items():
            leftover[f] += amount

    # 3. The bureau's adjustment: pool what no project of a unit could use.
    if method.reallocate_leftover:
        remaining = sorted(
            (p for ps in projects_of.values() for p in ps if got[p] < case.projects[p].cost),
            key=lambda p: (-density[p], p),
        )
        pool = dict(leftover)
        for _, p in best_first([(-density[p], p) for p in remaining], reprice):
            fill(p, pool)

    return sorted(
        (Allocation(p, f, amount) for (f, p), amount in paid.items() if amount > 0),
        key=lambda a: (a.project, a.fund),
    )
