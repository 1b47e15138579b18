"""Independent verification of a plan written by any tool (or edited by hand).

Nothing here uses the vectorized rule compiler or the solver: eligibility is
re-evaluated pair by pair with the scalar evaluator, and every amount is
re-added in integer arithmetic by ``check.check_plan``. Every violation is
reported, each with the allocations.csv row it comes from where there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from allocator.audit.check import check_plan
from allocator.audit.verify_households import grant_row_problems, read_grants
from allocator.audit.years import YearAllocation, check_years, unfold, unfold_grants
from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.io.case import Case
from allocator.io.horizon import unroll
from allocator.io.runfolder import RunFolder
from allocator.ledger import Allocation, Grant
from allocator.policies.carry_over import carry_years
from allocator.rules.ruleset import RuleSet
from allocator.rules.scalar import excluding_check, scalar_eligibility
from allocator.spec import ModelSpec
from allocator.valuation import plan_households

COLUMNS = ("project_id", "village_id", "fund_id", "amount")


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying a plan: every violation found (empty = valid)."""

    violations: list[str]
    rows: int
    allocated: int

    @property
    def ok(self) -> bool:
        return not self.violations


def read_allocations(
    run: RunFolder | Path, case: Case
) -> tuple[list[Allocation], list[int], list[str], list[int]]:
    """Parse allocations.csv (or a plan workbook's allocations sheet) leniently enough to
    report every bad row, not just the first: rows, their row numbers, problems, and (a
    multi-year plan's) each row's year."""
    if isinstance(run, Path):  # a plan workbook, edited by hand
        from allocator.i18n import LANGUAGES, column, t
        from allocator.io.workbook import sheet_rows

        path = run
        header, table = sheet_rows(run, [t("sheet.allocations", lang) for lang in LANGUAGES])
        # plan.xlsx titles its columns for people ("project", "项目编码"): back to names
        names = {column(c, lang): c for c in COLUMNS for lang in LANGUAGES}
        header = [names.get(h, h) for h in header]
    else:
        path = run.path("allocations.csv")
        header, table = run.rows("allocations.csv", case.meta.encoding)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            msg(
                "missing column(s) {missing}; expected {COLUMNS}",
                missing=", ".join(missing),
                COLUMNS=",".join(COLUMNS),
            ),
            Location(path, 1),
        )
    multi_year = case.meta.horizon is not None
    if multi_year and "year" not in header:
        raise InputError(
            msg("missing column year: a multi-year plan pays each row in a year"),
            Location(path, 1),
        )
    at = {name: header.index(name) for name in COLUMNS}
    projects, funds = case.project_index(), case.fund_index()
    allocations: list[Allocation] = []
    rows: list[int] = []
    years: list[int] = []
    problems: list[str] = []
    for row, cells in table:
        if len(cells) < len(header):
            problems.append(
                msg(
                    "row {row}: has {n_cells} cells, expected {n_header}",
                    row=row,
                    n_cells=len(cells),
                    n_header=len(header),
                )
            )
            continue
        pid, vid, fid, raw = (cells[at[c]] for c in COLUMNS)
        bad = False
        if pid not in projects:
            problems.append(msg("row {row}: unknown project_id '{pid}'", row=row, pid=pid))
            bad = True
        elif case.projects[projects[pid]].village_id != vid:
            problems.append(
                msg(
                    "row {row}: project {pid} is in village {village_id}, not '{vid}'",
                    row=row,
                    pid=pid,
                    village_id=case.projects[projects[pid]].village_id,
                    vid=vid,
                )
            )
        if fid not in funds:
            problems.append(msg("row {row}: unknown fund_id '{fid}'", row=row, fid=fid))
            bad = True
        if not raw.lstrip("-").isdigit():
            problems.append(
                msg("row {row}: amount '{raw}' is not a whole number of yuan", row=row, raw=raw)
            )
            bad = True
        elif int(raw) <= 0:
            problems.append(msg("row {row}: amount {raw} is not positive", row=row, raw=raw))
            bad = True
        year = cells[header.index("year")] if multi_year else str(case.meta.year)
        if not year.isdigit() or int(year) not in case.meta.years():
            problems.append(
                msg("row {row}: year '{year}' is not a year of the plan", row=row, year=year)
            )
            bad = True
        if not bad:
            allocations.append(Allocation(projects[pid], funds[fid], int(raw)))
            rows.append(row)
            years.append(int(year))
    return allocations, rows, problems, years


