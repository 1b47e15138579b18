"""The whole path from loaded inputs to an exact, checked plan (no I/O, no printing).

Stages: rules -> pre-checks -> build -> solve (LP relaxation, starts, margin
sub-MIP, full MIP; the elastic re-solve if the policies conflict) -> canonical
fund split -> prices of binding policies -> whole yuan -> independent check.
Every HiGHS call shares one :class:`~allocator.optimize.solve.Deadline`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from allocator.audit.check import check_plan
from allocator.audit.prechecks import domain_prechecks, domain_shortfalls
from allocator.errors import InfeasibleError, PlanCheckError, SolverError
from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import Allocation, Grant, HouseholdLedger, Ledger
from allocator.need_overlap import Overlap, money_value, need_overlaps
from allocator.optimize.binding import Bindings, find_bindings
from allocator.optimize.factor import factor_allocate
from allocator.optimize.factor_households import factor_grants
from allocator.optimize.model import AllocationModel, Elastic, build_model, flow_costs
from allocator.optimize.rounding import round_plan
from allocator.optimize.solve import (
    Compiled,
    Deadline,
    Held,
    Point,
    SolveResult,
    best_start,
    canonical_flows,
    compile_model,
    same_selection,
    solve,
    solve_fixed_selection,
    solve_in_stages,
    solve_restricted,
    start_objective,
    start_relaxation,
    start_value,
)
from allocator.optimize.warmstart import (
    greedy_start,
    lp_guided_start,
    marginal_band,
    whole_households,
)
from allocator.plan import ModelStats, Plan, Progress
from allocator.policies.base import Conflict, PolicyKey
from allocator.policies.registry import owner
from allocator.rules.eligibility import Eligibility, evaluate_eligibility
from allocator.rules.household_options import HouseholdOptions
from allocator.rules.ruleset import RuleSet
from allocator.spec import LoadedSpec, check_spec_against_case
from allocator.status import SolveStatus
from allocator.valuation import (
    HouseholdValues,
    ProjectValue,
    household_values,
    plan_households,
    project_values,
    value_warnings,
    village_value_factors,
)


@dataclass(frozen=True)
class Solved:
    """One solve of the model: the model, its matrix, the MIP result and the LP relaxation."""

    am: AllocationModel
    compiled: Compiled
    result: SolveResult
    relaxed: SolveResult
    #: fund index -> marginal value of 10,000 more yuan in it (LP relaxation dual)
    marginal: dict[int, float]
    #: LPs already solved with a start's selections fixed (to route its money)
    routed: list[SolveResult] = field(default_factory=list)


#: share of the time left that the solve with continuous household counts may take
GUIDE_SHARE = 0.4


def _timed(timings: dict[str, float], phase: str, started: float) -> None:
    timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - started


@dataclass(frozen=True)
class Households:
    """The household side of a run: classes, measures, their values (None-free)."""

    options: HouseholdOptions
    values: HouseholdValues


def _solve(
    case: Case,
    eligibility: Eligibility,
    values: list[ProjectValue],
    spec: LoadedSpec,
    elastic: Elastic | None,
    timings: dict[str, float],
    progress: Callable[[Progress], None],
    deadline: Deadline,
    households: Households | None,
) -> Solved:
    solver = spec.spec.solver
    progress(Progress("build"))
    t = time.perf_counter()
    am = build_model(
        case,
        eligibility,
        values,
        spec.spec,
        elastic,
        households.options if households else None,
        households.values if households else None,
    )
    _timed(timings, "build", t)
    t = time.perf_counter()
    compiled = compile_model(am)
    _timed(timings, "handover", t)

    progress(Progress("start"))
    t = time.perf_counter()
    # HiGHS solves the relaxation in its own thread while Python builds the greedy
    # start, which does not need it (two cores: about a second at province size).
    pending = start_relaxation(compiled, deadline.options(solver))
    hv = households.values if households else None
    try:
        starts = [greedy_start(case, am, compiled, values, spec.spec, hv)]
    except BaseException:  # Ctrl-C or a bug: HiGHS must not outlive the run
        pending.cancel()
        raise
    greedy_seconds = time.perf_counter() - t
    relaxed = pending.result()
    timings["relaxation"] = relaxed.solver_seconds
    t = time.perf_counter() - greedy_seconds  # the starts' phase counts the greedy one too
    prices: dict[int, float] = {}
    if relaxed.point is not None:
        starts.append(lp_guided_start(case, am, compiled, values, spec.spec, relaxed, hv))
        prices = {f: abs(relaxed.dual(am.model.budget[f])) for f in am.model.budget}
    marginal = {f: price * 10_000 / am.unit for f, price in prices.items()}
    # The best start's money and divisible shares re-optimized around its selections
    # (an LP): a start that breaks a share or floor by its routing becomes feasible,
    # and gains what better routing gives. One LP, not one per start: at province size
    # each costs about a second, and only the best start is offered to HiGHS; the
    # next is routed only when the best one's selections admit no routing at all.
    routings: list[SolveResult] = []
    for start in sorted(starts, key=start_objective, reverse=True):
        routed = solve_fixed_selection(compiled, start, deadline.options(solver))
        if routed.point is not None:
            starts.append(routed.point)
            routings.append(routed)
            break
    _timed(timings, "start", t)
    if case.timing is not None and relaxed.point is not None and elastic is None:
        # A multi-year plan: which year each project starts in is what the starts get
        # wrong; relax-and-fix by start year finds plans close to the bound (docs/model.md).
        progress(Progress("years"))
        t = time.perf_counter()
        staged = _plan_year_by_year(am, compiled, relaxed, starts, spec, deadline)
        if staged is not None:
            starts.append(staged)
        _timed(timings, "years", t)
    # With household measures the solve with continuous counts below does this job; a
    # margin sub-MIP around the starts' fixed counts was measured to stall at province size.
    elif relaxed.point is not None and (am.households is None or not len(am.model.Y)):
        progress(Progress("margin"))
        t = time.perf_counter()
        improved = _improve_at_the_margin(case, am, values, spec, relaxed, prices, starts, deadline)
        if improved is not None:
            starts.append(improved)
        _timed(timings, "margin", t)

    whole_counts = am.households is not None and len(am.model.Y)
    if elastic is None and (case.timing is not None or not whole_counts):
        # At province size HiGHS's root work on the whole MIP takes seconds (one year) or
        # minutes (several) even when a start is already within the gap of the LP bound
        # (a bound on every plan). With household counts the guide below does this job,
        # except over several years, where relax-and-fix has found the start.
        proven = _proven_by(
            relaxed,
            starts,
            solver.mip_gap,
            msg("Optimal (within {gap:g} of the LP relaxation's bound)", gap=solver.mip_gap),
        )
        if proven is not None:
            return Solved(am, compiled, proven, relaxed, marginal, routings)
    if _worth_a_guide(am, relaxed, starts, solver.mip_gap):
        # Whole measures make HiGHS's search for good plans slow (a household is a
        # small indivisible item): solve with household counts continuous first,
        # and start the real solve from that plan, its counts rounded.
        progress(Progress("households"))
        t = time.perf_counter()
        continuous = compiled.mask(am.model.y[k] for k in am.model.Y)
        held = _settled_selections(compiled, relaxed, starts, continuous)
        guide = solve(
            compiled,
            deadline.options(solver).model_copy(
                update={"time_limit": max(0.01, GUIDE_SHARE * deadline.left())}
            ),
            None,
            starts,
            continuous=continuous,
            fixed=held,
        )
        for rounded in whole_households(am, guide):
            # Money and divisible shares re-routed around the whole counts (an LP).
            routed = solve_fixed_selection(compiled, rounded, deadline.options(solver))
            if routed.point is not None:
                starts.append(routed.point)
                routings.append(routed)
        timings["households"] = timings.get("households", 0.0) + guide.solver_seconds
        _timed(timings, "start", t)
        timings["start"] -= guide.solver_seconds
        if (guide.bound is None or held is not None) and relaxed.objective is not None:
            # Stopped in its root, HiGHS reports no bound (the province's guide did), and
            # a restricted guide's bound holds only for its restriction: the LP
            # relaxation's bound holds for every plan.
            guide = replace(guide, bound=relaxed.objective)
        proven = _proven_by(
            guide,
            starts,
            solver.mip_gap,
            msg("Optimal (within {gap:g} of the LP relaxation's bound)", gap=solver.mip_gap)
            if held is not None
            else None,
        )
        if proven is not None:
            return Solved(am, compiled, proven, relaxed, marginal, routings)
        stopped = _best_start_against(guide, starts)
        if held is not None and stopped is None:
            # No plan, and the whole MIP is as large as the guide was before its
            # restriction: HiGHS's root heuristics would overrun the time limit on it.
            raise SolverError(
                msg(
                    "no feasible plan found: no warm start holds every policy, and with "
                    "{columns:,} whole selections (past {limit:,} HiGHS's root heuristics "
                    "overrun the time limit) the search was kept to those the LP "
                    "relaxation leaves open, where it found none; plan a smaller area or "
                    "fewer years at once, or raise solver.time_limit",
                    columns=int((compiled.integer & ~continuous).sum()),
                    limit=WHOLE_SEARCH_LIMIT,
                )
            )
        if held is not None and stopped is not None:
            # The whole MIP is as large as the guide was before its restriction: HiGHS's
            # root heuristics would overrun the time limit on it.
            why = msg(
                "Stopped: with {columns:,} whole selections HiGHS's root heuristics can run "
                "far past the time limit, so the search was kept to the selections the LP "
                "relaxation and the best plan disagree on; the best plan found is within "
                "{gap:.2e} of the LP relaxation's bound",
                columns=int((compiled.integer & ~continuous).sum()),
                gap=stopped.gap,
            )
            return Solved(am, compiled, replace(stopped, message=why), relaxed, marginal, routings)
        if guide.status == SolveStatus.TIME_LIMIT and stopped is not None:
            # The guide is the easier problem and it ran out of its share of the time: the
            # whole MIP would only run out of the rest (at province size HiGHS's root
            # heuristics on it were seen to overrun their time limit by many minutes).
            why = msg(
                "Time limit: the solve with household counts continuous reached its time "
                "limit; the best plan found is within {gap:.2e} of its bound",
                gap=stopped.gap,
            )
            return Solved(am, compiled, replace(stopped, message=why), relaxed, marginal, routings)
    progress(Progress("solve"))
    result = solve(compiled, deadline.options(solver, reserve=deadline.reserve), progress, starts)
    timings["solve"] = timings.get("solve", 0.0) + result.solver_seconds
    if result.bound is None and result.objective is not None and relaxed.objective is not None:
        # Stopped before HiGHS proved a bound: the LP relaxation's is still a valid one.
        bound = relaxed.objective
        gap = (bound - result.objective) / max(abs(bound), 1e-12)
        result = replace(result, bound=bound, gap=max(gap, 0.0))
    return Solved(am, compiled, result, relaxed, marginal, routings)


#: whole (integer) columns from which a search is kept to the selections the LP
#: relaxation and the best start disagree on. HiGHS's central rounding (a root
#: heuristic that does not check the time limit) took 197 s on the province with its
#: register (65,582 project selections) after a 13.5 s limit. A county has about
#: 1,500 (its guide proves the plan in 2.4 s), a city about 9,000.
WHOLE_SEARCH_LIMIT = 30_000


def _settled_selections(
    compiled: Compiled,
    relaxed: SolveResult,
    starts: list[Point],
    continuous: npt.NDArray[np.bool_],
) -> Held | None:
    """Past :data:`WHOLE_SEARCH_LIMIT` whole columns, those where the LP relaxation is
    whole and agrees with the best start, held at the LP's values by the guide (with no
    feasible start, every column the LP relaxation leaves whole); else None."""
    whole = compiled.integer & ~continuous
    if int(whole.sum()) <= WHOLE_SEARCH_LIMIT or relaxed.point is None:
        return None
    lp = relaxed.point.x
    rounded = np.round(lp)
    settled = whole & (np.abs(lp - rounded) < 1e-6)
    chosen = best_start(starts)
    if chosen is not None:
        settled &= rounded == np.round(chosen[1].x)
    return Held(settled, rounded)


def _worth_a_guide(
    am: AllocationModel, relaxed: SolveResult, starts: list[Point], gap: float
) -> bool:
    """Whether to solve with household counts continuous first: the model has them and
    no start is yet within ``gap`` of the LP bound."""
    if relaxed.objective is None or am.households is None or not len(am.model.Y):
        return False
    chosen = best_start(starts)
    return chosen is None or relaxed.objective - chosen[0] > gap * abs(relaxed.objective)


def _proven_by(
    guide: SolveResult, starts: list[Point], gap: float, why: str | None = None
) -> SolveResult | None:
    """The best start as the result, when the guide's bound proves it within ``gap``.

    The guide solved a relaxation (household counts continuous, or the LP
    relaxation), so its dual bound is a bound on every plan; a whole plan within
    the requested gap of it is as proven as HiGHS's own answer would be.
    """
    found = _best_start_against(guide, starts)
    if found is None or found.gap is None or found.gap > gap:
        return None
    return replace(
        found,
        status=SolveStatus.OPTIMAL,
        message=why
        or msg("Optimal (within {gap:g} of the bound with household counts continuous)", gap=gap),
    )


def _best_start_against(guide: SolveResult, starts: list[Point]) -> SolveResult | None:
    """The best start as a time-limited result, with the guide's bound and the gap to it."""
    chosen = best_start(starts)
    if chosen is None or guide.bound is None:
        return None
    value, point = chosen
    bound = max(guide.bound, value)
    return SolveResult(
        SolveStatus.TIME_LIMIT,
        value,
        bound,
        (bound - value) / max(abs(bound), 1e-12),
        point,
        0.0,
        guide.nodes,
        "",
    )


