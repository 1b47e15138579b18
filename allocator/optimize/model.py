"""Building the allocation MIP in Pyomo: core rows here, each policy's rows in its module.

Formulation (money in scaled units, ``spec.solver.money_unit`` yuan each):

* ``s[p]`` share of project p funded: binary for indivisible projects,
  continuous in [0, 1] for divisible ones (with a binary ``z[p]`` where a
  policy needs to know "funded at all").
* Projects with identical eligible-fund sets and the same category form a
  group g; money flows ``x[f, g]`` from fund f to group g. This is exact: once
  group totals are met, any split of a group's money among its projects is
  feasible because every fund eligible for one is eligible for all.
* ``balance[g]``: sum_f x[f, g] = sum_{p in g} cost_p s[p]; ``budget[f]``:
  sum_g x[f, g] <= budget_f; then every active policy's rows
  (``Policy.define``), each instance with an elastic slack when the model is
  built to diagnose infeasibility.
* Objective: maximize sum_p value_p s[p], each value scaled by 1 + 1e-7 x (a
  rank by project id) so equal-value optima are broken the same way every time.

``build_model`` is the sequence: variables, balance and budgets, selection,
policies, violation indicators, objective.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyomo.core as pyo  # components only; pyomo.environ also loads every plugin

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.need_overlap import Overlap, need_overlaps
from allocator.optimize.household_model import (
    MeasureGroup,
    define_household_variables,
    group_pairs,
    household_objective,
)
from allocator.optimize.linear import linear
from allocator.optimize.overlap_model import define_overlaps
from allocator.policies.base import Group, PolicyKey, least_selected_share
from allocator.policies.divisible_min_share import min_share_of
from allocator.policies.registry import active
from allocator.rules.eligibility import Eligibility
from allocator.rules.household_options import HouseholdOptions
from allocator.spec import ModelSpec
from allocator.valuation import HouseholdValues, ProjectValue

TIE_BREAK = 1e-7
ZERO_VALUE_PENALTY = 1e-6


@dataclass(frozen=True)
class Elastic:
    """How policy instances may be violated: ``find`` the fewest (every instance gets a
    slack and a violation indicator), or ``allow`` the listed ones."""

    mode: Literal["find", "allow"]
    allowed: frozenset[PolicyKey] = frozenset()


@dataclass
class AllocationModel:
    """The Pyomo model, its index maps, and the policy rows it holds.

    It is also what a policy sees while the model is built (``ModelBuilder``):
    ``share``, ``selected``, ``flow``, ``slack`` and ``constrain``.
    """

    case: Case
    model: pyo.ConcreteModel
    groups: list[Group]
    modelled: list[int]
    unit: int
    elastic: Elastic | None = None
    cost: dict[int, float] = field(default_factory=dict)
    by_village: dict[int, list[int]] = field(default_factory=dict)
    arcs: list[tuple[int, int]] = field(default_factory=list)
    column_order: list[Any] = field(default_factory=list)
    #: every policy instance and the largest violation it can have (model units)
    instances: dict[PolicyKey, float] = field(default_factory=dict)
    #: each policy row and the instance it belongs to
    policy_rows: list[tuple[Any, PolicyKey]] = field(default_factory=list)
    slacks: dict[PolicyKey, Any] = field(default_factory=dict)
    #: registered poor households as classes, when the case has a register and measures
    households: HouseholdOptions | None = None
    measure_groups: list[MeasureGroup] = field(default_factory=list)
    measure_arcs: list[tuple[int, int]] = field(default_factory=list)
    #: households of a need several projects address, counted once (need_overlap)
    overlaps: list[Overlap] = field(default_factory=list)
    #: (column, term) of each overlap the model holds
    overlap_terms: list[tuple[Any, Overlap]] = field(default_factory=list)

    def share(self, p: int) -> Any:
        return self.model.s[p]

    def selected(self, p: int) -> Any:
        return self.model.z[p] if p in self.model.Z else self.model.s[p]

    def flow(self, f: int, g: int) -> Any:
        return self.model.x[f, g]

    def given(self, k: int) -> Any:
        """Households of pair k's class given its measure (an integer count)."""
        return self.model.y[k]

    def reached(self, c: int) -> Any:
        """Households of class c given at least one measure."""
        return self.model.r[c]

    def slack(self, key: PolicyKey, largest: float) -> Any:
        self.instances[key] = largest
        elastic = self.elastic
        if elastic is None or (elastic.mode == "allow" and key not in elastic.allowed):
            return 0
        var = self.model.slack.add()
        var.setlb(0)
        var.setub(largest)
        self.slacks[key] = var
        return var

    def constrain(self, key: PolicyKey, row: Any) -> None:
        if isinstance(row, bool | np.bool_):
            if not row:
                raise ValueError(msg("policy instance {key} is trivially impossible", key=key))
            return
        self.policy_rows.append((self.model.policy_rows.add(row), key))

    def violations(self, value: Any, tol: float = 1e-7) -> dict[PolicyKey, float]:
        """Policy instances an elastic solution violates, and by how much (model units).

        ``value`` reads a variable's value in that solution.
        """
        found: dict[PolicyKey, float] = {}
        for key, var in self.slacks.items():
            amount = float(value(var))
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


