"""The whole path from loaded inputs to an exact, checked plan (no I/O, no printing)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from allocator.case import Case
from allocator.check import check_plan
from allocator.errors import InfeasibleError, PlanCheckError, SolverError
from allocator.model import build_model, flow_costs
from allocator.rounding import Allocation, round_plan
from allocator.rules.eligibility import Eligibility, evaluate_eligibility
from allocator.rules.ruleset import RuleSet
from allocator.solve import (
    Progress,
    canonical_flows,
    compile_model,
    solve,
    solve_relaxation,
)
from allocator.spec import LoadedSpec, check_spec_against_case
from allocator.status import SolveStatus
from allocator.valuation import ProjectValue, project_values
from allocator.warmstart import greedy_start, lp_guided_start


@dataclass(frozen=True)
class ModelStats:
    projects_modelled: int
    groups: int
    flow_variables: int
    eligible_pairs: int
    binaries: int
    rows: int


@dataclass
class Plan:
    """A solved, rounded and independently checked allocation."""

    case: Case
    ruleset: RuleSet
    spec: LoadedSpec
    eligibility: Eligibility
    values: list[ProjectValue]
    status: SolveStatus
    objective: float
    bound: float | None
    gap: float | None
    allocations: list[Allocation]
    stats: ModelStats
    solver_message: str
    timings: dict[str, float] = field(default_factory=dict)

    def project_totals(self) -> dict[int, int]:
        totals: dict[int, int] = defaultdict(int)
        for a in self.allocations:
            totals[a.project] += a.amount
        return dict(totals)

    def fund_totals(self) -> dict[int, int]:
        totals: dict[int, int] = defaultdict(int)
        for a in self.allocations:
            totals[a.fund] += a.amount
        return dict(totals)


def precheck(case: Case, eligibility: Eligibility, spec: LoadedSpec) -> None:
    """Cheap domain checks that name an impossible policy before any solve."""
    must = set(spec.spec.policies.must_fund_categories)
    fundable = np.asarray(eligibility.eligible.any(axis=0))
    stranded = [
        p.project_id for i, p in enumerate(case.projects) if p.category in must and not fundable[i]
    ]
    if stranded:
        shown = ", ".join(stranded[:5]) + (" ..." if len(stranded) > 5 else "")
        raise InfeasibleError(
            f"must-fund categories require {len(stranded)} project(s) that no fund may pay for "
            f"under the earmarks and rules: {shown}",
            [f"policies.must_fund_categories ({spec.path})"],
        )


def allocate(
    case: Case,
    ruleset: RuleSet,
    spec: LoadedSpec,
    *,
    progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Evaluate rules, build and solve the model, round to yuan and check the plan.

    Raises :class:`InfeasibleError` when the policies cannot all hold,
    :class:`SolverError` when the solver fails or finds no plan in time, and
    :class:`PlanCheckError` if the independent check finds any violation.
    """
    timings: dict[str, float] = {}
    tell = progress or (lambda _: None)
    check_spec_against_case(spec, case.meta.category_vocabulary())
    tell(Progress("rules"))
    t = time.perf_counter()
    eligibility = evaluate_eligibility(case, ruleset)
    timings["rules"] = time.perf_counter() - t

    precheck(case, eligibility, spec)
    tell(Progress("build"))
    t = time.perf_counter()
    values = project_values(case, spec.spec.objective)
    am = build_model(case, eligibility, values, spec.spec)
    timings["build"] = time.perf_counter() - t
    t = time.perf_counter()
    compiled = compile_model(am)
    timings["handover"] = time.perf_counter() - t

    tell(Progress("start"))
    t = time.perf_counter()
    relaxed = solve_relaxation(compiled, spec.spec.solver)
    timings["relaxation"] = time.perf_counter() - t
    t = time.perf_counter()
    starts = [greedy_start(case, am, values, spec.spec)]
    if relaxed is not None:
        starts.append(lp_guided_start(case, am, values, spec.spec, relaxed))
    timings["start"] = time.perf_counter() - t

    tell(Progress("solve"))
    result = solve(compiled, spec.spec.solver, progress, starts)
    timings["solve"] = result.solver_seconds
    if result.status == SolveStatus.INFEASIBLE:
        raise InfeasibleError(
            "the policies of the model spec cannot all hold on this case: " + _active(spec),
            [_active(spec)],
        )
    if result.status == SolveStatus.NO_SOLUTION:
        raise SolverError(
            f"no feasible plan found within the time limit of {spec.spec.solver.time_limit:g} s "
            "(raise solver.time_limit in the model spec)"
        )
    if not result.status.has_plan or result.objective is None:
        raise SolverError(f"the solver failed: {result.message}")
    objective = result.objective

    tell(Progress("round"))
    t = time.perf_counter()
    flows = canonical_flows(compiled, result, flow_costs(case, am, eligibility), spec.spec.solver)
    result = replace(result, values=flows)
    timings["flows"] = time.perf_counter() - t
    t = time.perf_counter()
    policies = spec.spec.policies
    allocations = round_plan(
        case,
        am,
        result,
        policies.divisible_min_share,
        policies.village_cap.max_amount if policies.village_cap else None,
        {p: values[p].value / case.projects[p].cost for p in am.modelled_projects},
    )
    timings["round"] = time.perf_counter() - t
    t = time.perf_counter()
    violations = check_plan(case, eligibility.eligible, spec.spec, allocations)
    timings["check"] = time.perf_counter() - t
    if violations:
        raise PlanCheckError(violations)

    binaries = sum(1 for v in am.column_order if v.is_binary())
    stats = ModelStats(
        projects_modelled=len(am.modelled_projects),
        groups=len(am.groups),
        flow_variables=sum(len(g.funds) for g in am.groups),
        eligible_pairs=int(eligibility.eligible.sum()),
        binaries=binaries,
        rows=am.model.nconstraints(),
    )
    return Plan(
        case,
        ruleset,
        spec,
        eligibility,
        values,
        result.status,
        objective,
        result.bound,
        result.gap,
        allocations,
        stats,
        result.message,
        timings,
    )


def _active(spec: LoadedSpec) -> str:
    p = spec.spec.policies
    active = []
    if p.poor_village_floor is not None:
        active.append("poor_village_floor")
    if p.village_cap is not None:
        active.append("village_cap")
    if p.category_shares:
        active.append("category_shares (" + ", ".join(s.category for s in p.category_shares) + ")")
    if p.must_fund_categories:
        active.append("must_fund_categories (" + ", ".join(p.must_fund_categories) + ")")
    if p.divisible_min_share > 0:
        active.append("divisible_min_share")
    return "active policies: " + (", ".join(active) or "none")