def _aggregate_checks(
    case: Case,
    ruleset: RuleSet,
    spec: ModelSpec,
    eligible: npt.NDArray[np.bool_],
    allocations: list[Allocation],
    grants: list[Grant],
) -> list[str]:
    """Budgets, costs, indivisibility, shares, floors, caps, must-fund, whole measures,
    quotas, guarantees (eligibility is reported row by row by the caller)."""
    return check_plan(
        case,
        eligible,
        spec.policies,
        allocations,
        eligibility=False,
        grants=grants,
        households=plan_households(case, ruleset, spec),
    )


def year_problems(
    case: Case,
    ruleset: RuleSet,
    spec: ModelSpec,
    allocations: list[Allocation],
    years: list[int],
    grants: list[Grant],
) -> list[str]:
    """A multi-year plan's rows checked by year: each fund's money year by year, and the
    plan unrolled (each project's start its first paid year) against costs by year,
    starts, the carry-over window and every policy (eligibility was checked row by row)."""
    carry = carry_years(spec.policies)
    rows = [
        YearAllocation(a.project, a.fund, year, a.amount)
        for a, year in zip(allocations, years, strict=True)
    ]
    problems = check_years(case, rows, carry, grants)
    unrolled = unroll(case, carry, spec.objective.year_weights)
    parts, unplaced = unfold(unrolled, rows)
    measures, unpaid = unfold_grants(unrolled, grants)
    eligible = scalar_eligibility(unrolled, ruleset)
    if unrolled.timing is not None:
        eligible &= unrolled.timing.window()
    problems += unplaced + unpaid
    return problems + _aggregate_checks(unrolled, ruleset, spec, eligible, parts, measures)


def verify_plan(
    case: Case, ruleset: RuleSet, spec: ModelSpec, plan: Path | RunFolder
) -> Verification:
    """Every violation of a plan's allocations against the case, rule set and spec.

    ``plan`` is a run folder (its allocations.csv; for compatibility the path to
    allocations.csv works too) or a plan workbook (``plan.xlsx``, its
    ``allocations`` sheet), from any tool or edited by hand.
    """
    if isinstance(plan, Path) and plan.name == "allocations.csv" and not plan.is_dir():
        plan = plan.parent
    source: RunFolder | Path
    if isinstance(plan, Path) and plan.is_file() and plan.suffix.lower() in (".xlsx", ".xlsm"):
        source = plan
    else:
        source = plan if isinstance(plan, RunFolder) else RunFolder(plan)
    allocations, rows, problems, years = read_allocations(source, case)
    eligible = scalar_eligibility(case, ruleset)
    seen: dict[tuple[int, int, int], int] = {}
    for a, row, year in zip(allocations, rows, years, strict=True):
        project, fund = case.projects[a.project], case.funds[a.fund]
        if (a.fund, a.project, year) in seen:
            problems.append(
                msg(
                    "row {row}: {fund_id} -> {project_id} repeats row {seen}",
                    row=row,
                    fund_id=fund.fund_id,
                    project_id=project.project_id,
                    seen=seen[(a.fund, a.project, year)],
                )
            )
        seen[(a.fund, a.project, year)] = row
        if not eligible[a.fund, a.project]:
            check = excluding_check(case, ruleset, a.fund, a.project)
            problems.append(
                msg(
                    "row {row}: {fund_id} may not pay for {project_id} (excluded by {check})",
                    row=row,
                    fund_id=fund.fund_id,
                    project_id=project.project_id,
                    check=check,
                )
            )
    grants: list[Grant] = []
    if isinstance(source, RunFolder):
        grants, grant_rows, grant_problems = read_grants(source, case)
        problems += grant_problems
        problems += grant_row_problems(case, ruleset, grants, grant_rows)
    if case.meta.horizon is not None:
        problems += year_problems(case, ruleset, spec, allocations, years, grants)
        allocated = sum(a.amount for a in allocations) + sum(g.amount for g in grants)
        return Verification(problems, len(rows) + len(grants), allocated)
    problems += _aggregate_checks(case, ruleset, spec, eligible, allocations, grants)
    allocated = sum(a.amount for a in allocations) + sum(g.amount for g in grants)
    return Verification(problems, len(rows) + len(grants), allocated)