def define_variables(am: AllocationModel, selections: set[int]) -> None:
    """Shares s[p], "funded at all" binaries z[p] where a policy needs them, flows x[f, g]."""
    case, m = am.case, am.model
    m.P = pyo.Set(initialize=am.modelled, ordered=True)
    m.s = pyo.Var(m.P, bounds=(0, 1))
    for p in am.modelled:
        if not case.projects[p].divisible:
            m.s[p].domain = pyo.Binary
    needs_z = sorted(p for p in selections if case.projects[p].divisible)
    m.Z = pyo.Set(initialize=needs_z, ordered=True)
    m.z = pyo.Var(m.Z, domain=pyo.Binary)
    m.A = pyo.Set(initialize=am.arcs, dimen=2, ordered=True)
    group_cost = [sum(am.cost[p] for p in group.projects) for group in am.groups]
    m.x = pyo.Var(
        m.A,
        bounds=lambda _, f, g: (0, min(case.funds[f].budget / am.unit, group_cost[g])),
    )
    m.slack = pyo.VarList()
    am.column_order = [m.s[p] for p in am.modelled] + [m.z[p] for p in needs_z]
    am.column_order += [m.x[a] for a in am.arcs]


def define_balance_and_budgets(am: AllocationModel) -> None:
    """Each group's flows pay its funded cost; no fund pays more than its budget."""
    m, groups, case = am.model, am.groups, am.case
    arcs_into: dict[int, list[int]] = defaultdict(list)
    arcs_from: dict[int, list[int]] = defaultdict(list)
    for f, g in am.arcs:
        arcs_into[g].append(f)
        arcs_from[f].append(g)
    m.balance = pyo.Constraint(
        range(len(groups)),
        rule=lambda m, g: (
            linear([1.0] * len(arcs_into[g]), [m.x[f, g] for f in arcs_into[g]])
            == linear(
                [am.cost[p] for p in groups[g].projects], [m.s[p] for p in groups[g].projects]
            )
        ),
    )
    measures_from: dict[int, list[int]] = defaultdict(list)
    for f, h in am.measure_arcs:
        measures_from[f].append(h)
    m.budget = pyo.Constraint(
        sorted(set(arcs_from) | set(measures_from)),
        rule=lambda m, f: (
            linear(
                [1.0] * (len(arcs_from[f]) + len(measures_from[f])),
                [m.x[f, g] for g in arcs_from[f]] + [m.xh[f, h] for h in measures_from[f]],
            )
            <= case.funds[f].budget / am.unit
        ),
    )


def define_selection(am: AllocationModel, min_share: float) -> None:
    """A project that counts as funded gets its minimum share, and at least 1 yuan."""
    m, case = am.model, am.case
    if not len(m.Z):
        return
    m.z_upper = pyo.Constraint(m.Z, rule=lambda m, p: m.s[p] <= m.z[p])
    m.z_lower = pyo.Constraint(
        m.Z,
        rule=lambda m, p: m.s[p] >= least_selected_share(case.projects[p].cost, min_share) * m.z[p],
    )


def define_violation_indicators(am: AllocationModel) -> list[Any]:
    """In ``find`` mode, a binary per slack: the count of violated instances is minimized."""
    m = am.model
    if am.elastic is None or am.elastic.mode != "find":
        return []
    m.violated = pyo.VarList(domain=pyo.Binary)
    m.slack_needs_violation = pyo.ConstraintList()
    indicators = []
    for key, var in am.slacks.items():
        flag = m.violated.add()
        m.slack_needs_violation.add(var <= am.instances[key] * flag)
        indicators.append(flag)
    return indicators


