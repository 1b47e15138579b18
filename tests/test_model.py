"""The model on the hand-checked case, policies, status handling and exact rounding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from allocator import allocate, load_case, load_ruleset, load_spec, rule_schema
from allocator.audit.check import check_plan
from allocator.errors import InfeasibleError
from allocator.optimize.rounding import Allocation
from allocator.status import SolveStatus
from tests.conftest import BASELINE, DEFAULT_SPEC, TINY


def solve_tiny(spec_path: Path = DEFAULT_SPEC, case_dir: Path = TINY):  # type: ignore[no-untyped-def]
    case = load_case(case_dir)
    return allocate(case, load_ruleset(BASELINE, rule_schema(case.meta)), load_spec(spec_path))


def spec_with(tmp_path: Path, policies: str = "", solver: str = "") -> Path:
    text = DEFAULT_SPEC.read_text(encoding="utf-8")
    head, _, _ = text.partition("policies:")
    path = tmp_path / "spec.yaml"
    path.write_text(
        head
        + "policies:\n"
        + (policies or "  divisible_min_share: 0.25\n")
        + "solver:\n"
        + (solver or "  mip_gap: 0\n"),
        encoding="utf-8",
    )
    return path


def test_tiny_case_reaches_the_hand_worked_optimum() -> None:
    expected = yaml.safe_load((TINY / "expected.yaml").read_text(encoding="utf-8"))
    plan = solve_tiny()
    assert plan.status == SolveStatus.OPTIMAL
    assert plan.objective == pytest.approx(expected["objective"], rel=1e-6)
    case = plan.case
    amounts = {case.projects[p].project_id: v for p, v in plan.project_totals().items()}
    assert amounts == expected["project_amounts"]
    funds = {case.funds[f].fund_id: v for f, v in plan.fund_totals().items()}
    assert funds == expected["fund_allocated"]
    assert not plan.eligibility.eligible[:, 10].any()  # P11


def test_amounts_are_exact_integers_within_budgets() -> None:
    plan = solve_tiny()
    assert all(isinstance(a.amount, int) and a.amount > 0 for a in plan.allocations)
    for f, total in plan.fund_totals().items():
        assert total <= plan.case.funds[f].budget


def test_village_cap_binds(tmp_path: Path) -> None:
    plan = solve_tiny(spec_with(tmp_path, "  village_cap: {max_amount: 450000}\n"))
    village_of = plan.case.village_index()
    per_village: dict[int, int] = {}
    for p, amount in plan.project_totals().items():
        v = village_of[plan.case.projects[p].village_id]
        per_village[v] = per_village.get(v, 0) + amount
    assert max(per_village.values()) <= 450_000
    # V1 can no longer take both P01 (300k) and P02 (400k): P02 is cut to 150k (divisible).
    amounts = {plan.case.projects[p].project_id: v for p, v in plan.project_totals().items()}
    assert amounts["P01"] + amounts.get("P02", 0) <= 450_000


def test_category_min_share(tmp_path: Path) -> None:
    policies = (
        "  category_shares:\n    - {category: industry, min_share: 0.6, "
        "fund_kinds: [poverty_special]}\n"
    )
    plan = solve_tiny(spec_with(tmp_path, policies))
    f1 = [a for a in plan.allocations if plan.case.funds[a.fund].fund_id == "F1"]
    industry = sum(a.amount for a in f1 if plan.case.projects[a.project].category == "industry")
    assert industry >= 0.6 * sum(a.amount for a in f1) - len(f1)


def test_must_fund_category_is_fully_funded(tmp_path: Path) -> None:
    plan = solve_tiny(spec_with(tmp_path, "  must_fund_categories: [safe_housing]\n"))
    amounts = {plan.case.projects[p].project_id: v for p, v in plan.project_totals().items()}
    assert amounts["P04"] == 200_000 and amounts["P10"] == 240_000


def test_must_fund_without_eligible_fund_is_infeasible(tmp_path: Path) -> None:
    with pytest.raises(InfeasibleError, match="have no eligible fund"):
        solve_tiny(spec_with(tmp_path, "  must_fund_categories: [relocation]\n"))


def test_impossible_floor_is_infeasible(tmp_path: Path) -> None:
    policies = "  poor_village_floor: {min_amount: 900000}\n  village_cap: {max_amount: 800000}\n"
    with pytest.raises(InfeasibleError, match="poor_village_floor"):
        solve_tiny(spec_with(tmp_path, policies))


def test_time_limited_run_reports_its_incumbent_and_is_never_optimal(tmp_path: Path) -> None:
    from allocator.app.generate import SIZES, generate_case, write_case

    case_dir = write_case(generate_case(SIZES["city"], seed=3), tmp_path / "city")
    # Long enough for the LP relaxation on a loaded machine (0.16 s unloaded; a
    # 0.3 s limit once left it unfinished in CI, so no bound), far too short to prove a
    # city at gap 0.
    spec = spec_with(tmp_path, solver="  mip_gap: 0\n  time_limit: 3\n")
    plan = solve_tiny(spec, case_dir)  # the greedy start guarantees an incumbent
    assert plan.status == SolveStatus.TIME_LIMIT
    # A bound and gap are always reported: HiGHS's, or the LP relaxation's if it proved none.
    assert plan.bound is not None and plan.gap is not None
    assert plan.bound >= plan.objective and plan.gap > 0
    assert (
        check_plan(plan.case, plan.eligibility.eligible, plan.spec.spec.policies, plan.allocations)
        == []
    )


@pytest.mark.parametrize(
    ("failed", "status", "feasible", "expected"),
    [
        (False, "kOptimal", True, SolveStatus.OPTIMAL),
        (False, "kOptimal", False, SolveStatus.ERROR),
        (False, "kTimeLimit", True, SolveStatus.TIME_LIMIT),
        (False, "kTimeLimit", False, SolveStatus.NO_SOLUTION),
        (False, "kInterrupt", True, SolveStatus.TIME_LIMIT),
        (False, "kInfeasible", False, SolveStatus.INFEASIBLE),
        (False, "kUnboundedOrInfeasible", False, SolveStatus.INFEASIBLE),
        (False, "kUnbounded", True, SolveStatus.ERROR),
        (False, "kSolveError", True, SolveStatus.ERROR),
        (False, "kNotset", False, SolveStatus.ERROR),
        (True, "kOptimal", True, SolveStatus.ERROR),
    ],
)
def test_solver_status_mapping(
    failed: bool, status: str, feasible: bool, expected: SolveStatus
) -> None:
    import highspy

    from allocator.optimize.solve import map_status

    assert map_status(failed, getattr(highspy.HighsModelStatus, status), feasible) == expected


def test_check_plan_catches_each_violation() -> None:
    plan = solve_tiny()
    case, eligible, spec = plan.case, plan.eligibility.eligible, plan.spec.spec
    good = list(plan.allocations)
    assert check_plan(case, eligible, spec.policies, good) == []
    first = good[0]
    over_budget = [*good, Allocation(first.project, first.fund, 0)]
    assert any(
        "not a positive" in v for v in check_plan(case, eligible, spec.policies, over_budget)
    )
    part = [
        Allocation(a.project, a.fund, a.amount - 1) if i == 0 else a for i, a in enumerate(good)
    ]
    assert any("part-funded" in v for v in check_plan(case, eligible, spec.policies, part))
    ineligible = [*good, Allocation(7, 0, 1)]  # F1 -> P08 (V4 is not poor)
    assert any("not eligible" in v for v in check_plan(case, eligible, spec.policies, ineligible))
    budget = [*good, Allocation(6, 1, 150_000)]  # F2 -> P07 would exceed F2's budget
    assert any("budget" in v for v in check_plan(case, eligible, spec.policies, budget))
    too_much = [*good, Allocation(11, 0, 1)]  # P12 already fully funded
    assert any(
        "more than its cost" in v for v in check_plan(case, eligible, spec.policies, too_much)
    )
    small = [*good, Allocation(3, 0, 10)]  # P04 gets 10 yuan, below the 25% minimum share
    assert any("minimum share" in v for v in check_plan(case, eligible, spec.policies, small))
    no_floor = [a for a in good if case.projects[a.project].village_id != "V5"]
    assert any("floor" in v for v in check_plan(case, eligible, spec.policies, no_floor))


def test_per_pair_formulation_reaches_the_same_optimum(tmp_path: Path) -> None:
    text = DEFAULT_SPEC.read_text(encoding="utf-8").replace(
        "  money_unit: 10000\n", "  money_unit: 10000\n  formulation: per_pair\n"
    )
    path = tmp_path / "pairs.yaml"
    path.write_text(text, encoding="utf-8")
    grouped, pairs = solve_tiny(), solve_tiny(path)
    assert pairs.stats.flow_variables == pairs.stats.eligible_pairs == 14
    assert grouped.stats.flow_variables < pairs.stats.flow_variables
    assert pairs.objective == pytest.approx(grouped.objective, rel=1e-9)
    assert pairs.project_totals() == grouped.project_totals()


def test_plan_does_not_depend_on_solver_seed_or_threads(tmp_path: Path) -> None:
    from allocator.app.generate import SIZES, generate_case, write_case

    case_dir = write_case(generate_case(SIZES["tiny"], seed=11), tmp_path / "case")
    plans = []
    for seed, threads in ((0, 1), (3, 1), (0, 2), (7, 2)):
        spec = spec_with(tmp_path, solver=f"  mip_gap: 0\n  seed: {seed}\n  threads: {threads}\n")
        plans.append(solve_tiny(spec, case_dir).allocations)
    assert all(plan == plans[0] for plan in plans)


def test_money_is_drawn_from_the_most_restricted_fund_first() -> None:
    plan = solve_tiny()
    p09 = [a for a in plan.allocations if plan.case.projects[a.project].project_id == "P09"]
    # P09 may be paid by F2 (water, 4 eligible projects) or F3 (migrant, 2): F3 pays all.
    assert [(plan.case.funds[a.fund].fund_id, a.amount) for a in p09] == [("F3", 200_000)]


def _tiny_model() -> tuple[Any, Any, Any, Any]:
    """The tiny case's model under the default spec, compiled: (case, spec, model, matrix)."""
    from allocator.optimize.model import build_model
    from allocator.optimize.solve import compile_model
    from allocator.rules.eligibility import evaluate_eligibility
    from allocator.valuation import project_values

    case = load_case(TINY)
    spec = load_spec(DEFAULT_SPEC).spec
    eligibility = evaluate_eligibility(case, load_ruleset(BASELINE, rule_schema(case.meta)))
    am = build_model(case, eligibility, project_values(case, spec.objective), spec)
    return case, spec, am, compile_model(am)


