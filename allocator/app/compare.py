"""What-if comparison of scenarios (rule set, model spec) on one case.

Each scenario is an ordinary run written to ``OUT/scenarios/<name>/`` (the
first is byte for byte what ``allocator run`` writes). The comparison is then
computed from those plan folders, against the first scenario as the baseline:
money moved per fund, township, village and category (and, for a multi-year case,
between years: compare_years.csv); projects gained and
lost; needs newly covered and newly unmet; poor households reached; and what
differs in the inputs (rules added, removed or changed by id; spec parameters).
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocator.app.defaults import DEFAULT_MODEL, DEFAULT_RULES
from allocator.app.parallel import parallel_map
from allocator.app.run import RunResult, run
from allocator.errors import InputError
from allocator.i18n import msg
from allocator.io.case import Case, load_case
from allocator.io.runfolder import RunFolder
from allocator.report.html import comparison_report
from allocator.report.output import csv_text, json_text, prepare_target, write_files
from allocator.report.tables import Row
from allocator.rules.ruleset import RuleSet, load_ruleset, rule_schema
from allocator.spec import load_spec

MARKER = "comparison.json"


@dataclass(frozen=True)
class Scenario:
    name: str
    rules: Path | None
    model: Path | None
    #: replaces the model spec's solver time limit (seconds), as ``run(time_limit=)``
    time_limit: float | None = None


def parse_scenario(text: str) -> Scenario:
    """``name=RULES[,MODEL]`` (either path may be empty for the default)."""
    name, sep, paths = text.partition("=")
    if not sep or not name.strip() or not name.replace("-", "").replace("_", "").isalnum():
        raise InputError(
            msg(
                (
                    "scenario '{text}' should look like name=RULES.yaml[,MODEL.yaml] (a "
                    "name of letters, digits, - and _)"
                ),
                text=text,
            )
        )
    rules, _, model = paths.partition(",")
    return Scenario(
        name.strip(), Path(rules) if rules.strip() else None, Path(model) if model.strip() else None
    )


def _run_scenario(job: tuple[Path, Scenario, Path]) -> str:
    case_dir, scenario, out = job
    result: RunResult = run(
        case_dir, out, rules=scenario.rules, model=scenario.model, time_limit=scenario.time_limit
    )
    return result.plan.status.value


def run_scenarios(
    case_dir: Path,
    scenarios: Sequence[Scenario],
    out: Path,
    jobs: int,
    on_done: Callable[[str], None] | None = None,
) -> None:
    """Run every scenario (``jobs`` at a time, in separate processes when > 1)."""
    work = [(case_dir, s, out / "scenarios" / s.name) for s in scenarios]
    parallel_map(
        _run_scenario,
        work,
        jobs,
        on_done=(lambda job, _: on_done(job[1].name)) if on_done else None,
    )


@dataclass
class PlanView:
    name: str
    summary: dict[str, Any]
    project_amount: dict[str, int]
    unmet: dict[tuple[str, str], int]  # (village, need) -> households still missing
    fund_allocated: dict[str, int]
    #: registered poor household -> its households.csv row (empty without a register)
    households: dict[str, dict[str, str]]
    #: a multi-year plan's money per (fund, year) (empty for a one-year plan)
    by_year: dict[tuple[str, int], int] = field(default_factory=dict)


def read_plan(name: str, folder: Path) -> PlanView:
    run = RunFolder(folder)
    unmet = {
        key: int(r["households"]) - int(r["households_covered"]) for key, r in run.unmet().items()
    }
    funds: dict[str, int] = defaultdict(int)
    for row in run.table("funds.csv"):  # a multi-year plan has a row per fund and year
        funds[row["fund_id"]] += int(row["allocated"])
    households = (
        {r["household_id"]: r for r in run.table("households.csv")}
        if run.path("households.csv").exists()
        else {}
    )
    by_year: dict[tuple[str, int], int] = defaultdict(int)
    for row in run.table("allocations.csv"):
        if "year" in row:
            by_year[(row["fund_id"], int(row["year"]))] += int(row["amount"])
    return PlanView(
        name, run.summary(), run.project_amounts(), unmet, dict(funds), households, dict(by_year)
    )


def household_changes(case: Case, base: PlanView, plan: PlanView) -> list[Row]:
    """Registered poor households whose measures differ from the baseline's."""
    rows: list[Row] = []
    for household_id in sorted(set(base.households) | set(plan.households)):
        old = base.households.get(household_id, {})
        new = plan.households.get(household_id, {})
        before, after = old.get("measures", ""), new.get("measures", "")
        if before == after:
            continue
        change = "newly reached" if not before else "lost" if not after else "other measures"
        row = new or old
        rows.append(
            [
                plan.name,
                household_id,
                row.get("village_id", ""),
                row.get("exit_year", ""),
                before,
                after,
                change,
            ]
        )
    return rows


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        out = {}
        for i, value in enumerate(data):
            out.update(_flatten(value, f"{prefix}[{i}]"))
        return out
    return {prefix: data}


