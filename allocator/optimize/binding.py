"""Which policy instance holds money back, and at what price.

With the plan's selection fixed, the LP's duals price every policy row: how
much value 10,000 more yuan of room in that instance would buy. A project left
unfunded although its eligible funds have money left, or a fund whose money
stays idle, is held back by the policy row that weighs most on its money flows
(or on its own share; weight = |dual x coefficient|): that instance is named
with its price, the row's dual. Where no policy row weighs on it, the reason
is elsewhere (indivisibility, or the gap).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from allocator.io.case import Case
from allocator.ledger import Ledger
from allocator.optimize.model import AllocationModel
from allocator.optimize.solve import Pressure, SolveResult, pressure
from allocator.plan import Binding
from allocator.policies.base import PolicyKey
from allocator.policies.registry import owner
from allocator.rules.eligibility import Eligibility
from allocator.valuation import ProjectValue

#: pressures below this (value per 10,000 yuan) are solver noise, not a binding policy
NOISE = 1e-6


@dataclass
class Bindings:
    funds: dict[int, Binding] = field(default_factory=dict)
    projects: dict[int, Binding] = field(default_factory=dict)
    every: list[Binding] = field(default_factory=list)


def _binding(key: PolicyKey, price: float, policies: Any) -> Binding:
    policy = owner(key)
    config = policy.config(policies)
    return Binding(key, f"policies.{policy.key}", policy.instance_name(config, key), price)


def _heaviest(found: list[tuple[PolicyKey, float]]) -> tuple[PolicyKey, float] | None:
    found = [f for f in found if f[1] > NOISE]
    if not found:
        return None
    return max(found, key=lambda item: (item[1], item[0]))


def find_bindings(
    am: AllocationModel,
    fixed: SolveResult,
    case: Case,
    eligibility: Eligibility,
    policies: Any,
    ledger: Ledger,
    values: list[ProjectValue],
    to_households: dict[int, int] | None = None,
) -> Bindings:
    """Binding instances, and the one holding back each project and each fund's idle money."""
    weight = pressure(fixed, am.policy_rows)
    per_10k = 10_000 / am.unit
    result = Bindings()
    duals: dict[PolicyKey, float] = {}
    for row, key in am.policy_rows:
        price = abs(fixed.dual(row)) * per_10k
        if price > NOISE:
            duals[key] = max(duals.get(key, 0.0), price)
    result.every = [_binding(k, p, policies) for k, p in sorted(duals.items())]

    m = am.model
    households = to_households or {}
    left = {
        f: fund.budget - ledger.fund(f) - households.get(f, 0) for f, fund in enumerate(case.funds)
    }
    group_of = {p: g for g, group in enumerate(am.groups) for p in group.projects}
    paying_of: dict[int, list[int]] = defaultdict(list)
    for f, p in ledger.by_pair:
        paying_of[p].append(f)
    open_groups = {
        g
        for g, group in enumerate(am.groups)
        if any(
            ledger.project(p) < case.projects[p].cost and values[p].value > 0
            for p in group.projects
        )
    }

    def on_flows(g: int, funds: list[int]) -> list[tuple[PolicyKey, float]]:
        return [
            (hit[0], hit[1] * per_10k) for f in funds if (hit := weight.on(m.x[f, g])) is not None
        ]

    for p in am.modelled:
        project = case.projects[p]
        funded = ledger.project(p) >= project.cost
        g = group_of[p]
        if funded:  # what required it (a floor, a must-fund, a minimum share)?
            paying = sorted(paying_of[p])
        else:  # what holds it back, where its funds still have money?
            if values[p].value <= 0:
                continue
            paying = [f for f in am.groups[g].funds if left[f] > 0]
            if not paying:
                continue
        found = on_flows(g, paying) + _on_share(weight, m, p, am.cost[p], per_10k)
        heaviest = _heaviest(found)
        if heaviest is not None and heaviest[0] in duals:
            result.projects[p] = _binding(heaviest[0], duals[heaviest[0]], policies)

    for f, _fund in enumerate(case.funds):
        if left[f] <= 0:
            continue
        groups = [g for g in sorted(open_groups) if f in am.groups[g].funds]
        found = [hit for g in groups for hit in on_flows(g, [f])]
        heaviest = _heaviest(found)
        if heaviest is not None and heaviest[0] in duals:
            result.funds[f] = _binding(heaviest[0], duals[heaviest[0]], policies)
    return result


def _on_share(
    weight: Pressure, m: Any, p: int, cost: float, per_10k: float
) -> list[tuple[PolicyKey, float]]:
    hits = [weight.on(m.s[p])] + ([weight.on(m.z[p])] if p in m.Z else [])
    return [(hit[0], hit[1] / cost * per_10k) for hit in hits if hit is not None and cost > 0]
