"""Building the allocation MIP in Pyomo.

Formulation (money in scaled units, ``spec.solver.money_unit`` yuan each):

* ``s[p]`` share of project p funded: binary for indivisible projects,
  continuous in [0, 1] for divisible ones (with a binary ``z[p]`` where a
  minimum share or a project-count floor needs to know "funded at all").
* Projects with identical eligible-fund sets and the same category form a
  group g; money flows ``x[f, g]`` from fund f to group g. This is exact: once
  group totals are met, any split of a group's money among its projects is
  feasible because every fund eligible for one is eligible for all. It turns
  one variable per eligible (fund, project) pair into one per (fund, group).
* ``balance[g]``: sum_f x[f, g] = sum_{p in g} cost_p s[p]; ``budget[f]``:
  sum_g x[f, g] <= budget_f; then village floors and caps, category shares and
  must-fund categories as the spec declares.
* Objective: maximize sum_p value_p s[p], each value scaled by 1 + 1e-7 x (a
  rank by project id) so equal-value optima are broken the same way every time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyomo.environ as pyo

from allocator.case import Case
from allocator.rules.eligibility import Eligibility
from allocator.spec import ModelSpec
from allocator.valuation import ProjectValue

TIE_BREAK = 1e-7
ZERO_VALUE_PENALTY = 1e-6


def min_selected_share(cost: int, min_share: float) -> float:
    """Smallest share a divisible project gets once funded: the spec's minimum, >= 1 yuan."""
    return min(1.0, max(min_share, 1.0 / cost))


#: A policy instance: (policy, subject), e.g. ("floor_amount", "V012"),
#: ("village_cap", "V003"), ("category_min_share", "0"), ("must_fund", "P0042").
PolicyKey = tuple[str, str]


@dataclass(frozen=True)
class Relaxation:
    """Policies that may be violated: ``find`` the fewest (every instance gets a
    slack and a violation indicator), or ``allow`` the listed ones."""

    mode: Literal["find", "allow"]
    allowed: frozenset[PolicyKey] = frozenset()


@dataclass(frozen=True)
class Group:
    """Projects sharing one eligible-fund set and category."""

    funds: tuple[int, ...]
    category: str
    projects: tuple[int, ...]


@dataclass
class AllocationModel:
    """The Pyomo model and the index maps needed to read its solution."""

    model: pyo.ConcreteModel
    groups: list[Group]
    modelled_projects: list[int]
    unit: int
    #: floor amount (yuan) and project count actually imposed per poor village
    floors: dict[int, tuple[int, int]] = field(default_factory=dict)
    column_order: list[pyo.Var] = field(default_factory=list)
    #: every policy instance and the largest violation it can have (model units)
    instances: dict[PolicyKey, float] = field(default_factory=dict)

    def violations(self, values: dict[int, float], tol: float = 1e-7) -> dict[PolicyKey, float]:
        """Policy instances a (relaxed) solution violates, and by how much (model units)."""
        found: dict[PolicyKey, float] = {}
        if not hasattr(self.model, "slack"):
            return found
        for key in self.model.K:
            amount = values.get(id(self.model.slack[key]), 0.0)
            if amount > tol * max(1.0, self.instances[key]):
                found[key] = amount
        return found


def group_projects(case: Case, eligibility: Eligibility, per_pair: bool = False) -> list[Group]:
    """Group fundable projects by (eligible-fund set, category), in project order.

    With ``per_pair`` every project is its own group: one flow per eligible pair.
    """
    packed = np.packbits(eligibility.eligible, axis=0)  # (ceil(F/8), P)
    fundable = np.asarray(eligibility.eligible.any(axis=0))
    buckets: dict[tuple[bytes, str], list[int]] = defaultdict(list)
    for p, project in enumerate(case.projects):
        if not fundable[p]:
            continue
        key = str(p).encode() if per_pair else packed[:, p].tobytes()
        buckets[(key, project.category)].append(p)
    groups = []
    for members in buckets.values():
        funds = tuple(eligibility.eligible_funds(members[0]))
        groups.append(Group(funds, case.projects[members[0]].category, tuple(members)))
    groups.sort(key=lambda g: g.projects[0])
    return groups