def rule_changes(base: RuleSet, other: RuleSet) -> list[Row]:
    rows: list[Row] = []
    a = {r.id: r for r in base.rules}
    b = {r.id: r for r in other.rules}
    for rule_id in sorted(set(a) | set(b)):
        if rule_id not in b:
            rows.append([rule_id, "removed", a[rule_id].description.strip()])
        elif rule_id not in a:
            rows.append([rule_id, "added", b[rule_id].description.strip()])
        else:
            old, new = a[rule_id], b[rule_id]
            changed = [
                k
                for k in ("when_text", "require_text", "description", "reference")
                if " ".join(str(getattr(old, k)).split()) != " ".join(str(getattr(new, k)).split())
            ]
            if changed:
                rows.append(
                    [rule_id, "changed", ", ".join(c.replace("_text", "") for c in changed)]
                )
    return rows


def spec_changes(base: dict[str, Any], other: dict[str, Any]) -> list[Row]:
    a, b = _flatten(base), _flatten(other)
    return [
        [key, json.dumps(a.get(key)), json.dumps(b.get(key))]
        for key in sorted(set(a) | set(b))
        if key not in ("spec", "description") and a.get(key) != b.get(key)
    ]


def _by(case: Case, plan: PlanView, key: Callable[[Any], str]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    index = case.project_index()
    for project_id, amount in plan.project_amount.items():
        totals[key(case.projects[index[project_id]])] += amount
    return totals


def comparison_files(
    case: Case, plans: Sequence[PlanView], inputs: Sequence[tuple[RuleSet, dict[str, Any]]]
) -> dict[str, str]:
    """The comparison's CSV files, JSON summary and Markdown report."""
    names = [p.name for p in plans]
    base = plans[0]
    township = {v.village_id: v.township for v in case.villages}
    files: dict[str, str] = {}
    dimensions: dict[str, tuple[str, Callable[[Any], str]]] = {
        "township": ("compare_townships.csv", lambda p: township[p.village_id]),
        "village": ("compare_villages.csv", lambda p: p.village_id),
        "category": ("compare_categories.csv", lambda p: p.category),
    }
    moved: dict[str, dict[str, int]] = defaultdict(dict)
    changes: dict[str, dict[str, list[tuple[str, float]]]] = defaultdict(dict)
    for dimension, (file_name, key) in dimensions.items():
        totals = [_by(case, plan, key) for plan in plans]
        keys = sorted(set().union(*totals))
        if dimension != "village":
            for i, plan in enumerate(plans[1:], start=1):
                changes[plan.name][dimension] = [
                    (k, float(totals[i].get(k, 0) - totals[0].get(k, 0))) for k in keys
                ]
        rows: list[Row] = []
        for k in keys:
            values = [t.get(k, 0) for t in totals]
            rows.append([k, *values, *(v - values[0] for v in values[1:])])
        for i, plan in enumerate(plans[1:], start=1):
            moved[plan.name][dimension] = (
                sum(abs(t) for t in (totals[i].get(k, 0) - totals[0].get(k, 0) for k in keys)) // 2
            )
        files[file_name] = csv_text([dimension, *names, *(f"change_{n}" for n in names[1:])], rows)

    fund_rows: list[Row] = []
    fund_totals = [plan.fund_allocated for plan in plans]
    for fund in case.funds:
        values = [t.get(fund.fund_id, 0) for t in fund_totals]
        fund_rows.append([fund.fund_id, fund.budget, *values, *(v - values[0] for v in values[1:])])
    for i, plan in enumerate(plans[1:], start=1):
        moved[plan.name]["fund"] = (
            sum(
                abs(fund_totals[i].get(f.fund_id, 0) - fund_totals[0].get(f.fund_id, 0))
                for f in case.funds
            )
            // 2
        )
    for i, plan in enumerate(plans[1:], start=1):
        changes[plan.name]["fund"] = [
            (f.fund_id, float(fund_totals[i].get(f.fund_id, 0) - fund_totals[0].get(f.fund_id, 0)))
            for f in case.funds
        ]
    files["compare_funds.csv"] = csv_text(
        ["fund_id", "budget", *names, *(f"change_{n}" for n in names[1:])], fund_rows
    )

    if case.meta.horizon is not None:
        # Money by fund and year: what moved between years, not only between places.
        year_rows: list[Row] = []
        for year in case.meta.years():
            for fund in case.funds:
                values = [plan.by_year.get((fund.fund_id, year), 0) for plan in plans]
                year_rows.append(
                    [year, fund.fund_id, *values, *(v - values[0] for v in values[1:])]
                )
        for i, plan in enumerate(plans[1:], start=1):
            moved[plan.name]["year"] = (
                sum(abs(int(row[2 + i]) - int(row[2])) for row in year_rows) // 2
            )
        files["compare_years.csv"] = csv_text(
            ["year", "fund_id", *names, *(f"change_{n}" for n in names[1:])], year_rows
        )

    # What each policy reports (e.g. money matched, a category's share), per scenario.
    figures = [plan.summary.get("policies", {}) for plan in plans]
    policy_rows: list[Row] = []
    for policy in sorted(set().union(*figures)):
        names_of = sorted(set().union(*(f.get(policy, {}) for f in figures)))
        for figure in names_of:
            values = [int(f.get(policy, {}).get(figure, 0)) for f in figures]
            policy_rows.append([policy, figure, *values, *(v - values[0] for v in values[1:])])
    files["compare_policies.csv"] = csv_text(
        ["policy", "figure", *names, *(f"change_{n}" for n in names[1:])], policy_rows
    )

    project_rows: list[Row] = []
    need_rows: list[Row] = []
    index = case.project_index()
    for plan in plans[1:]:
        for project_id in sorted(set(base.project_amount) | set(plan.project_amount)):
            old = base.project_amount.get(project_id, 0)
            new = plan.project_amount.get(project_id, 0)
            if old == new:
                continue
            change = "gained" if old == 0 else "lost" if new == 0 else "changed"
            project = case.projects[index[project_id]]
            project_rows.append(
                [
                    plan.name,
                    project_id,
                    project.village_id,
                    project.category,
                    old,
                    new,
                    new - old,
                    change,
                ]
            )
        for need in sorted(set(base.unmet) | set(plan.unmet)):
            old_missing, new_missing = base.unmet.get(need, 0), plan.unmet.get(need, 0)
            if old_missing == new_missing:
                continue
            status = (
                "newly covered"
                if new_missing == 0
                else "newly unmet"
                if old_missing == 0
                else "more covered"
                if new_missing < old_missing
                else "less covered"
            )
            need_rows.append([plan.name, need[0], need[1], old_missing, new_missing, status])
    files["compare_projects.csv"] = csv_text(
        [
            "scenario",
            "project_id",
            "village_id",
            "category",
            "base_amount",
            "amount",
            "change",
            "kind",
        ],
        project_rows,
    )
    files["compare_needs.csv"] = csv_text(
        [
            "scenario",
            "village_id",
            "need",
            "base_households_missing",
            "households_missing",
            "status",
        ],
        need_rows,
    )

    rule_rows: list[Row] = []
    spec_rows: list[Row] = []
    for plan, (ruleset, spec) in zip(plans[1:], inputs[1:], strict=True):
        rule_rows += [[plan.name, *r] for r in rule_changes(inputs[0][0], ruleset)]
        spec_rows += [[plan.name, *r] for r in spec_changes(inputs[0][1], spec)]
    household_rows: list[Row] = []
    if case.households is not None:
        for plan in plans[1:]:
            household_rows += household_changes(case, base, plan)
        files["compare_households.csv"] = csv_text(
            [
                "scenario",
                "household_id",
                "village_id",
                "exit_year",
                "base_measures",
                "measures",
                "change",
            ],
            household_rows,
        )
    files["compare_rules.csv"] = csv_text(["scenario", "rule_id", "change", "detail"], rule_rows)
    files["compare_spec.csv"] = csv_text(["scenario", "parameter", "base", "value"], spec_rows)

    overview = []
    for plan in plans:
        totals = plan.summary["totals"]
        counts: dict[str, int] = defaultdict(int)
        for row in project_rows:
            if row[0] == plan.name:
                counts[str(row[7])] += 1
        overview.append(
            {
                "scenario": plan.name,
                "status": plan.summary["status"],
                "objective": plan.summary["objective"],
                "gap": plan.summary["gap"],
                "allocated": totals["allocated"],
                "projects_funded": totals["projects_funded"],
                "poor_households_reached": totals["poor_households_reached"],
                "needs_unmet": totals["needs_unmet"],
                "projects_gained": counts["gained"],
                "projects_lost": counts["lost"],
                "money_moved": moved.get(plan.name, {}),
                "rules_changed": sum(1 for r in rule_rows if r[0] == plan.name),
                "spec_parameters_changed": sum(1 for r in spec_rows if r[0] == plan.name),
            }
        )
        if "households" in plan.summary:
            exit_year = str(case.meta.year)
            mine = [r for r in household_rows if r[0] == plan.name and r[3] == exit_year]
            overview[-1]["households"] = {
                **plan.summary["households"],
                "exiting_newly_reached": sum(1 for r in mine if r[6] == "newly reached"),
                "exiting_lost": sum(1 for r in mine if r[6] == "lost"),
            }
    files[MARKER] = json_text({"case": case.meta.name, "baseline": names[0], "scenarios": overview})
    files["report.html"] = comparison_report(
        case.meta.name, overview, dict(changes), case.meta.language
    )
    files["report.md"] = _markdown(
        case, overview, rule_rows, spec_rows, project_rows, need_rows, policy_rows, names
    )
    return files


def _markdown(
    case: Case,
    overview: list[dict[str, Any]],
    rule_rows: list[Row],
    spec_rows: list[Row],
    project_rows: list[Row],
    need_rows: list[Row],
    policy_rows: list[Row],
    names: list[str],
) -> str:
    base = overview[0]
    # report.md is a file, written in English like the CSVs; report.html speaks the
    # case's language.
    markdown = [
        f"# What-if comparison: {case.meta.name} ({case.meta.year})",
        "",
        f"Baseline: **{base['scenario']}**. Money moved counts each yuan that changes place once.",
        "",
        "| scenario | status | value | gap | allocated | projects funded | poor households "
        "reached | needs unmet | gained | lost | moved between villages | moved between "
        "funds |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for o in overview:
        moved = o["money_moved"]
        gap = "-" if o["gap"] is None else f"{o['gap']:.2e}"
        markdown.append(
            msg(
                (
                    "| {scenario} | {status} | {objective:,.1f} | {gap} | {allocated:,} | "
                    "{projects_funded} | {poor_households_reached:,} | {needs_unmet} | "
                    "{projects_gained} | {projects_lost} | {value:,} | {value2:,} |"
                ),
                scenario=o["scenario"],
                status=o["status"],
                objective=o["objective"],
                gap=gap,
                allocated=o["allocated"],
                projects_funded=o["projects_funded"],
                poor_households_reached=o["poor_households_reached"],
                needs_unmet=o["needs_unmet"],
                projects_gained=o["projects_gained"],
                projects_lost=o["projects_lost"],
                value=moved.get("village", 0),
                value2=moved.get("fund", 0),
            )
        )
    markdown += ["", "## What differs in the inputs", ""]
    if rule_rows or spec_rows:
        markdown += ["| scenario | what | change | detail |", "|---|---|---|---|"]
        markdown += [f"| {r[0]} | rule {r[1]} | {r[2]} | {r[3]} |" for r in rule_rows]
        markdown += [f"| {r[0]} | spec {r[1]} | changed | {r[2]} -> {r[3]} |" for r in spec_rows]
    else:
        markdown.append(msg("Nothing: the scenarios use identical rules and spec parameters."))
    markdown += ["", "## Projects gained and lost (first 30)", ""]
    if project_rows:
        markdown += [
            "| scenario | project | village | category | baseline | scenario | change |",
            "|---|---|---|---|---:|---:|---|",
        ]
        markdown += [
            f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {int(r[4]):,} | {int(r[5]):,} | {r[7]} |"
            for r in project_rows[:30]
        ]
    else:
        markdown.append(msg("None."))
    changed = [r for r in policy_rows if any(int(v) != 0 for v in r[2 + len(names) :])]
    markdown += ["", "## Money moved by policies (yuan)", ""]
    if changed:
        markdown += [
            "| policy | figure | " + " | ".join(names) + " |",
            "|---|---|" + "---:|" * len(names),
        ]
        markdown += [
            f"| {r[0]} | {r[1]} | "
            + " | ".join(f"{int(v):,}" for v in r[2 : 2 + len(names)])
            + " |"
            for r in changed
        ]
    else:
        markdown.append(msg("No policy figure differs between the scenarios."))
    covered = sum(1 for r in need_rows if r[5] == "newly covered")
    unmet = sum(1 for r in need_rows if r[5] == "newly unmet")
    markdown += [
        "",
        f"Needs newly covered: {covered}; newly unmet: {unmet} (details in compare_needs.csv).",
        "",
    ]
    if all("households" in o for o in overview):
        markdown += [
            "## Registered poor households",
            "",
            "| scenario | reached | exiting reached | of exiting eligible | exiting newly "
            "reached | exiting lost | to households (yuan) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for o in overview:
            h = o["households"]
            markdown.append(
                msg(
                    (
                        "| {scenario} | {registered_poor_reached:,} | {exiting_reached:,} | "
                        "{exiting_eligible:,} | {value:,} | {value2:,} | {to_households:,} |"
                    ),
                    scenario=o["scenario"],
                    registered_poor_reached=h["registered_poor_reached"],
                    exiting_reached=h["exiting_reached"],
                    exiting_eligible=h["exiting_eligible"],
                    value=h.get("exiting_newly_reached", 0),
                    value2=h.get("exiting_lost", 0),
                    to_households=h["to_households"],
                )
            )
        markdown += ["", "Each household whose measures change is in compare_households.csv.", ""]
    return "\n".join(markdown)


def compare(
    case_dir: Path,
    scenarios: Sequence[Scenario],
    out: Path,
    jobs: int = 1,
    on_done: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the scenarios and write the comparison into ``out``; returns comparison.json."""
    if len(scenarios) < 2:
        raise InputError(msg("compare needs at least two scenarios (the first is the baseline)"))
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError(msg("scenario names must be unique: {names}", names=", ".join(names)))
    prepare_target(out, MARKER)
    case = load_case(case_dir)
    inputs = []
    for s in scenarios:  # validate every scenario's inputs before running any
        ruleset = load_ruleset(s.rules or DEFAULT_RULES, rule_schema(case.meta))
        spec = load_spec(s.model or DEFAULT_MODEL)
        inputs.append((ruleset, spec.spec.model_dump(mode="json")))
    staging = out.parent / f".{out.name}.scenarios"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        run_scenarios(case_dir, scenarios, staging, jobs, on_done)
        plans = []
        for s in scenarios:
            folder = staging / "scenarios" / s.name
            plans.append(read_plan(s.name, folder))
        files = comparison_files(case, plans, inputs)
        for s in scenarios:
            folder = staging / "scenarios" / s.name
            for path in sorted(folder.iterdir()):
                files[f"scenarios/{s.name}/{path.name}"] = path.read_text(encoding="utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_files(files, out, MARKER)
    overview: dict[str, Any] = json.loads(files[MARKER])
    return overview
