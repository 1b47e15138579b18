"""Verifying the household measure rows of a plan (``household_measures.csv``).

Each row is parsed leniently enough to report every bad row, then re-checked
with the scalar rule evaluator: may this fund pay this measure for this
household? Sums (whole measures, quotas, budgets, floors, guarantees) are
re-added by ``check.check_plan`` with the project rows.
"""

from __future__ import annotations

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.io.runfolder import RunFolder
from allocator.ledger import Grant
from allocator.rules.ruleset import RuleSet
from allocator.rules.scalar import household_excluding_check

FILE = "household_measures.csv"
COLUMNS = ("household_id", "village_id", "measure_id", "fund_id", "amount")


def read_grants(run: RunFolder, case: Case) -> tuple[list[Grant], list[int], list[str]]:
    """household_measures.csv as grant rows, their file rows, and every problem found."""
    register = case.households
    if register is None or not run.path(FILE).exists():
        return [], [], []
    header, table = run.rows(FILE, case.meta.encoding)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return (
            [],
            [],
            [msg("{FILE}: missing column(s) {missing}", FILE=FILE, missing=", ".join(missing))],
        )
    at = {name: header.index(name) for name in COLUMNS}
    measures = {m.measure_id: i for i, m in enumerate(case.measures)}
    funds = case.fund_index()
    grants: list[Grant] = []
    rows: list[int] = []
    problems: list[str] = []
    for row, cells in table:
        if len(cells) < len(header):
            problems.append(
                msg(
                    "{FILE} row {row}: has {n_cells} cells, expected {n_header}",
                    FILE=FILE,
                    row=row,
                    n_cells=len(cells),
                    n_header=len(header),
                )
            )
            continue
        hid, vid, mid, fid, raw = (cells[at[c]] for c in COLUMNS)
        where = f"{FILE} row {row}"
        household = -1
        try:
            household = register.index(hid)
        except KeyError:
            problems.append(msg("{where}: unknown household_id '{hid}'", where=where, hid=hid))
        if household >= 0:
            village_id = case.villages[int(register.village[household])].village_id
            if village_id != vid:
                problems.append(
                    msg(
                        "{where}: household {hid} is in village {village_id}, not '{vid}'",
                        where=where,
                        hid=hid,
                        village_id=village_id,
                        vid=vid,
                    )
                )
        if mid not in measures:
            problems.append(msg("{where}: unknown measure_id '{mid}'", where=where, mid=mid))
        if fid not in funds:
            problems.append(msg("{where}: unknown fund_id '{fid}'", where=where, fid=fid))
        if not raw.lstrip("-").isdigit():
            problems.append(
                msg("{where}: amount '{raw}' is not a whole number of yuan", where=where, raw=raw)
            )
        elif int(raw) <= 0:
            problems.append(msg("{where}: amount {raw} is not positive", where=where, raw=raw))
        elif household >= 0 and mid in measures and fid in funds:
            grants.append(Grant(household, measures[mid], funds[fid], int(raw)))
            rows.append(row)
    return grants, rows, problems


def grant_row_problems(
    case: Case, ruleset: RuleSet, grants: list[Grant], rows: list[int]
) -> list[str]:
    """Repeated rows and rows whose fund may not pay the measure for the household."""
    register = case.households
    assert register is not None or not grants
    problems: list[str] = []
    seen: dict[tuple[int, int, int], int] = {}
    for g, row in zip(grants, rows, strict=True):
        assert register is not None
        hid = register.ids[g.household]
        mid, fid = case.measures[g.measure].measure_id, case.funds[g.fund].fund_id
        key = (g.household, g.measure, g.fund)
        if key in seen:
            problems.append(
                msg(
                    "{FILE} row {row}: {fid} -> {hid}/{mid} repeats row {seen}",
                    FILE=FILE,
                    row=row,
                    fid=fid,
                    hid=hid,
                    mid=mid,
                    seen=seen[key],
                )
            )
        seen[key] = row
        check = household_excluding_check(case, ruleset, g.fund, g.measure, g.household)
        if check is not None:
            problems.append(
                msg(
                    (
                        "{FILE} row {row}: {fid} may not pay {mid} for household {hid} "
                        "(excluded by {check})"
                    ),
                    FILE=FILE,
                    row=row,
                    fid=fid,
                    mid=mid,
                    hid=hid,
                    check=check,
                )
            )
    return problems
