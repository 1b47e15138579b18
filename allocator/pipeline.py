"""The whole path from loaded inputs to an exact, checked plan (no I/O, no printing)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from allocator.case import Case
from allocator.check import check_plan
from allocator.diagnose import Conflict, describe_violation, domain_prechecks
from allocator.errors import InfeasibleError, PlanCheckError, SolverError
from allocator.factor import factor_allocate
from allocator.model import AllocationModel, PolicyKey, Relaxation, build_model, flow_costs
from allocator.rounding import Allocation, round_plan
from allocator.rules.eligibility import Eligibility, evaluate_eligibility
from allocator.rules.ruleset import RuleSet
from allocator.solve import (
    Compiled,
    Progress,
    Relaxed,
    SolveResult,
    canonical_flows,
    compile_model,
    solve,
    solve_relaxation,
    solve_restricted,
    start_value,
)
from allocator.spec import LoadedSpec, SolverOptions, check_spec_against_case
from allocator.status import SolveStatus
from allocator.valuation import ProjectValue, project_values
from allocator.warmstart import greedy_start, lp_guided_start, marginal_band


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
    #: policy instances this plan violates (only with relax=True), worded
    relaxed: list[Conflict] = field(default_factory=list)
    #: fund index -> marginal value of 10,000 more yuan in it (LP dual, selection fixed)
    marginal_value: dict[int, float] = field(default_factory=dict)

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


def _solve(
    case: Case,
    eligibility: Eligibility,
    values: list[ProjectValue],
    spec: LoadedSpec,
    relax: Relaxation | None,
    timings: dict[str, float],
    progress: Callable[[Progress], None] | None,
) -> tuple[AllocationModel, Compiled, SolveResult, dict[int, float]]:
    tell = progress or (lambda _: None)
    tell(Progress("build"))
    t = time.perf_counter()
    am = build_model(case, eligibility, values, spec.spec, relax)
    timings["build"] = timings.get("build", 0.0) + time.perf_counter() - t
    t = time.perf_counter()
    compiled = compile_model(am)
    timings["handover"] = timings.get("handover", 0.0) + time.perf_counter() - t

    tell(Progress("start"))
    # Every HiGHS call shares the spec's time limit: one deadline for the whole search.
    deadline = time.perf_counter() + spec.spec.solver.time_limit

    def remaining() -> SolverOptions:
        left = max(0.01, deadline - time.perf_counter())
        return spec.spec.solver.model_copy(update={"time_limit": left})

    t = time.perf_counter()
    relaxed = solve_relaxation(compiled, remaining())
    timings["relaxation"] = timings.get("relaxation", 0.0) + time.perf_counter() - t
    t = time.perf_counter()
    starts = [greedy_start(case, am, values, spec.spec)]
    marginal: dict[int, float] = {}
    prices: dict[int, float] = {}
    if relaxed is not None:
        starts.append(lp_guided_start(case, am, values, spec.spec, relaxed.values))
        prices = {f: relaxed.duals.get(id(am.model.budget[f]), 0.0) for f in am.model.budget}
        marginal = {f: price * 10_000 / am.unit for f, price in prices.items()}
    timings["start"] = timings.get("start", 0.0) + time.perf_counter() - t
    if relaxed is not None:
        tell(Progress("margin"))
        t = time.perf_counter()
        improved = _improve_at_the_margin(
            case, am, values, spec, compiled, relaxed, prices, starts, remaining()
        )
        if improved is not None:
            starts.append(improved)
        timings["margin"] = timings.get("margin", 0.0) + time.perf_counter() - t

    tell(Progress("solve"))
    result = solve(compiled, remaining(), progress, starts)
    timings["solve"] = timings.get("solve", 0.0) + result.solver_seconds
    if (
        result.bound is None
        and result.objective is not None
        and relaxed is not None
        and relaxed.objective is not None
    ):
        # Stopped before HiGHS proved a bound: the LP relaxation's is still a valid one.
        bound = relaxed.objective
        gap = (bound - result.objective) / max(abs(bound), 1e-12)
        result = replace(result, bound=bound, gap=max(gap, 0.0))
    return am, compiled, result, marginal


def _improve_at_the_margin(
    case: Case,
    am: AllocationModel,
    values: list[ProjectValue],
    spec: LoadedSpec,
    compiled: Compiled,
    relaxed: Relaxed,
    prices: dict[int, float],
    starts: list[dict[int, float]],
    options: SolverOptions,
) -> dict[int, float] | None:
    """Re-solve only the projects at the margin, to hand HiGHS a near-optimal start.

    The LP bound is typically within a few hundredths of a percent of the
    optimum, but HiGHS can spend most of its time finding a plan that close.
    Fixing every selection outside the marginal band to the best start and
    solving the rest (stopped at half the requested gap, or by a node limit)
    usually yields one, after which the full solve only has to prove it.
    """
    scored = [(v, i) for i, st in enumerate(starts) if (v := start_value(compiled, st)) is not None]
    if not scored or relaxed.objective is None:
        return None
    best_value, best = max(scored)
    bound = relaxed.objective
    gap = spec.spec.solver.mip_gap
    if bound <= 0 or (bound - best_value) <= gap * abs(bound):
        return None
    band = marginal_band(case, am, values, prices)
    free = {id(am.model.s[p]) for p in band} | {id(am.model.z[p]) for p in band if p in am.model.Z}
    return solve_restricted(
        compiled, options, free, starts[best], target=bound - 0.5 * gap * abs(bound)
    )


def allocate(
    case: Case,
    ruleset: RuleSet,
    spec: LoadedSpec,
    *,
    progress: Callable[[Progress], None] | None = None,
    relax: bool = False,
) -> Plan:
    """Evaluate rules, build and solve the model, round to yuan and check the plan.

    Raises :class:`InfeasibleError` when the policies cannot all hold (naming
    the conflicting policies, villages, projects and amounts), unless ``relax``
    asks for the best plan that violates the fewest policy instances, which is
    then returned with :attr:`Plan.relaxed` listing them. Raises
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

    conflicts = domain_prechecks(case, eligibility, spec.spec)
    if conflicts and not relax:
        raise InfeasibleError(_headline(conflicts), [str(c) for c in conflicts])
    values = project_values(case, spec.spec.objective)
    if spec.spec.method == "factor":
        return _factor_plan(case, ruleset, spec, eligibility, values, timings, tell)
    mode = Relaxation("find") if conflicts else None
    am, compiled, result, marginal = _solve(
        case, eligibility, values, spec, mode, timings, progress
    )
    if result.status == SolveStatus.INFEASIBLE and mode is None:
        # Find the fewest policy instances whose relaxation makes a plan possible.
        mode = Relaxation("find")
        am, compiled, result, marginal = _solve(
            case, eligibility, values, spec, mode, timings, progress
        )
        if result.status.has_plan and not relax:
            found = [
                describe_violation(k, a, am.unit, case, spec.spec)
                for k, a in am.violations(result.values).items()
            ]
            raise InfeasibleError(_headline(found), [str(c) for c in found])
    if result.status == SolveStatus.INFEASIBLE:
        raise InfeasibleError(
            "no plan is possible even with every policy relaxed "
            "(budgets and eligibility alone conflict)"
        )
    if result.status == SolveStatus.NO_SOLUTION:
        raise SolverError(
            f"no feasible plan found within the time limit of {spec.spec.solver.time_limit:g} s "
            "(raise solver.time_limit in the model spec)"
        )
    if not result.status.has_plan or result.objective is None:
        raise SolverError(f"the solver failed: {result.message}")
    objective = result.objective
    violated = am.violations(result.values) if mode is not None else {}
    relaxed = [describe_violation(k, a, am.unit, case, spec.spec) for k, a in violated.items()]
    relaxed += [c for c in conflicts if "no eligible fund" in c.detail]
    waived = set(violated)

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
        exempt={subject for policy, subject in waived if policy == "village_cap"},
    )
    timings["round"] = time.perf_counter() - t
    value = _checked_value(case, eligibility, spec, allocations, values, waived, timings)
    if mode is not None:  # the solver's objective is the elastic one: report the plan's value
        objective = value
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
        None if mode is not None else result.bound,
        None if mode is not None else result.gap,
        allocations,
        stats,
        result.message,
        timings,
        relaxed,
        marginal,
    )