def test_re_solves_leave_the_compiled_model_unchanged() -> None:
    """The flow LP and the fixed-selection LP re-cost and re-bound the model; afterwards
    it must be exactly as compiled (a lost copy once left garbage costs behind)."""
    import numpy as np

    from allocator.optimize.model import flow_costs
    from allocator.optimize.solve import (
        canonical_flows,
        solve,
        solve_fixed_selection,
        solve_relaxation,
    )
    from allocator.rules.eligibility import evaluate_eligibility

    case, spec, am, compiled = _tiny_model()
    eligibility = evaluate_eligibility(case, load_ruleset(BASELINE, rule_schema(case.meta)))
    before = [
        np.array(getattr(compiled.lp, f), dtype=float).copy()
        for f in ("col_cost_", "col_lower_", "col_upper_")
    ]
    relaxed = solve_relaxation(compiled, spec.solver)
    result = solve(compiled, spec.solver)
    for _ in range(3):
        routed = canonical_flows(result, flow_costs(am, eligibility), spec.solver)
        fixed = solve_fixed_selection(compiled, routed.point, spec.solver)  # type: ignore[arg-type]
        assert fixed.objective == pytest.approx(result.objective, rel=1e-9)
    after = [
        np.array(getattr(compiled.lp, f), dtype=float)
        for f in ("col_cost_", "col_lower_", "col_upper_")
    ]
    for old, new in zip(before, after, strict=True):
        assert np.array_equal(old, new)
    assert solve_relaxation(compiled, spec.solver).objective == relaxed.objective


