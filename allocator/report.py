"""Output tables built from a plan: every yuan placed, every gap explained.

Pure data (rows of strings and integers); ``output.py`` writes them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from allocator.pipeline import Plan
from allocator.rules.ruleset import EARMARK

Row = list[str | int]


@dataclass(frozen=True)
class ProjectOutcome:
    status: str  # funded | partial | unfunded | not_eligible
    reason: str  # machine-readable code
    detail: str  # one sentence for people


def _yuan(n: int) -> str:
    return f"{n:,}"


def _density(plan: Plan, p: int) -> float:
    """Value per 10,000 yuan of a project (the currency of 'lower value' explanations)."""
    return plan.values[p].value / plan.case.projects[p].cost * 10_000


def _forcing_policy(plan: Plan, p: int) -> str | None:
    """The policy that can require funding project p, if any."""
    policies = plan.spec.spec.policies
    project = plan.case.projects[p]
    if project.category in policies.must_fund_categories:
        return f"must-fund category {project.category}"
    village = next(v for v in plan.case.villages if v.village_id == project.village_id)
    if policies.poor_village_floor is not None and village.poor_village:
        return f"the floor for poor village {village.village_id}"
    if any(s.category == project.category and s.min_share > 0 for s in policies.category_shares):
        return f"the minimum share for {project.category}"
    return None


def project_outcomes(plan: Plan) -> list[ProjectOutcome]:
    """Why each project is funded or not: eligibility, budgets left, the price of money.

    The price of money in a fund is its budget row's dual in the LP relaxation
    (``Plan.marginal_value``): the value 10,000 more yuan buys at the margin. A
    project worth less per yuan than every eligible fund's price lost to
    higher-value projects; one funded below it was required by a policy.
    """
    case = plan.case
    totals = plan.project_totals()
    fund_used = plan.fund_totals()
    left = {f: fund.budget - fund_used.get(f, 0) for f, fund in enumerate(case.funds)}
    village_of = case.village_index()
    village_total: dict[int, int] = defaultdict(int)
    for p, amount in totals.items():
        village_total[village_of[case.projects[p].village_id]] += amount
    cap = plan.spec.spec.policies.village_cap
    outcomes: list[ProjectOutcome] = []
    for p, project in enumerate(case.projects):
        got = totals.get(p, 0)
        funds = plan.eligibility.eligible_funds(p)
        prices = {f: plan.marginal_value.get(f, 0.0) for f in funds}
        cheapest = min(prices.values(), default=0.0)
        density = _density(plan, p)
        if got == project.cost:
            forced = _forcing_policy(plan, p) if density < cheapest * (1 - 1e-6) else None
            if forced:
                outcomes.append(
                    ProjectOutcome(
                        "funded",
                        "funded_by_policy",
                        f"fully funded, required by {forced}: its value {density:.3g} per 10k yuan "
                        f"is below the price of money in its funds ({cheapest:.3g})",
                    )
                )
            else:
                outcomes.append(ProjectOutcome("funded", "funded", "fully funded"))
            continue
        if not funds:
            excluded: dict[str, list[str]] = defaultdict(list)
            for f, fund in enumerate(case.funds):
                rule = plan.eligibility.excluding_rule(f, p) or EARMARK
                excluded[rule].append(fund.fund_id)
            parts = [
                f"{rule} excludes {', '.join(ids) if len(ids) <= 3 else f'{len(ids)} funds'}"
                for rule, ids in sorted(excluded.items())
            ]
            outcomes.append(
                ProjectOutcome(
                    "not_eligible",
                    "no_eligible_fund",
                    "no fund may pay for it: " + "; ".join(parts),
                )
            )
            continue
        status = "partial" if got > 0 else "unfunded"
        missing = project.cost - got
        room = sum(left[f] for f in funds)
        v = village_of[project.village_id]
        price_text = ", ".join(f"{case.funds[f].fund_id} {prices[f]:.3g}" for f in funds)
        if plan.values[p].value <= 0:
            outcomes.append(
                ProjectOutcome(
                    status, "no_listed_need", "addresses no need the village listed (value 0)"
                )
            )
        elif cap is not None and village_total[v] + missing > cap.max_amount:
            outcomes.append(
                ProjectOutcome(
                    status,
                    "village_cap",
                    f"village cap of {_yuan(cap.max_amount)} yuan reached "
                    f"(village has {_yuan(village_total[v])})",
                )
            )
        elif sum(case.funds[f].budget for f in funds) < missing:
            total = sum(case.funds[f].budget for f in funds)
            names = ", ".join(case.funds[f].fund_id for f in funds)
            outcomes.append(
                ProjectOutcome(
                    status,
                    "funds_too_small",
                    f"its eligible funds ({names}) hold {_yuan(total)} yuan in all, less than the "
                    f"{_yuan(missing)} it needs",
                )
            )
        elif room < missing:
            comparison = "is below" if density < cheapest * (1 - 1e-6) else "does not beat"
            outcomes.append(
                ProjectOutcome(
                    status,
                    "budget_exhausted",
                    f"eligible funds have {_yuan(room)} yuan left, it needs {_yuan(missing)}; "
                    f"its value {density:.3g} per 10k yuan {comparison} the price of money in its "
                    f"funds ({price_text}), which higher-value projects used",
                )
            )
        else:
            outcomes.append(
                ProjectOutcome(
                    status,
                    "policy_or_gap",
                    f"eligible funds have {_yuan(room)} yuan left and its value is {density:.3g} "
                    f"per 10k yuan (prices: {price_text}); held back by a share or minimum-share "
                    "policy or the optimality gap",
                )
            )
    return outcomes


def allocation_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    case = plan.case
    rows: list[Row] = [
        [
            case.projects[a.project].project_id,
            case.projects[a.project].village_id,
            case.funds[a.fund].fund_id,
            a.amount,
        ]
        for a in plan.allocations
    ]
    return ["project_id", "village_id", "fund_id", "amount"], rows


def fund_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    used = plan.fund_totals()
    rows: list[Row] = []
    for f, fund in enumerate(plan.case.funds):
        allocated = used.get(f, 0)
        marginal = plan.marginal_value.get(f)
        rows.append(
            [
                fund.fund_id,
                fund.name,
                fund.kind,
                fund.level,
                fund.budget,
                allocated,
                fund.budget - allocated,
                "" if marginal is None else f"{marginal:.6g}",
            ]
        )
    header = [
        "fund_id",
        "name",
        "kind",
        "level",
        "budget",
        "allocated",
        "unused",
        "marginal_value_per_10k",
    ]
    return header, rows


def project_rows(plan: Plan, outcomes: list[ProjectOutcome]) -> tuple[list[str], list[Row]]:
    totals = plan.project_totals()
    rows: list[Row] = []
    for p, project in enumerate(plan.case.projects):
        outcome = outcomes[p]
        funds = ";".join(plan.case.funds[f].fund_id for f in plan.eligibility.eligible_funds(p))
        rows.append(
            [
                project.project_id,
                project.village_id,
                project.category,
                project.cost,
                totals.get(p, 0),
                outcome.status,
                f"{plan.values[p].value:.6g}",
                funds,
                outcome.reason,
                outcome.detail,
            ]
        )
    header = [
        "project_id",
        "village_id",
        "category",
        "cost",
        "allocated",
        "status",
        "value",
        "eligible_funds",
        "reason",
        "detail",
    ]
    return header, rows


@dataclass(frozen=True)
class UnmetNeed:
    village_id: str
    need: str
    households: int
    covered: int
    reason: str
    detail: str


def unmet_needs(plan: Plan, outcomes: list[ProjectOutcome]) -> list[UnmetNeed]:
    """Each listed need not fully covered by funded projects, with the reason."""
    case = plan.case
    totals = plan.project_totals()
    by_need: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p, project in enumerate(case.projects):
        by_need[(project.village_id, project.category)].append(p)
    result: list[UnmetNeed] = []
    for need in case.needs:
        projects = by_need.get((need.village_id, need.need), [])
        covered_float = sum(
            case.projects[p].households * totals.get(p, 0) / case.projects[p].cost for p in projects
        )
        covered = min(need.households, math.floor(covered_float + 1e-9))
        if covered >= need.households:
            continue
        if not projects:
            reason, detail = "no_project", "no project in the library addresses it"
        elif not (open_ := [p for p in projects if totals.get(p, 0) < case.projects[p].cost]):
            reason = "projects_too_small"
            detail = "its funded projects reach fewer households than it lists"
        else:
            best = max(open_, key=lambda p: (plan.values[p].value, -p))
            reason = outcomes[best].reason
            detail = f"{case.projects[best].project_id}: {outcomes[best].detail}"
        result.append(
            UnmetNeed(need.village_id, need.need, need.households, covered, reason, detail)
        )
    return result


def unmet_rows(items: list[UnmetNeed]) -> tuple[list[str], list[Row]]:
    rows: list[Row] = [
        [u.village_id, u.need, u.households, u.covered, u.reason, u.detail] for u in items
    ]
    return ["village_id", "need", "households", "households_covered", "reason", "detail"], rows


def village_rows(plan: Plan, unmet: list[UnmetNeed]) -> tuple[list[str], list[Row]]:
    case = plan.case
    totals = plan.project_totals()
    scores = {s.village_id: s.score for s in case.scores}
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p, project in enumerate(case.projects):
        entry = stats[project.village_id]
        entry[0] += 1
        if totals.get(p, 0) > 0:
            entry[1] += 1
        entry[2] += totals.get(p, 0)
    needs: dict[str, int] = defaultdict(int)
    for n in case.needs:
        needs[n.village_id] += 1
    unmet_count: dict[str, int] = defaultdict(int)
    for u in unmet:
        unmet_count[u.village_id] += 1
    rows: list[Row] = []
    for v in case.villages:
        projects, funded, allocated = stats[v.village_id]
        score = scores.get(v.village_id)
        rows.append(
            [
                v.village_id,
                v.name,
                v.township,
                "true" if v.poor_village else "false",
                "" if score is None else f"{score:g}",
                projects,
                funded,
                allocated,
                needs[v.village_id],
                unmet_count[v.village_id],
            ]
        )
    header = [
        "village_id",
        "name",
        "township",
        "poor_village",
        "score",
        "projects",
        "projects_funded",
        "allocated",
        "needs",
        "needs_unmet",
    ]
    return header, rows


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _round(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else float(f"{x:.{digits}g}")


def summary(plan: Plan, outcomes: list[ProjectOutcome], unmet: list[UnmetNeed]) -> dict[str, Any]:
    """The machine-readable run summary (deterministic: no clock values)."""
    case = plan.case
    totals = plan.project_totals()
    budget = sum(f.budget for f in case.funds)
    allocated = sum(a.amount for a in plan.allocations)
    funded_villages = {case.projects[p].village_id for p in totals}
    # Counted as the value counts them: beneficiaries capped at the need the village
    # listed; a project addressing no listed need reaches no recorded need.
    listed = [p for p in totals if plan.values[p].listed_need]
    poor_reached = sum(
        plan.values[p].poor_households_counted * totals[p] // case.projects[p].cost for p in listed
    )
    households_reached = sum(
        plan.values[p].households_counted * totals[p] // case.projects[p].cost for p in listed
    )
    counts: dict[str, int] = defaultdict(int)
    for o in outcomes:
        counts[o.status] += 1
    return {
        "status": plan.status.value,
        "optimal": plan.status.value == "optimal",
        "objective": _round(plan.objective),
        "value": _round(
            sum(
                plan.values[p].value * amount / case.projects[p].cost
                for p, amount in totals.items()
            )
        ),
        "bound": _round(plan.bound),
        "gap": _round(plan.gap, 4),
        "solver_message": plan.solver_message,
        "relaxed": bool(plan.relaxed),
        "relaxed_policies": [str(c) for c in plan.relaxed],
        "case": {
            "name": case.meta.name,
            "year": case.meta.year,
            "folder": case.folder.name,
            "villages": len(case.villages),
            "projects": len(case.projects),
            "funds": len(case.funds),
            "needs": len(case.needs),
        },
        "totals": {
            "budget": budget,
            "allocated": allocated,
            "unused": budget - allocated,
            "allocation_rows": len(plan.allocations),
            "projects_funded": counts["funded"],
            "projects_partial": counts["partial"],
            "projects_unfunded": counts["unfunded"],
            "projects_not_eligible": counts["not_eligible"],
            "villages_funded": len(funded_villages),
            "poor_households_reached": poor_reached,
            "households_reached": households_reached,
            "needs_unmet": len(unmet),
        },
        "model": {
            "projects_modelled": plan.stats.projects_modelled,
            "groups": plan.stats.groups,
            "flow_variables": plan.stats.flow_variables,
            "eligible_pairs": plan.stats.eligible_pairs,
            "binaries": plan.stats.binaries,
            "constraints": plan.stats.rows,
        },
        "inputs": {
            "case_files": case.file_hashes,
            "ruleset": {
                "id": plan.ruleset.id,
                "files": [p.name for p in plan.ruleset.files],
                "sha256": plan.ruleset.digest,
            },
            "model_spec": {
                "id": plan.spec.spec.spec,
                "file": plan.spec.path.name,
                "sha256": plan.spec.digest,
            },
        },
        "versions": {
            "allocator": _version("allocator"),
            "pyomo": _version("pyomo"),
            "highspy": _version("highspy"),
        },
        "timings_file": "timings.json",
    }


@dataclass(frozen=True)
class Report:
    """Everything derived from a plan for people: outcomes, unmet needs, summary."""

    outcomes: list[ProjectOutcome]
    unmet: list[UnmetNeed]
    summary: dict[str, Any]


def build_report(plan: Plan) -> Report:
    outcomes = project_outcomes(plan)
    unmet = unmet_needs(plan, outcomes)
    return Report(outcomes, unmet, summary(plan, outcomes, unmet))
