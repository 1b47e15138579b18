"""Output tables built from a plan: every yuan placed, every gap explained.

Pure data (rows of strings and integers); ``output.py`` writes them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import numpy.typing as npt

from allocator.i18n import msg
from allocator.need_overlap import money_value
from allocator.plan import Plan
from allocator.policies.registry import active
from allocator.policies.village_cap import cap_of
from allocator.report.household_tables import household_summary
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


def _cheapest_prices(plan: Plan) -> npt.NDArray[np.float64]:
    """Per project, the lowest price of money among its eligible funds (0 with none)."""
    eligible = plan.eligibility.eligible  # funds x projects
    prices = np.array(
        [plan.marginal_value.get(f, 0.0) for f in range(eligible.shape[0])], dtype=np.float64
    )
    if eligible.shape[0] == 0:
        return np.zeros(eligible.shape[1])
    lowest = np.where(eligible, prices[:, None], np.inf).min(axis=0)
    return np.where(np.isfinite(lowest), lowest, 0.0)


def _covered_needs(plan: Plan) -> dict[int, tuple[float, int, int, list[int]]]:
    """Projects not fully funded whose need funded projects already cover in part: what
    funding one would add (value, households, poor households) and which funded projects
    cover it."""
    totals = plan.project_totals()
    case = plan.case
    funded = {p for p, amount in totals.items() if amount >= case.projects[p].cost}
    found: dict[int, tuple[float, int, int, list[int]]] = {}
    for overlap in plan.overlaps:
        for member in overlap.members:
            others = [m for m in overlap.members if m is not member]
            if not all(funded.intersection(m) for m in others):
                continue
            partners = sorted(q for m in others for q in m if q in funded)
            for p in member:
                if p in funded:
                    continue
                own = plan.values[p]
                value, households, poor, covering = found.get(
                    p, (own.value, own.households_counted, own.poor_households_counted, [])
                )
                found[p] = (
                    value + overlap.value,
                    households + overlap.households,
                    poor + overlap.poor_households,
                    sorted(set(covering) | set(partners)),
                )
    return found


def project_outcomes(plan: Plan) -> list[ProjectOutcome]:
    """Why each project is funded or not: eligibility, budgets left, the price of money.

    The price of money in a fund is its budget row's dual in the LP relaxation
    (``Plan.marginal_value``): the value 10,000 more yuan buys at the margin. A
    project worth less per yuan than every eligible fund's price lost to
    higher-value projects; one funded below it was required by a policy. A
    project held back while its funds have money left names the policy instance
    that binds (``Plan.project_binding``) and what relaxing it is worth.
    """
    case = plan.case
    totals = plan.project_totals()
    fund_used = plan.fund_totals()
    left = {f: fund.budget - fund_used.get(f, 0) for f, fund in enumerate(case.funds)}
    village_of = case.village_index()
    village_total: dict[int, int] = defaultdict(int)
    for p, amount in totals.items():
        village_total[village_of[case.projects[p].village_id]] += amount
    cap = cap_of(plan.spec.spec.policies)
    cheapest_of = _cheapest_prices(plan)
    covered = _covered_needs(plan)
    outcomes: list[ProjectOutcome] = []
    for p, project in enumerate(case.projects):
        got = totals.get(p, 0)
        funds = plan.eligibility.eligible_funds(p)
        cheapest = float(cheapest_of[p])
        density = _density(plan, p)
        binding = plan.project_binding.get(p)
        if got == project.cost:
            if binding is not None and density < cheapest * (1 - 1e-6):
                outcomes.append(
                    ProjectOutcome(
                        "funded",
                        "funded_by_policy",
                        msg(
                            (
                                "fully funded, required by {text}: its value {density:.3g} per 10k "
                                "yuan is below the price of money in its funds ({cheapest:.3g})"
                            ),
                            text=binding.text,
                            density=density,
                            cheapest=cheapest,
                        ),
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
        price_text = ", ".join(
            f"{case.funds[f].fund_id} {plan.marginal_value.get(f, 0.0):.3g}" for f in funds
        )
        if plan.values[p].value <= 0:
            outcomes.append(
                ProjectOutcome(
                    status, "no_listed_need", "addresses no need the village listed (value 0)"
                )
            )
        elif p in covered:
            added, households, poor, partners = covered[p]
            outcomes.append(
                ProjectOutcome(
                    status,
                    "need_covered",
                    msg(
                        (
                            "its need ({need}) is already met in part by {ids} (funded): it "
                            "would add {households} of its {total} households ({poor} of its "
                            "{total_poor} poor ones), worth {density:.3g} per 10k yuan "
                            "(prices: {price_text})"
                        ),
                        need=project.category,
                        ids=", ".join(case.projects[q].project_id for q in partners),
                        households=max(households, 0),
                        total=plan.values[p].households_counted,
                        poor=max(poor, 0),
                        total_poor=plan.values[p].poor_households_counted,
                        density=max(added, 0.0) / project.cost * 10_000,
                        price_text=price_text,
                    ),
                )
            )
        elif cap is not None and village_total[v] + missing > cap:
            outcomes.append(
                ProjectOutcome(
                    status,
                    "village_cap",
                    msg(
                        "village cap of {value} yuan reached (village has {value2})",
                        value=_yuan(cap),
                        value2=_yuan(village_total[v]),
                    ),
                )
            )
        elif sum(case.funds[f].budget for f in funds) < missing:
            total = sum(case.funds[f].budget for f in funds)
            names = ", ".join(case.funds[f].fund_id for f in funds)
            outcomes.append(
                ProjectOutcome(
                    status,
                    "funds_too_small",
                    msg(
                        (
                            "its eligible funds ({names}) hold {value} yuan in all, less than the "
                            "{value2} it needs"
                        ),
                        names=names,
                        value=_yuan(total),
                        value2=_yuan(missing),
                    ),
                )
            )
        elif binding is not None and room > 0:
            outcomes.append(
                ProjectOutcome(
                    status,
                    "held_by_policy",
                    msg(
                        (
                            "eligible funds have {value} yuan left, but {text} binds (relaxing it "
                            "by 10,000 yuan would be worth {price:.3g}; this project is worth "
                            "{density:.3g} per 10k yuan)"
                        ),
                        value=_yuan(room),
                        text=binding.text,
                        price=binding.price,
                        density=density,
                    ),
                )
            )
        elif room < missing:
            comparison = (
                msg("is below") if density < cheapest * (1 - 1e-6) else msg("does not beat")
            )
            outcomes.append(
                ProjectOutcome(
                    status,
                    "budget_exhausted",
                    msg(
                        (
                            "eligible funds have {value} yuan left, it needs {value2}; its value "
                            "{density:.3g} per 10k yuan {comparison} the price of money in its "
                            "funds ({price_text}), which higher-value projects used"
                        ),
                        value=_yuan(room),
                        value2=_yuan(missing),
                        density=density,
                        comparison=comparison,
                        price_text=price_text,
                    ),
                )
            )
        else:
            gap = plan.gap or 0.0
            outcomes.append(
                ProjectOutcome(
                    status,
                    "optimality_gap",
                    msg(
                        (
                            "eligible funds have {value} yuan left and no policy binds on it "
                            "(value {density:.3g} per 10k yuan; prices: {price_text}); the solver "
                            "stopped within its gap ({gap:.2e}) of the best plan, or the money "
                            "left is split across funds too small for it"
                        ),
                        value=_yuan(room),
                        density=density,
                        price_text=price_text,
                        gap=gap,
                    ),
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


def idle_money(plan: Plan) -> dict[int, tuple[str, str]]:
    """Why each fund's unused money is unused: fund index -> (reason code, sentence)."""
    case = plan.case
    ledger = plan.ledger
    left = {f: fund.budget - plan.fund_spent(f) for f, fund in enumerate(case.funds)}
    timing = case.timing
    # A multi-year plan: another start of a project already started is not open.
    started = (
        {timing.origin[p] for p, amount in ledger.by_project.items() if amount > 0}
        if timing is not None
        else set()
    )
    reasons: dict[int, tuple[str, str]] = {}
    for f, _fund in enumerate(case.funds):
        if left[f] <= 0:
            continue
        eligible = [int(p) for p in plan.eligibility.eligible[f].nonzero()[0]]
        open_ = [
            p
            for p in eligible
            if plan.values[p].value > 0
            and ledger.project(p) < case.projects[p].cost
            and (timing is None or timing.origin[p] not in started or ledger.project(p) > 0)
        ]
        binding = plan.fund_binding.get(f)
        if not open_:
            reasons[f] = (
                "no_eligible_project_left",
                "every project this fund may pay for that addresses a listed need is fully "
                "funded (or it may pay for none)",
            )
        elif binding is not None:
            reasons[f] = (
                "held_by_policy",
                msg(
                    (
                        "{text} binds ({policy}): relaxing it by 10,000 yuan would be worth "
                        "{price:.3g}"
                    ),
                    text=binding.text,
                    policy=binding.policy,
                    price=binding.price,
                ),
            )
        elif all(
            case.projects[p].cost - ledger.project(p)
            > sum(left[g] for g in plan.eligibility.eligible_funds(p))
            for p in open_
        ):
            reasons[f] = (
                "too_little_for_open_projects",
                msg(
                    (
                        "{n_open} eligible project(s) remain, each needing more than the money "
                        "left in the funds that may pay for it"
                    ),
                    n_open=len(open_),
                ),
            )
        else:
            reasons[f] = (
                "optimality_gap",
                msg(
                    "no policy binds; the solver stopped within its gap ({value:.2e})",
                    value=plan.gap or 0,
                ),
            )
    return reasons