@pytest.mark.parametrize("seed", [1, 2])
def test_a_start_within_the_gap_of_the_lp_bound_is_proven_without_the_full_mip(
    tmp_path: Path, seed: int
) -> None:
    """Generated cities: the margin sub-MIP's plan is within 1e-4 of the LP
    relaxation's bound, a bound on every plan, so it is returned as optimal with that
    bound, and it passes the independent check like any plan. On seed 1 the sub-MIP
    first stops at its own gap (1.2e-4 from the LP bound) while its bound leaves
    room, and is continued to within that room."""
    from allocator.app.generate import SIZES, generate_case, write_case

    folder = write_case(generate_case(SIZES["city"], seed=seed), tmp_path / "city")
    case = load_case(folder)
    spec = load_spec(DEFAULT_SPEC)
    plan = allocate(case, load_ruleset(BASELINE, rule_schema(case.meta)), spec)
    assert plan.status == SolveStatus.OPTIMAL
    assert "LP relaxation's bound" in plan.solver_message
    assert "solve" not in plan.timings  # HiGHS's full MIP never ran
    assert plan.bound is not None and plan.gap is not None
    assert plan.bound >= plan.objective
    assert plan.gap == pytest.approx((plan.bound - plan.objective) / plan.bound)
    assert plan.gap <= spec.spec.solver.mip_gap
    assert check_plan(case, plan.eligibility.eligible, spec.spec.policies, plan.allocations) == []