#: nodes each relax-and-fix stage may use (a work limit: the same plan on any machine)
STAGE_NODES = 200


def _plan_year_by_year(
    am: AllocationModel,
    compiled: Compiled,
    relaxed: SolveResult,
    starts: list[Point],
    spec: LoadedSpec,
    deadline: Deadline,
) -> Point | None:
    """Relax-and-fix by start year from the best start: first the projects starting in
    the first year are decided with the later ones relaxed, then those of the second
    year with the first fixed, and so on. Each stage aims at a third of the run's gap."""
    timing = am.case.timing
    if timing is None or not starts or relaxed.objective is None:
        return None
    gap = spec.spec.solver.mip_gap
    chosen = best_start(starts)
    if chosen is None:
        # No start holds every policy, and no re-routing of its money repairs it (on the
        # three-year province with its register, both broke the industry share).
        # Relax-and-fix needs no feasible start: its stages may find the first plan.
        best = max(starts, key=start_objective)
    else:
        value, best = chosen
        if relaxed.objective - value <= gap * abs(relaxed.objective):
            return None
    m = am.model
    stages = []
    for year in timing.years:
        # Committed parts (started before the horizon) are decided with the first year.
        parts = [p for p in am.modelled if max(timing.start[p], timing.years[0]) == year]
        stages.append(compiled.mask([m.s[p] for p in parts] + [m.z[p] for p in parts if p in m.Z]))
    options = deadline.options(spec.spec.solver).model_copy(update={"mip_gap": gap / 3})
    return solve_in_stages(compiled, options, best, stages, STAGE_NODES)