#: funds.csv's columns (a multi-year plan's file adds its own after them)
FUND_COLUMNS = (
    "fund_id",
    "name",
    "kind",
    "level",
    "budget",
    "allocated",
    "unused",
    "marginal_value_per_10k",
    "idle_reason",
    "idle_detail",
)


def fund_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    used = plan.fund_totals()
    idle = idle_money(plan)
    rows: list[Row] = []
    for f, fund in enumerate(plan.case.funds):
        allocated = used.get(f, 0)
        marginal = plan.marginal_value.get(f)
        reason, detail = idle.get(f, ("", ""))
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
                reason,
                detail,
            ]
        )
    return list(FUND_COLUMNS), rows


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
        detail: str
        if not projects:
            reason, detail = "no_project", msg("no project in the library addresses it")
        elif not (open_ := [p for p in projects if totals.get(p, 0) < case.projects[p].cost]):
            reason = "projects_too_small"
            detail = msg("its funded projects reach fewer households than it lists")
        else:
            best = max(open_, key=lambda p: (plan.values[p].value, -p))
            reason = outcomes[best].reason
            detail = case.projects[best].project_id + ": " + outcomes[best].detail
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
    if x is None:
        return None
    if abs(x) < 1e-6:  # solver noise around zero: never "-0.0"
        return 0.0
    return float(f"{x:.{digits}g}")