def define_objective(
    am: AllocationModel,
    values: list[ProjectValue],
    indicators: list[Any],
    household_values: HouseholdValues | None = None,
) -> None:
    """Value of the needs covered and households reached; in elastic mode, fewest and
    smallest violations first."""
    m, case = am.model, am.case
    count = len(case.projects)
    coefficients = {}
    for rank, p in enumerate(am.modelled):
        value = values[p].value
        if value > 0:
            coefficients[p] = value * (1 + TIE_BREAK * (count - rank) / count)
        else:
            coefficients[p] = -ZERO_VALUE_PENALTY * am.cost[p]
    shared_values, shared_columns = define_overlaps(am, am.overlaps)
    total = linear(
        [coefficients[p] for p in am.modelled] + shared_values,
        [m.s[p] for p in am.modelled] + shared_columns,
    )
    scale = sum(abs(c) for c in coefficients.values()) + sum(abs(v) for v in shared_values)
    if am.households is not None and household_values is not None:
        total += household_objective(
            am, am.households, household_values, TIE_BREAK, ZERO_VALUE_PENALTY
        )
        counts = am.households.classes.count
        scale += float((household_values.reached * counts).sum())
        scale += 2 * float((household_values.standard * counts).sum())
    if am.elastic is None:
        m.value = pyo.Objective(expr=total, sense=pyo.maximize)
        return
    # Lexicographic in one objective: fewest violated instances (find mode),
    # then smallest violations (each relative to its largest), then value.
    scale = scale or 1.0
    penalty = sum(var / am.instances[key] for key, var in am.slacks.items())
    objective = 0.5 * total / scale - 0.25 * penalty
    if am.elastic.mode == "find":
        objective -= sum(indicators)
    else:
        objective -= 0.25 * penalty * len(am.slacks)  # allowed ones: still keep small
    m.value = pyo.Objective(expr=objective, sense=pyo.maximize)


def build_model(
    case: Case,
    eligibility: Eligibility,
    values: list[ProjectValue],
    spec: ModelSpec,
    elastic: Elastic | None = None,
    households: HouseholdOptions | None = None,
    household_values: HouseholdValues | None = None,
) -> AllocationModel:
    """Build the MIP for ``case`` under ``spec``; deterministic in the case's id order.

    With ``households`` (and their values) the model also gives household measures.
    """
    unit = spec.solver.money_unit
    groups = group_projects(case, eligibility, spec.solver.formulation == "per_pair")
    modelled = sorted(p for g in groups for p in g.projects)
    village_of = case.village_index()
    by_village: dict[int, list[int]] = defaultdict(list)
    for p in modelled:
        by_village[village_of[case.projects[p].village_id]].append(p)
    am = AllocationModel(
        case=case,
        model=pyo.ConcreteModel(name="allocation"),
        groups=groups,
        modelled=modelled,
        unit=unit,
        elastic=elastic,
        cost={p: case.projects[p].cost / unit for p in modelled},
        by_village=dict(by_village),
        arcs=[(f, g) for g, group in enumerate(groups) for f in group.funds],
        households=households,
        measure_groups=group_pairs(households) if households is not None else [],
        overlaps=need_overlaps(case, spec.objective, values),
    )
    policies = list(active(spec.policies))
    selections: set[int] = set()
    for policy, config in policies:
        selections |= policy.selections(config, am)
    define_variables(am, selections)
    if households is not None:
        define_household_variables(am, households, [f.budget for f in case.funds])
    define_balance_and_budgets(am)
    define_selection(am, min_share_of(spec.policies))
    am.model.policy_rows = pyo.ConstraintList()
    for policy, config in policies:
        policy.define(config, am)
    indicators = define_violation_indicators(am)
    define_objective(am, values, indicators, household_values)
    am.column_order += list(am.slacks.values()) + indicators
    return am


#: Fund levels in the order their money is drawn among equally restricted funds.
LEVEL_ORDER = {"central": 0, "provincial": 1, "city": 2, "county": 3}


def flow_costs(am: AllocationModel, eligibility: Eligibility) -> list[tuple[Any, float]]:
    """``(x var, cost)`` for the canonical split of money among funds.

    Money is drawn first from the most restricted fund (eligible for the fewest
    projects: it can pay for little else), then by level (central first: the
    strictest spending deadlines), then by fund id. The selection is already
    fixed, so this only decides which fund pays, never what is funded.
    """
    case = am.case
    reach = eligibility.eligible.sum(axis=1)
    order = sorted(
        range(len(case.funds)), key=lambda f: (int(reach[f]), LEVEL_ORDER[case.funds[f].level], f)
    )
    rank = {f: r for r, f in enumerate(order)}
    count = len(case.funds)
    flows = [(am.model.x[f, g], 1.0 + rank[f] / count) for f, g in am.arcs]
    return flows + [(am.model.xh[f, h], 1.0 + rank[f] / count) for f, h in am.measure_arcs]