def test_a_plans_binding_prices_reuse_the_lp_already_solved_for_its_selection() -> None:
    """The fixed-selection LP of a routed start is the one the plan's explanation needs
    when the plan is that start; a different selection is never matched to it."""
    from allocator.optimize.solve import (
        Point,
        same_selection,
        solve,
        solve_fixed_selection,
    )

    _case, spec, _am, compiled = _tiny_model()
    result = solve(compiled, spec.solver)
    assert result.point is not None
    routed = solve_fixed_selection(compiled, result.point, spec.solver)
    assert routed.point is not None
    # The plan's point differs from the routed one in its flows only: still matched.
    assert same_selection([routed], result.point) is routed
    other = result.point.x.copy()
    first_binary = int(compiled.integer.nonzero()[0][0])
    other[first_binary] = 1.0 - round(other[first_binary])
    assert same_selection([routed], Point(compiled, other)) is None
    assert same_selection([], result.point) is None


def test_the_relaxation_solved_while_python_works_is_the_relaxation() -> None:
    """HiGHS solves the LP relaxation in its own thread while the greedy start is built:
    the same bound and point as waiting for it at once; its result is read once."""
    import numpy as np

    from allocator.optimize.solve import solve_fixed_selection, start_relaxation
    from allocator.optimize.warmstart import greedy_start
    from allocator.valuation import project_values

    case, spec, am, compiled = _tiny_model()
    at_once = start_relaxation(compiled, spec.solver).result()
    pending = start_relaxation(compiled, spec.solver)
    # Python work meanwhile (the greedy start) does not disturb it.
    greedy = greedy_start(case, am, compiled, project_values(case, spec.objective), spec)
    later = pending.result()
    assert at_once.point is not None
    assert solve_fixed_selection(compiled, greedy, spec.solver).point is not None
    assert later.objective == at_once.objective
    assert later.point is not None
    assert np.array_equal(later.point.x, at_once.point.x)
    with pytest.raises(RuntimeError):
        pending.result()


def test_a_cancelled_relaxation_leaves_highs_free_for_the_next_solve() -> None:
    """When the work beside a pending relaxation fails, cancelling it lets the next run
    (a service worker runs many) start HiGHS again."""
    from allocator.optimize.solve import solve_relaxation, start_relaxation

    _case, spec, _am, compiled = _tiny_model()
    pending = start_relaxation(compiled, spec.solver)
    pending.cancel()
    pending.cancel()  # twice is harmless
    assert solve_relaxation(compiled, spec.solver).point is not None
    with pytest.raises(RuntimeError):
        pending.result()