def _improve_at_the_margin(
    case: Case,
    am: AllocationModel,
    values: list[ProjectValue],
    spec: LoadedSpec,
    relaxed: SolveResult,
    prices: dict[int, float],
    starts: list[Point],
    deadline: Deadline,
) -> Point | None:
    """Re-solve only the projects at the margin, to hand HiGHS a near-optimal start.

    The LP bound is typically within a few hundredths of a percent of the
    optimum, but HiGHS can spend most of its time finding a plan that close.
    Fixing every selection outside the marginal band to the best start and
    solving the rest (stopped at half the requested gap, or by a node limit)
    usually yields one, after which the full solve only has to prove it.
    """
    chosen = best_start(starts)
    if chosen is None or relaxed.objective is None:
        return None
    best_value, best = chosen
    bound = relaxed.objective
    gap = spec.spec.solver.mip_gap
    if bound <= 0 or (bound - best_value) <= gap * abs(bound):
        return None
    band = marginal_band(case, am, values, prices)
    m = am.model
    free = [m.s[p] for p in band] + [m.z[p] for p in band if p in m.Z]
    target = bound - 0.5 * gap * abs(bound)
    options = deadline.options(spec.spec.solver)
    found = solve_restricted(best.compiled, options, free, best, target)
    if found is None:
        return None
    point, restricted_bound = found
    # HiGHS stops at the requested gap of the restricted problem's own bound. When
    # that bound leaves room for a plan the LP bound proves, search on to within it.
    room = gap * abs(bound) - (bound - restricted_bound)
    value = start_value(point)
    if value is not None and bound - value > gap * abs(bound) and room > 0:
        closer = options.model_copy(update={"mip_gap": 0.9 * room / abs(restricted_bound)})
        again = solve_restricted(best.compiled, closer, free, point, target)
        if again is not None:
            point = again[0]
    return point


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
    Every HiGHS call of the run shares the spec's ``solver.time_limit``.
    """
    timings: dict[str, float] = {}
    tell = progress or (lambda _: None)
    check_spec_against_case(spec, case.meta.category_vocabulary())
    tell(Progress("rules"))
    t = time.perf_counter()
    eligibility = evaluate_eligibility(case, ruleset)

    policies = spec.spec.policies
    options = plan_households(case, ruleset, spec.spec)
    timings["rules"] = time.perf_counter() - t
    households = None
    if options is not None:
        factors = village_value_factors(case, spec.spec.objective)
        households = Households(
            options, household_values(case, spec.spec.objective, options, factors)
        )
    conflicts = domain_prechecks(case, eligibility.eligible, policies, options)
    if conflicts and not relax:
        raise InfeasibleError(_headline(conflicts), [c.text() for c in conflicts])
    values = project_values(case, spec.spec.objective)
    warnings = value_warnings(case, values)
    warnings += domain_shortfalls(case, eligibility.eligible, policies, options)
    if spec.spec.method == "factor":
        return _factor_plan(
            case, ruleset, spec, eligibility, values, timings, tell, warnings, households
        )
    solver = spec.spec.solver
    deadline = Deadline(solver.time_limit)
    elastic = Elastic("find") if conflicts else None
    solved = _solve(case, eligibility, values, spec, elastic, timings, tell, deadline, households)
    if solved.result.status == SolveStatus.INFEASIBLE and elastic is None:
        # Find the fewest policy instances whose relaxation makes a plan possible.
        elastic = Elastic("find")
        solved = _solve(
            case, eligibility, values, spec, elastic, timings, tell, deadline, households
        )
        if solved.result.status.has_plan and not relax:
            found = _violations(solved, case, spec)
            raise InfeasibleError(_headline(found), [c.text() for c in found])
    result = solved.result
    if result.status == SolveStatus.INFEASIBLE:
        raise InfeasibleError(
            msg(
                "no plan is possible even with every policy relaxed (budgets and "
                "eligibility alone conflict)"
            )
        )
    if result.status == SolveStatus.NO_SOLUTION:
        raise SolverError(
            msg(
                (
                    "no feasible plan found within the time limit of {time_limit:g} s "
                    "(raise solver.time_limit in the model spec)"
                ),
                time_limit=solver.time_limit,
            )
        )
    if not result.status.has_plan or result.objective is None:
        raise SolverError(msg("the solver failed: {message}", message=result.message))
    am = solved.am
    objective = result.objective
    violated = am.violations(result.value) if elastic is not None else {}
    relaxed = [_describe(key, amount, am.unit, case, spec) for key, amount in violated.items()]
    relaxed += [c for c in conflicts if "no eligible fund" in c.detail]
    waived = set(violated)

    tell(Progress("round"))
    t = time.perf_counter()
    after_mip = min(0.5, deadline.reserve)  # short LPs: a canonical split, and binding prices
    result = canonical_flows(
        result, flow_costs(am, eligibility), deadline.options(solver, at_least=after_mip)
    )
    timings["flows"] = time.perf_counter() - t
    t = time.perf_counter()
    density = {p: values[p].value / case.projects[p].cost for p in am.modelled}
    allocations, grants = round_plan(case, am, result, policies, density, exempt=waived)
    timings["round"] = time.perf_counter() - t
    value = _checked_value(
        case,
        eligibility,
        spec,
        allocations,
        values,
        am.overlaps,
        waived,
        timings,
        grants,
        households,
    )
    if elastic is not None:  # the solver's objective is the elastic one: report the plan's value
        objective = value
    elif value == 0 and _money_and_projects_left(case, eligibility):
        warnings.append(
            msg(
                "the plan's value is 0 although money and eligible projects exist: "
                "check needs.csv (projects are valued by the needs they cover) and the "
                "policies"
            )
        )
    t = time.perf_counter()
    binding = _bindings(
        solved, result, case, eligibility, spec, allocations, values, deadline, grants
    )
    timings["explain"] = time.perf_counter() - t
    # Everything from the first HiGHS call on: what solver.time_limit bounds (plus the check).
    timings["since_first_highs"] = deadline.elapsed()
    binaries = sum(1 for v in am.column_order if v.is_binary())
    stats = ModelStats(
        projects_modelled=len(am.modelled),
        groups=len(am.groups),
        flow_variables=len(am.arcs),
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
        None if elastic is not None else result.bound,
        None if elastic is not None else result.gap,
        allocations,
        stats,
        result.message,
        timings,
        relaxed,
        solved.marginal,
        fund_binding=binding.funds,
        project_binding=binding.projects,
        binding=binding.every,
        warnings=warnings,
        known_overlaps=am.overlaps,
        households=options,
        grants=grants,
        household_value=(
            household_value(households.options, households.values, grants) if households else 0.0
        ),
    )


def _bindings(
    solved: Solved,
    result: SolveResult,
    case: Case,
    eligibility: Eligibility,
    spec: LoadedSpec,
    allocations: list[Allocation],
    values: list[ProjectValue],
    deadline: Deadline,
    grants: list[Grant],
) -> Bindings:
    """Binding policy instances and their prices, from the LP with the selection fixed."""
    if result.point is None or not solved.am.policy_rows:
        return Bindings()
    # The plan is often a routed start itself: its LP was solved already (at province
    # size each costs about 0.8 s).
    fixed = same_selection(solved.routed, result.point) or solve_fixed_selection(
        solved.compiled, result.point, deadline.options(spec.spec.solver)
    )
    if fixed.point is None:
        return Bindings()
    return find_bindings(
        solved.am,
        fixed,
        case,
        eligibility,
        spec.spec.policies,
        Ledger.of(allocations),
        values,
        dict(HouseholdLedger.of(grants).by_fund),
    )


def _violations(solved: Solved, case: Case, spec: LoadedSpec) -> list[Conflict]:
    am = solved.am
    return [
        _describe(key, amount, am.unit, case, spec)
        for key, amount in am.violations(solved.result.value).items()
    ]


def _describe(key: PolicyKey, amount: float, unit: int, case: Case, spec: LoadedSpec) -> Conflict:
    policy = owner(key)
    config = policy.config(spec.spec.policies)
    return policy.describe(config, key, amount, unit, case)


def _money_and_projects_left(case: Case, eligibility: Eligibility) -> bool:
    fundable = bool(np.asarray(eligibility.eligible.any(axis=0), dtype=bool).any())
    return fundable and any(f.budget > 0 for f in case.funds)


def _checked_value(
    case: Case,
    eligibility: Eligibility,
    spec: LoadedSpec,
    allocations: list[Allocation],
    values: list[ProjectValue],
    overlaps: list[Overlap],
    waived: set[PolicyKey],
    timings: dict[str, float],
    grants: list[Grant] | None = None,
    households: Households | None = None,
) -> float:
    """Run the independent check (raising on any violation); return the plan's value
    (each shared need's households counted once: ``overlaps``)."""
    t = time.perf_counter()
    violations = check_plan(
        case,
        eligibility.eligible,
        spec.spec.policies,
        allocations,
        waived,
        grants=grants or [],
        households=households.options if households else None,
    )
    timings["check"] = time.perf_counter() - t
    if violations:
        raise PlanCheckError(violations)
    value = money_value(case, values, overlaps, Ledger.of(allocations).by_project)
    if households is not None and grants:
        value += household_value(households.options, households.values, grants)
    return value


def household_value(
    options: HouseholdOptions, values: HouseholdValues, grants: list[Grant]
) -> float:
    """Value of the households reached and standards closed by the grant rows."""
    reached: set[int] = set()
    closed: set[tuple[int, str]] = set()
    for g in grants:
        reached.add(g.household)
        standard = options.measures[g.measure].closes
        if standard is not None and not getattr(options.register, standard)[g.household]:
            closed.add((g.household, standard))
    of = options.classes.of_household
    total = sum(float(values.reached[of[h]]) for h in reached)
    return total + sum(float(values.standard[of[h]]) for h, _ in closed)


def _factor_plan(
    case: Case,
    ruleset: RuleSet,
    spec: LoadedSpec,
    eligibility: Eligibility,
    values: list[ProjectValue],
    timings: dict[str, float],
    tell: Callable[[Progress], None],
    warnings: list[str],
    households: Households | None = None,
) -> Plan:
    """A plan by the status-quo factor method, checked like any other.

    With a register, households exiting this year are served first, then the
    projects by the factor formula from what is left, then the other households.
    """
    tell(Progress("factor"))
    t = time.perf_counter()
    grants: list[Grant] = []
    planned = case
    if households is not None:
        left = {f: fund.budget for f, fund in enumerate(case.funds)}
        given: dict[int, int] = {}
        grants = factor_grants(households.options, left, True, given)
        planned = replace(
            case,
            funds=tuple(
                fund.model_copy(update={"budget": left[f]}) for f, fund in enumerate(case.funds)
            ),
        )
    overlaps = need_overlaps(case, spec.spec.objective, values)
    allocations = factor_allocate(planned, eligibility, values, spec.spec, overlaps)
    if households is not None:
        spent = Ledger.of(allocations)
        grants += factor_grants(
            households.options, {f: left[f] - spent.fund(f) for f in left}, False, given
        )
        grants.sort(key=lambda g: (g.household, g.measure, g.fund))
    timings["factor"] = time.perf_counter() - t
    value = _checked_value(
        case, eligibility, spec, allocations, values, overlaps, set(), timings, grants, households
    )
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
        warnings=warnings,
        households=households.options if households else None,
        grants=grants,
        household_value=(
            household_value(households.options, households.values, grants) if households else 0.0
        ),
        known_overlaps=overlaps,
    )


def _headline(conflicts: list[Conflict]) -> str:
    more = (
        msg(" (and {n_conflicts} more)", n_conflicts=len(conflicts) - 1)
        if len(conflicts) > 1
        else ""
    )
    first = ": " + conflicts[0].text() + more if conflicts else ""
    return msg(
        (
            "the policies of the model spec cannot all hold on this case{first}; "
            "change them, or run with --relax for the best plan that violates the "
            "fewest"
        ),
        first=first,
    )
