"""Planning a multi-year case: unroll it over its horizon, plan it, fold it back, check it.

The engine plans the unrolled case (``allocator.io.horizon``) exactly as any
one-year case, with its own independent check. Its rows are then folded back
to (project, fund, year) rows of the case, and checked once more from those
rows alone: every fund's spending year by year against its money of the year
and the money carried in (``allocator.audit.years``), and eligibility, costs
and policies over the horizon's totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from allocator.audit.check import check_plan
from allocator.audit.years import (
    FundYear,
    YearAllocation,
    check_years,
    fold,
    fold_grants,
    fund_accounts,
)
from allocator.errors import InputError, Location, PlanCheckError
from allocator.i18n import msg
from allocator.io.case import Case
from allocator.io.horizon import budget_by_year, unroll, with_previous
from allocator.ledger import Allocation
from allocator.plan import Plan, Progress
from allocator.policies.carry_over import carry_years
from allocator.policies.project_years import starts_of
from allocator.rules.eligibility import evaluate_eligibility
from allocator.rules.ruleset import RuleSet
from allocator.spec import LoadedSpec
from allocator.valuation import ProjectValue, plan_households


@dataclass(frozen=True)
class YearPlan:
    """A multi-year plan: by year, and over the horizon's totals."""

    #: the plan over the horizon's totals: the case's projects and funds, each fund's
    #: budget the money of all its years (projects.csv, villages.csv, report)
    plan: Plan
    #: the plan as the engine made it, on the unrolled case
    unrolled: Plan
    #: money by project, fund and year (allocations.csv)
    rows: list[YearAllocation]
    #: money by fund and year: budget, carried in, spent, carried out, lapsed (funds.csv)
    accounts: list[FundYear]
    carry_years: int


def refuse_unsupported(case: Case, spec: LoadedSpec) -> None:
    """What multi-year plans do not do yet, said before any work."""
    if spec.spec.method == "factor":
        raise InputError(
            msg("the factor method plans one year: remove 'horizon' from case.yaml"),
            Location(spec.path),
        )


def replan_case(case: Case, previous: Path) -> Case:
    """``case`` re-planned after the plan in ``previous`` (``run --previous``)."""
    if case.meta.horizon is None:
        raise InputError(
            msg("--previous re-plans a multi-year case: add 'horizon' to case.yaml"),
            Location(case.folder / "case.yaml"),
        )
    return with_previous(case, previous)


def horizon_case(case: Case) -> Case:
    """``case`` with each fund's budget the money of all its years (the totals' view)."""
    money: dict[int, int] = defaultdict(int)
    for (f, _), amount in budget_by_year(case).items():
        money[f] += amount
    funds = tuple(fund.model_copy(update={"budget": money[f]}) for f, fund in enumerate(case.funds))
    return replace(case, funds=funds)


def started_values(unrolled: Plan) -> list[ProjectValue]:
    """Each project's value as planned: that of the year it starts in (its year weight
    applied), or, if it is not funded, of its best start."""
    case = unrolled.case
    ledger = unrolled.ledger
    values: list[ProjectValue] = []
    starts = starts_of(case)
    for origin in range(len(case.timing.original.projects) if case.timing else 0):
        firsts = [parts[0] for _, parts in sorted(starts[origin].items())]
        taken = [
            parts[0]
            for _, parts in sorted(starts[origin].items())
            if any(ledger.project(p) > 0 for p in parts)
        ]
        chosen = taken[0] if taken else max(firsts, key=lambda p: unrolled.values[p].value)
        values.append(unrolled.values[chosen])
    return values


def allocate_years(
    case: Case,
    ruleset: RuleSet,
    spec: LoadedSpec,
    *,
    progress: Callable[[Progress], None] | None = None,
    relax: bool = False,
) -> YearPlan:
    """Plan ``case`` over its horizon; raises like ``allocate`` (and exit 4 if the folded
    plan fails its check)."""
    from allocator.optimize.pipeline import allocate  # the solver stack, only when solving

    refuse_unsupported(case, spec)
    carry = carry_years(spec.spec.policies)
    unrolled_case = unroll(case, carry, spec.spec.objective.year_weights)
    unrolled = allocate(unrolled_case, ruleset, spec, progress=progress, relax=relax)
    rows = fold(unrolled_case, unrolled.allocations)
    grants = fold_grants(unrolled_case, unrolled.grants)
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for r in rows:
        totals[(r.project, r.fund)] += r.amount
    allocations = [Allocation(p, f, amount) for (p, f), amount in sorted(totals.items())]
    overall = horizon_case(case)
    eligibility = evaluate_eligibility(overall, ruleset)
    households = plan_households(overall, ruleset, spec.spec)
    violations = check_years(case, rows, carry, grants)
    violations += check_plan(
        overall,
        eligibility.eligible,
        spec.spec.policies if not unrolled.violated else None,
        allocations,
        grants=grants,
        households=households,
    )
    if violations:
        raise PlanCheckError(violations)
    plan = Plan(
        overall,
        ruleset,
        spec,
        eligibility,
        started_values(unrolled),
        unrolled.status,
        unrolled.objective,
        unrolled.bound,
        unrolled.gap,
        allocations,
        unrolled.stats,
        unrolled.solver_message,
        unrolled.timings,
        unrolled.violated,
        warnings=unrolled.warnings,
        households=households,
        grants=grants,
        household_value=unrolled.household_value,
        shared_need_value=unrolled.overlap_value(),
    )
    return YearPlan(plan, unrolled, rows, fund_accounts(case, rows, carry, grants), carry)
