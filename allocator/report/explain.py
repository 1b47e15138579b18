"""Explanations of a finished run, for a project, a village or a fund.

Read from the run's output folder (allocations, outcomes, prices of money) and
the inputs it was made from (checked by their hashes in summary.json); no
re-solve. Eligibility is re-derived with the scalar evaluator so every verdict
names the rule, its description and reference, and the attribute values that
decided it. Returns plain data (``Explanation``): lines for people, a dict for
programs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocator.errors import InputError
from allocator.i18n import join, msg
from allocator.io.case import Case
from allocator.io.runfolder import RunFolder
from allocator.rules.language import attributes_used
from allocator.rules.ruleset import EARMARK, Rule, RuleSet
from allocator.rules.scalar import Row, Value, evaluate_row, household_row, pair_row
from allocator.schemas import Fund
from allocator.spec import LoadedSpec


@dataclass
class Explanation:
    subject: str
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunView:
    """What a run wrote that explanations need."""

    allocations: dict[str, list[tuple[str, int]]]  # project -> [(fund, amount)]
    projects: dict[str, dict[str, str]]
    funds: dict[str, dict[str, str]]
    unmet: dict[tuple[str, str], dict[str, str]]
    #: households.csv of the run (registered poor households), when it has one
    households: dict[str, dict[str, str]] = field(default_factory=dict)
    #: household -> [(measure, fund, amount)] from household_measures.csv
    grants: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    #: a multi-year plan's project -> [(fund, year, amount)], and fund -> rows by year
    by_year: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    fund_years: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def load_run(folder: Path, case: Case, ruleset: RuleSet, spec: LoadedSpec) -> RunView:
    """Read a run folder, refusing one made from other inputs than those given."""
    run = RunFolder(folder)
    run.require_inputs(case.file_hashes, ruleset.digest, spec.digest)
    households: dict[str, dict[str, str]] = {}
    grants: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    if run.path("households.csv").exists():
        households = {r["household_id"]: r for r in run.table("households.csv")}
        for r in run.table("household_measures.csv"):
            grants[r["household_id"]].append((r["measure_id"], r["fund_id"], int(r["amount"])))
    return RunView(
        run.payments(),
        run.projects(),
        run.funds(),
        run.unmet(),
        households,
        dict(grants),
        run.payments_by_year(),
        run.fund_years(),
    )


def _show(value: Value) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fund_verdict(case: Case, ruleset: RuleSet, f: int, p: int) -> dict[str, Any]:
    """Why fund f may or may not pay for project p: the deciding check and its evidence."""
    return _verdict(
        case.funds[f],
        case.projects[p].category,
        ruleset.project_rules,
        lambda: pair_row(case, f, p),
    )


def measure_verdict(case: Case, ruleset: RuleSet, f: int, m: int, h: int) -> dict[str, Any]:
    """Why fund f may or may not pay measure m for household h (register position)."""
    return _verdict(
        case.funds[f],
        case.measures[m].category,
        ruleset.household_rules,
        lambda: household_row(case, f, m, h),
    )


def _verdict(
    fund: Fund, category: str, rules: Sequence[Rule], make_row: Callable[[], Row]
) -> dict[str, Any]:
    """The deciding check (earmark, then rules in order) and the evidence it read."""
    if category not in fund.categories:
        return {
            "fund_id": fund.fund_id,
            "eligible": False,
            "check": EARMARK,
            "why": msg(
                "its earmark ({categories}) does not list {category}",
                categories=", ".join(fund.categories),
                category=category,
            ),
        }
    row = make_row()
    admitted: list[dict[str, Any]] = []
    for rule in rules:
        if rule.when is not None and not evaluate_row(rule.when, row):
            continue
        nodes = [rule.require] + ([rule.when] if rule.when is not None else [])
        evidence = {
            f"{a.entity}.{a.name}": _show(row[(a.entity, a.name)])
            for node in nodes
            for a in attributes_used(node)
        }
        entry = {
            "rule": rule.id,
            "description": " ".join(rule.description.split()),
            "reference": " ".join(rule.reference.split()),
            "require": " ".join(rule.require_text.split()),
            "values": evidence,
        }
        if not evaluate_row(rule.require, row):
            return {
                "fund_id": fund.fund_id,
                "eligible": False,
                "check": rule.id,
                **entry,
                "why": "its requirement does not hold",
            }
        admitted.append(entry)
    return {
        "fund_id": fund.fund_id,
        "eligible": True,
        "check": EARMARK,
        "admitted_by": [EARMARK] + [a["rule"] for a in admitted],
        "rules": admitted,
    }


def _verdict_lines(verdict: dict[str, Any], paid: int, price: str) -> list[str]:
    name = verdict["fund_id"]
    if not verdict["eligible"]:
        if verdict["check"] == EARMARK:
            return [msg("  {name}: excluded by the earmark: {why}", name=name, why=verdict["why"])]
        values = ", ".join(f"{k}={v}" for k, v in verdict["values"].items())
        return [
            msg(
                "  {name}: excluded by rule {check}: {description} [{reference}]",
                name=name,
                check=verdict["check"],
                description=verdict["description"],
                reference=verdict["reference"],
            ),
            msg(
                "      require {require}  -> false with {values}",
                require=verdict["require"],
                values=values,
            ),
        ]
    rules = ", ".join(verdict["admitted_by"])
    paid_text = msg("pays {paid:,} yuan", paid=paid) if paid else msg("pays nothing")
    return [
        msg(
            ("  {name}: eligible ({rules}); {paid_text}; price of money {price} per 10k yuan"),
            name=name,
            rules=rules,
            paid_text=paid_text,
            price=price,
        )
    ]


def _lookup(index: dict[str, int], key: str, kind: str) -> int:
    if key not in index:
        raise InputError(msg("unknown {kind} '{key}'", kind=kind, key=key))
    return index[key]


def explain_project(case: Case, ruleset: RuleSet, run: RunView, project_id: str) -> Explanation:
    p = _lookup(case.project_index(), project_id, "project")
    project = case.projects[p]
    outcome = run.projects[project_id]
    paid = dict(run.allocations.get(project_id, []))
    verdicts = [fund_verdict(case, ruleset, f, p) for f in range(len(case.funds))]
    kind = msg("divisible") if project.divisible else msg("indivisible")
    lines: list[str] = [
        msg(
            (
                "Project {project_id}: {name} ({category}) in village {village_id}; "
                "cost {cost:,} yuan, {kind}; value {value}"
            ),
            project_id=project_id,
            name=project.name,
            category=project.category,
            village_id=project.village_id,
            cost=project.cost,
            kind=kind,
            value=outcome["value"],
        ),
        msg(
            "Outcome: {status}, {allocated:,} yuan: {reason}: {detail}",
            status=outcome["status"],
            allocated=int(outcome["allocated"]),
            reason=outcome["reason"],
            detail=outcome["detail"],
        ),
        msg("Funds:"),
    ]
    for verdict in verdicts:
        price = run.funds[verdict["fund_id"]].get("marginal_value_per_10k", "") or "-"
        lines += _verdict_lines(verdict, paid.get(verdict["fund_id"], 0), price)
    years = sorted(run.by_year.get(project_id, []), key=lambda item: (item[1], item[0]))
    if years:
        lines.append(msg("By year:"))
        lines += [
            msg("  {year}: {amount:,} yuan from {fund_id}", year=y, amount=a, fund_id=fid)
            for fid, y, a in years
        ]
    data = {"project": project_id, "outcome": outcome, "paid": paid, "funds": verdicts}
    if years:
        data["by_year"] = [{"fund_id": fid, "year": y, "amount": a} for fid, y, a in years]
    return Explanation(f"project {project_id}", lines, data)


def explain_village(case: Case, ruleset: RuleSet, run: RunView, village_id: str) -> Explanation:
    village = case.villages[_lookup(case.village_index(), village_id, "village")]
    projects = [p for p in case.projects if p.village_id == village_id]
    score = next((s.score for s in case.scores if s.village_id == village_id), None)
    status = msg("registered poor") if village.poor_village else msg("not poor")
    exit_text = (
        msg(", exit year {exit_year}", exit_year=village.exit_year) if village.exit_year else ""
    )
    lines: list[str] = [
        msg(
            (
                "Village {village_id} {name} ({township}): {status}{exit_text}, "
                "poverty rate {poverty_rate:g}%, score {value}"
            ),
            village_id=village_id,
            name=village.name,
            township=village.township,
            status=status,
            exit_text=exit_text,
            poverty_rate=village.poverty_rate,
            value="-" if score is None else f"{score:g}",
        ),
        msg("Needs:"),
    ]
    needs_data = []
    for need in (n for n in case.needs if n.village_id == village_id):
        covering = [p for p in projects if p.category == need.need]
        funded = [
            (p.project_id, run.allocations.get(p.project_id, []))
            for p in covering
            if run.allocations.get(p.project_id)
        ]
        unmet = run.unmet.get((village_id, need.need))
        if unmet is None:
            state = msg(
                "covered by {projects}",
                projects=join(
                    "; ",
                    (
                        msg(
                            "{project_id} ({payments} yuan)",
                            project_id=pid,
                            payments=", ".join(f"{f} {a:,}" for f, a in pays),
                        )
                        for pid, pays in funded
                    ),
                ),
            )
        else:
            state = msg(
                (
                    "UNMET ({households_covered} of {households} households covered): "
                    "{reason}: {detail}"
                ),
                households_covered=unmet["households_covered"],
                households=need.households,
                reason=unmet["reason"],
                detail=unmet["detail"],
            )
        lines.append(
            msg(
                "  {need} ({households} households): {state}",
                need=need.need,
                households=need.households,
                state=state,
            )
        )
        needs_data.append(
            {
                "need": need.need,
                "households": need.households,
                "funded_projects": dict(funded),
                "unmet": unmet,
            }
        )
    lines.append(msg("Projects:"))
    for project in projects:
        outcome = run.projects[project.project_id]
        lines.append(
            msg(
                "  {project_id} {category}: {status}, {allocated:,} of {cost:,} yuan ({reason})",
                project_id=project.project_id,
                category=project.category,
                status=outcome["status"],
                allocated=int(outcome["allocated"]),
                cost=project.cost,
                reason=outcome["reason"],
            )
        )
    data = {
        "village": village_id,
        "needs": needs_data,
        "projects": {p.project_id: run.projects[p.project_id] for p in projects},
    }
    return Explanation(f"village {village_id}", lines, data)


def explain_fund(case: Case, ruleset: RuleSet, run: RunView, fund_id: str) -> Explanation:
    f = _lookup(case.fund_index(), fund_id, "fund")
    fund = case.funds[f]
    row = run.funds[fund_id]
    checks: dict[str, int] = defaultdict(int)
    for p in range(len(case.projects)):
        verdict = fund_verdict(case, ruleset, f, p)
        checks[
            "eligible"
            if verdict["eligible"]
            else msg("excluded by {check}", check=verdict["check"])
        ] += 1
    paid = sorted(
        ((a, pid) for pid, pays in run.allocations.items() for fid, a in pays if fid == fund_id),
        reverse=True,
    )
    lines: list[str] = [
        msg(
            (
                "Fund {fund_id}: {name} ({kind}, {level}); budget {budget:,}, "
                "allocated {allocated:,}, unused {unused:,} yuan; price of money "
                "{value} per 10k yuan"
            ),
            fund_id=fund_id,
            name=fund.name,
            kind=fund.kind,
            level=fund.level,
            budget=int(row["budget"]),
            allocated=int(row["allocated"]),
            unused=int(row["unused"]),
            value=row.get("marginal_value_per_10k") or "-",
        ),
        msg("Earmark: {categories}", categories=", ".join(fund.categories)),
        msg("Projects: {checks}", checks=", ".join(f"{k} {v}" for k, v in sorted(checks.items()))),
    ]
    if int(row["unused"]) > 0:
        reason = row.get("idle_reason") or "-"
        lines.append(
            msg(
                "Why {unused:,} yuan stay unused: {reason}: {value}",
                unused=int(row["unused"]),
                reason=reason,
                value=row.get("idle_detail", ""),
            )
        )
    lines += [
        msg("Pays {n_paid} project(s), largest first:", n_paid=len(paid)),
    ]
    lines += [
        msg("  {project_id}: {amount:,} yuan", project_id=pid, amount=amount)
        for amount, pid in paid[:15]
    ]
    if len(paid) > 15:
        lines.append(msg("  ... and {n_paid} more (allocations.csv)", n_paid=len(paid) - 15))
    years = run.fund_years.get(fund_id, [])
    if years:
        lines.append(msg("By year (a year spends the money carried into it first):"))
        lines += [
            msg(
                (
                    "  {year}: budget {budget:,}, carried in {carried_in:,}, spent {spent:,}, "
                    "carried out {carried_out:,}, lapsed {lapsed:,} yuan"
                ),
                year=r["year"],
                budget=int(r["budget"]),
                carried_in=int(r["carried_in"]),
                spent=int(r["spent"]),
                carried_out=int(r["carried_out"]),
                lapsed=int(r["lapsed"]),
            )
            for r in years
        ]
    data: dict[str, Any] = {
        "fund": fund_id,
        "summary": row,
        "eligibility": dict(checks),
        "pays": {pid: amount for amount, pid in paid},
    }
    if years:
        data["by_year"] = years
    return Explanation(f"fund {fund_id}", lines, data)


def explain_household(case: Case, ruleset: RuleSet, run: RunView, household_id: str) -> Explanation:
    """What a registered poor household got, and for every measure which fund may pay it."""
    register = case.households
    if register is None:
        raise InputError(msg("this case has no household register (households.csv)"))
    try:
        h = register.index(household_id)
    except KeyError:
        raise InputError(
            msg("unknown household '{household_id}'", household_id=household_id)
        ) from None
    village = case.villages[int(register.village[h])]
    row = household_row(case, 0, 0, h) if case.funds and case.measures else {}
    facts = ", ".join(
        f"{name} {_show(row.get(('household', name)))}"
        for name in ("members", "exit_year", "cause", "safe_housing", "safe_water", "income")
    )
    status = msg("registered poor") if register.poor[h] else msg("not on the poverty register")
    lines: list[str] = [
        msg(
            (
                "Household {household_id} in village {village_id} {name} ({township}): "
                "{status}; {facts}"
            ),
            household_id=household_id,
            village_id=village.village_id,
            name=village.name,
            township=village.township,
            status=status,
            facts=facts,
        )
    ]
    outcome = run.households.get(household_id)
    paid = run.grants.get(household_id, [])
    if outcome is not None:
        lines.append(
            msg("Outcome: {reason}: {detail}", reason=outcome["reason"], detail=outcome["detail"])
        )
    elif register.poor[h]:
        lines.append(
            msg("Outcome: the run planned no household measures (no households.csv in it)")
        )
    else:
        lines.append(msg("Outcome: measures are planned for registered poor households only"))
    if register.poor[h] and int(register.exit_year[h]) == case.meta.year:
        lines.append(
            msg(
                (
                    "Exits in {year}: the household floor (at least one measure) and the "
                    "guarantees (safe housing and water) apply where the model spec turns "
                    "them on"
                ),
                year=case.meta.year,
            )
        )
    by_measure: dict[str, dict[str, int]] = defaultdict(dict)
    for measure_id, fund_id, amount in paid:
        by_measure[measure_id][fund_id] = amount
    measures_data = []
    lines.append(msg("Measures:"))
    for m, measure in enumerate(case.measures):
        cost = measure.cost_per_household + measure.cost_per_member * int(register.members[h])
        given = by_measure.get(measure.measure_id, {})
        closes = msg("; closes {standard}", standard=measure.closes) if measure.closes else ""
        state = msg("given") if given else msg("not given")
        lines.append(
            msg(
                (
                    "  {measure_id} {name} ({category}), {cost:,} yuan for this "
                    "household{closes}: {state}"
                ),
                measure_id=measure.measure_id,
                name=measure.name,
                category=measure.category,
                cost=cost,
                closes=closes,
                state=state,
            )
        )
        verdicts = [measure_verdict(case, ruleset, f, m, h) for f in range(len(case.funds))]
        for verdict in verdicts:
            price = run.funds[verdict["fund_id"]].get("marginal_value_per_10k", "") or "-"
            lines += [
                "  " + line
                for line in _verdict_lines(verdict, given.get(verdict["fund_id"], 0), price)
            ]
        measures_data.append(
            {"measure": measure.measure_id, "cost": cost, "paid": given, "funds": verdicts}
        )
    data = {
        "household": household_id,
        "village": village.village_id,
        "outcome": outcome,
        "measures": measures_data,
    }
    return Explanation(f"household {household_id}", lines, data)