def _checked_value(
    case: Case,
    eligibility: Eligibility,
    spec: LoadedSpec,
    allocations: list[Allocation],
    values: list[ProjectValue],
    waived: set[PolicyKey],
    timings: dict[str, float],
) -> float:
    """Run the independent check (raising on any violation); return the plan's value."""
    t = time.perf_counter()
    violations = check_plan(case, eligibility.eligible, spec.spec, allocations, waived)
    timings["check"] = time.perf_counter() - t
    if violations:
        raise PlanCheckError(violations)
    totals: dict[int, int] = defaultdict(int)
    for a in allocations:
        totals[a.project] += a.amount
    return sum(values[p].value * amount / case.projects[p].cost for p, amount in totals.items())


def _factor_plan(
    case: Case,
    ruleset: RuleSet,
    spec: LoadedSpec,
    eligibility: Eligibility,
    values: list[ProjectValue],
    timings: dict[str, float],
    tell: Callable[[Progress], None],
) -> Plan:
    """A plan by the status-quo factor method, checked like any other."""
    tell(Progress("factor"))
    t = time.perf_counter()
    allocations = factor_allocate(case, eligibility, values, spec.spec)
    timings["factor"] = time.perf_counter() - t
    value = _checked_value(case, eligibility, spec, allocations, values, set(), timings)
    stats = ModelStats(
        projects_modelled=0,
        groups=0,
        flow_variables=0,
        eligible_pairs=int(eligibility.eligible.sum()),
        binaries=0,
        rows=0,
    )
    return Plan(
        case,
        ruleset,
        spec,
        eligibility,
        values,
        SolveStatus.HEURISTIC,
        value,
        None,
        None,
        allocations,
        stats,
        "factor method (not optimized)",
        timings,
    )


def _headline(conflicts: list[Conflict]) -> str:
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    first = f": {conflicts[0]}{more}" if conflicts else ""
    return (
        f"the policies of the model spec cannot all hold on this case{first}; change them, "
        "or run with --relax for the best plan that violates the fewest"
    )