def policy_figures(plan: Plan) -> dict[str, dict[str, int]]:
    """Whole-yuan figures each active policy reports about the plan (e.g. money matched)."""
    ledger = plan.ledger
    figures = {}
    for policy, config in active(plan.spec.spec.policies):
        found = policy.figures(config, plan.case, ledger)
        if found:
            figures[policy.key] = found
    return figures


def summary(plan: Plan, outcomes: list[ProjectOutcome], unmet: list[UnmetNeed]) -> dict[str, Any]:
    """The machine-readable run summary (deterministic: no clock values)."""
    case = plan.case
    totals = plan.project_totals()
    budget = sum(f.budget for f in case.funds)
    allocated = sum(plan.fund_totals().values())
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
    # Households of a need two funded projects both record are counted once.
    for overlap, share in zip(plan.overlaps, plan.overlap_shares(), strict=True):
        households_reached += round(overlap.households * share)
        poor_reached += round(overlap.poor_households * share)
    counts: dict[str, int] = defaultdict(int)
    for o in outcomes:
        counts[o.status] += 1
    result: dict[str, Any] = {
        "status": plan.status.value,
        "optimal": plan.status.value == "optimal",
        "objective": _round(plan.objective),
        "value": _round(plan_value(plan)),
        "bound": _round(plan.bound),
        "gap": _round(plan.gap, 4),
        "solver_message": plan.solver_message,
        "relaxed": bool(plan.violated),
        "relaxed_policies": [str(c) for c in plan.violated],
        "warnings": list(plan.warnings),
        "policies": policy_figures(plan),
        "binding_policies": [
            {"policy": b.policy, "instance": b.text, "price_per_10k": _round(b.price)}
            for b in plan.binding
        ],
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
    households = household_summary(plan)
    if households is not None:
        result["households"] = households
    return result


def plan_value(plan: Plan) -> float:
    """The plan's value from its rows: needs covered, households reached, standards closed."""
    value = money_value(plan.case, plan.values, [], plan.ledger.by_project)
    value += plan.overlap_value()  # a plan over several years weighs them by start year
    return value + plan.household_value


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
