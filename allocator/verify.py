"""Independent verification of a plan written by any tool (or edited by hand).

Nothing here uses the vectorized rule compiler or the solver: eligibility is
re-evaluated pair by pair with the scalar evaluator, and every amount is
re-added in integer arithmetic by ``check.check_plan``. Every violation is
reported, each with the allocations.csv row it comes from where there is one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from allocator.case import Case
from allocator.check import check_plan
from allocator.csvtable import decode_csv
from allocator.errors import InputError, Location
from allocator.files import read_bytes
from allocator.rounding import Allocation
from allocator.rules.ruleset import EARMARK, RuleSet
from allocator.rules.scalar import Row, Value, evaluate_row
from allocator.schemas import Fund, Project, Village
from allocator.spec import ModelSpec

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


def _attributes(
    prefix: str, item: Fund | Project | Village
) -> Iterator[tuple[tuple[str, str], Value]]:
    for name in type(item).model_fields:
        if name in ("extra", "categories"):
            continue
        yield (prefix, name), getattr(item, name)
    for name, value in item.extra.items():
        yield (prefix, name), value


def pair_row(case: Case, fund: int, project: int) -> Row:
    """Every attribute a rule can read for one (fund, project) pair, as plain values."""
    f, p = case.funds[fund], case.projects[project]
    village = case.villages[case.village_index()[p.village_id]]
    return {
        **dict(_attributes("fund", f)),
        **dict(_attributes("project", p)),
        **dict(_attributes("village", village)),
        ("case", "year"): case.meta.year,
        ("case", "name"): case.meta.name,
    }


def scalar_eligibility(case: Case, ruleset: RuleSet) -> npt.NDArray[np.bool_]:
    """(funds x projects) eligibility by the scalar evaluator, one pair at a time."""
    villages = {v.village_id: v for v in case.villages}
    eligible = np.zeros((len(case.funds), len(case.projects)), dtype=bool)
    fund_rows = [dict(_attributes("fund", f)) for f in case.funds]
    for p, project in enumerate(case.projects):
        base: dict[tuple[str, str], Value] = dict(_attributes("project", project))
        base.update(_attributes("village", villages[project.village_id]))
        base[("case", "year")] = case.meta.year
        base[("case", "name")] = case.meta.name
        for f, fund in enumerate(case.funds):
            if project.category not in fund.categories:
                continue
            row: Row = {**base, **fund_rows[f]}
            eligible[f, p] = all(
                (rule.when is not None and not evaluate_row(rule.when, row))
                or bool(evaluate_row(rule.require, row))
                for rule in ruleset.rules
            )
    return eligible


def excluding_check(case: Case, ruleset: RuleSet, fund: int, project: int) -> str | None:
    """The first check (EARMARK or a rule id) that excludes a pair, by the scalar evaluator."""
    if case.projects[project].category not in case.funds[fund].categories:
        return EARMARK
    row = pair_row(case, fund, project)
    for rule in ruleset.rules:
        if (rule.when is None or evaluate_row(rule.when, row)) and not evaluate_row(
            rule.require, row
        ):
            return rule.id
    return None


def read_allocations(path: Path, case: Case) -> tuple[list[Allocation], list[int], list[str]]:
    """Parse allocations.csv leniently enough to report every bad row, not just the first."""
    text = decode_csv(read_bytes(path), path, case.meta.encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}",
            Location(path, 1),
        )
    at = {name: header.index(name) for name in COLUMNS}
    projects, funds = case.project_index(), case.fund_index()
    allocations: list[Allocation] = []
    rows: list[int] = []
    problems: list[str] = []
    for cells in reader:
        row = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            problems.append(f"row {row}: has {len(cells)} cells, expected {len(header)}")
            continue
        pid, vid, fid, raw = (cells[at[c]].strip() for c in COLUMNS)
        bad = False
        if pid not in projects:
            problems.append(f"row {row}: unknown project_id '{pid}'")
            bad = True
        elif case.projects[projects[pid]].village_id != vid:
            problems.append(
                f"row {row}: project {pid} is in village "
                f"{case.projects[projects[pid]].village_id}, not '{vid}'"
            )
        if fid not in funds:
            problems.append(f"row {row}: unknown fund_id '{fid}'")
            bad = True
        if not raw.lstrip("-").isdigit():
            problems.append(f"row {row}: amount '{raw}' is not a whole number of yuan")
            bad = True
        elif int(raw) <= 0:
            problems.append(f"row {row}: amount {raw} is not positive")
            bad = True
        if not bad:
            allocations.append(Allocation(projects[pid], funds[fid], int(raw)))
            rows.append(row)
    return allocations, rows, problems


def verify_plan(
    case: Case, ruleset: RuleSet, spec: ModelSpec, allocations_csv: Path
) -> Verification:
    """Every violation of ``allocations_csv`` against the case, rule set and spec."""
    allocations, rows, problems = read_allocations(allocations_csv, case)
    eligible = scalar_eligibility(case, ruleset)
    seen: dict[tuple[int, int], int] = {}
    for a, row in zip(allocations, rows, strict=True):
        project, fund = case.projects[a.project], case.funds[a.fund]
        if (a.fund, a.project) in seen:
            problems.append(
                f"row {row}: {fund.fund_id} -> {project.project_id} repeats row "
                f"{seen[(a.fund, a.project)]}"
            )
        seen[(a.fund, a.project)] = row
        if not eligible[a.fund, a.project]:
            check = excluding_check(case, ruleset, a.fund, a.project)
            problems.append(
                f"row {row}: {fund.fund_id} may not pay for {project.project_id} "
                f"(excluded by {check})"
            )
    # Aggregate checks (budgets, costs, indivisibility, shares, floors, caps, must-fund);
    # eligibility was reported above, row by row.
    problems += check_plan(case, eligible, spec, allocations, check_eligibility=False)
    return Verification(problems, len(rows), sum(a.amount for a in allocations))