def build_model(
    case: Case,
    eligibility: Eligibility,
    values: list[ProjectValue],
    spec: ModelSpec,
    relax: Relaxation | None = None,
) -> AllocationModel:
    """Build the MIP for ``case`` under ``spec``; deterministic in the case's id order."""
    unit = spec.solver.money_unit
    policies = spec.policies
    groups = group_projects(case, eligibility, spec.solver.formulation == "per_pair")
    modelled = sorted(p for g in groups for p in g.projects)
    cost = {p: case.projects[p].cost / unit for p in modelled}
    village_of = case.village_index()
    poor_villages = {i for i, v in enumerate(case.villages) if v.poor_village}
    by_village: dict[int, list[int]] = defaultdict(list)
    for p in modelled:
        by_village[village_of[case.projects[p].village_id]].append(p)

    floor = policies.poor_village_floor
    count_floor = floor is not None and floor.min_projects > 0
    needs_z = [
        p
        for p in modelled
        if case.projects[p].divisible
        and (
            policies.divisible_min_share > 0
            or (count_floor and village_of[case.projects[p].village_id] in poor_villages)
        )
    ]

    m = pyo.ConcreteModel(name="allocation")
    m.P = pyo.Set(initialize=modelled, ordered=True)
    m.s = pyo.Var(m.P, bounds=(0, 1))
    for p in modelled:
        if not case.projects[p].divisible:
            m.s[p].domain = pyo.Binary
    m.Z = pyo.Set(initialize=needs_z, ordered=True)
    m.z = pyo.Var(m.Z, domain=pyo.Binary)
    arcs = [(f, g) for g, group in enumerate(groups) for f in group.funds]
    m.A = pyo.Set(initialize=arcs, dimen=2, ordered=True)
    group_cost = [sum(cost[p] for p in group.projects) for group in groups]
    m.x = pyo.Var(
        m.A,
        bounds=lambda _, f, g: (0, min(case.funds[f].budget / unit, group_cost[g])),
    )

    arcs_into: dict[int, list[int]] = defaultdict(list)
    arcs_from: dict[int, list[int]] = defaultdict(list)
    for f, g in arcs:
        arcs_into[g].append(f)
        arcs_from[f].append(g)

    m.balance = pyo.Constraint(
        range(len(groups)),
        rule=lambda m, g: (
            sum(m.x[f, g] for f in arcs_into[g])
            == sum(cost[p] * m.s[p] for p in groups[g].projects)
        ),
    )
    m.budget = pyo.Constraint(
        sorted(arcs_from),
        rule=lambda m, f: sum(m.x[f, g] for g in arcs_from[f]) <= case.funds[f].budget / unit,
    )

    if needs_z:
        m.z_upper = pyo.Constraint(m.Z, rule=lambda m, p: m.s[p] <= m.z[p])
        # A project that counts as funded gets its minimum share, and at least 1 yuan.
        m.z_lower = pyo.Constraint(
            m.Z,
            rule=lambda m, p: (
                m.s[p]
                >= min_selected_share(case.projects[p].cost, policies.divisible_min_share) * m.z[p]
            ),
        )

    def selected(p: int) -> pyo.Var:
        return m.z[p] if p in m.Z else m.s[p]

    # Policy instances, each with the largest violation it can have (model units).
    instances: dict[PolicyKey, float] = {}
    floors: dict[int, tuple[int, int]] = {}
    if floor is not None:
        for v in sorted(poor_villages):
            projects = by_village.get(v, [])
            library = sum(case.projects[p].cost for p in projects)
            amount = min(floor.min_amount, library)
            count = min(floor.min_projects, len(projects))
            if amount > 0 or count > 0:
                floors[v] = (amount, count)
            village_id = case.villages[v].village_id
            if amount > 0:
                instances[("floor_amount", village_id)] = amount / unit
            if count > 0:
                instances[("floor_projects", village_id)] = float(count)
    cap = policies.village_cap
    capped: list[int] = []
    if cap is not None:
        for v in sorted(by_village):
            library = sum(case.projects[p].cost for p in by_village[v])
            if library > cap.max_amount:
                capped.append(v)
                instances[("village_cap", case.villages[v].village_id)] = (
                    library - cap.max_amount
                ) / unit
    share_scopes: list[tuple[int, list[tuple[int, int]]]] = []
    for i, rule in enumerate(policies.category_shares):
        kinds = set(rule.fund_kinds) if rule.fund_kinds is not None else None
        scoped = [(f, g) for f, g in arcs if kinds is None or case.funds[f].kind in kinds]
        if not scoped:
            continue
        share_scopes.append((i, scoped))
        reach = sum(case.funds[f].budget for f in {f for f, _ in scoped}) / unit
        if rule.min_share > 0:
            instances[("category_min_share", str(i))] = rule.min_share * reach
        if rule.max_share < 1:
            instances[("category_max_share", str(i))] = (1 - rule.max_share) * reach
    must = set(policies.must_fund_categories)
    must_projects = [p for p in modelled if case.projects[p].category in must]
    for p in must_projects:
        instances[("must_fund", case.projects[p].project_id)] = 1.0

    if relax is None:
        slack_keys: list[PolicyKey] = []
    elif relax.mode == "find":
        slack_keys = list(instances)
    else:
        slack_keys = [k for k in instances if k in relax.allowed]
    m.K = pyo.Set(initialize=slack_keys, dimen=2, ordered=True)
    m.slack = pyo.Var(m.K, bounds=lambda _, *k: (0, instances[tuple(k)]))

    def slack(key: PolicyKey) -> Any:
        return m.slack[key] if key in m.K else 0

    village_key = {v: case.villages[v].village_id for v in range(len(case.villages))}
    m.floor_amount = pyo.Constraint(
        [v for v, (a, _) in floors.items() if a > 0],
        rule=lambda m, v: (
            sum(cost[p] * m.s[p] for p in by_village[v]) + slack(("floor_amount", village_key[v]))
            >= floors[v][0] / unit
        ),
    )
    m.floor_projects = pyo.Constraint(
        [v for v, (_, c) in floors.items() if c > 0],
        rule=lambda m, v: (
            sum(selected(p) for p in by_village[v]) + slack(("floor_projects", village_key[v]))
            >= floors[v][1]
        ),
    )
    if cap is not None:
        m.village_cap = pyo.Constraint(
            capped,
            rule=lambda m, v: (
                sum(cost[p] * m.s[p] for p in by_village[v])
                - slack(("village_cap", village_key[v]))
                <= cap.max_amount / unit
            ),
        )
    m.share_rules = pyo.ConstraintList()
    for i, scoped in share_scopes:
        rule = policies.category_shares[i]
        total = sum(m.x[f, g] for f, g in scoped)
        in_category = sum(m.x[f, g] for f, g in scoped if groups[g].category == rule.category)
        if rule.min_share > 0:
            m.share_rules.add(
                in_category + slack(("category_min_share", str(i))) >= rule.min_share * total
            )
        if rule.max_share < 1:
            m.share_rules.add(
                in_category - slack(("category_max_share", str(i))) <= rule.max_share * total
            )
    m.must_fund = pyo.Constraint(
        must_projects,
        rule=lambda m, p: m.s[p] + slack(("must_fund", case.projects[p].project_id)) >= 1,
    )
    if relax is not None and relax.mode == "find":
        m.violated = pyo.Var(m.K, domain=pyo.Binary)
        m.slack_needs_violation = pyo.Constraint(
            m.K, rule=lambda m, *k: m.slack[k] <= instances[tuple(k)] * m.violated[k]
        )

    count = len(case.projects)
    coefficients = {}
    for rank, p in enumerate(modelled):
        value = values[p].value
        if value > 0:
            coefficients[p] = value * (1 + TIE_BREAK * (count - rank) / count)
        else:
            coefficients[p] = -ZERO_VALUE_PENALTY * cost[p]
    value = sum(coefficients[p] * m.s[p] for p in modelled)
    if relax is None:
        m.value = pyo.Objective(expr=value, sense=pyo.maximize)
    else:
        # Lexicographic in one objective: fewest violated instances (find mode),
        # then smallest violations (each relative to its largest), then value.
        scale = sum(abs(c) for c in coefficients.values()) or 1.0
        penalty = sum(m.slack[k] / instances[k] for k in slack_keys)
        objective = 0.5 * value / scale - 0.25 * penalty
        if relax.mode == "find":
            objective -= sum(m.violated[k] for k in slack_keys)
        else:
            objective -= 0.25 * penalty * len(slack_keys)  # allowed ones: still keep small
        m.value = pyo.Objective(expr=objective, sense=pyo.maximize)

    order = [m.s[p] for p in modelled] + [m.z[p] for p in needs_z] + [m.x[a] for a in arcs]
    order += [m.slack[k] for k in slack_keys]
    if relax is not None and relax.mode == "find":
        order += [m.violated[k] for k in slack_keys]
    return AllocationModel(m, groups, modelled, unit, floors, order, instances)


#: Fund levels in the order their money is drawn among equally restricted funds.
LEVEL_ORDER = {"central": 0, "provincial": 1, "city": 2, "county": 3}


def flow_costs(case: Case, am: AllocationModel, eligibility: Eligibility) -> dict[int, float]:
    """``id(x var) -> cost`` for the canonical split of money among funds.

    Money is drawn first from the most restricted fund (eligible for the fewest
    projects: it can pay for little else), then by level (central first: the
    strictest spending deadlines), then by fund id. The selection is already
    fixed, so this only decides which fund pays, never what is funded.
    """
    reach = eligibility.eligible.sum(axis=1)
    order = sorted(
        range(len(case.funds)), key=lambda f: (int(reach[f]), LEVEL_ORDER[case.funds[f].level], f)
    )
    rank = {f: r for r, f in enumerate(order)}
    count = len(case.funds)
    return {
        id(am.model.x[f, g]): 1.0 + rank[f] / count
        for g, group in enumerate(am.groups)
        for f in group.funds
    }
