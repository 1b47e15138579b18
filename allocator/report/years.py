"""The tables of a multi-year plan: money by project, fund and year, and by fund and year.

``allocations.csv`` keeps its columns and gains ``year``; ``funds.csv`` keeps its
columns, one row per fund and year (budget, allocated and unused are that
year's; idle reasons and marginal values are those of that year's money), and
gains ``year``, ``carried_in``, ``spent``, ``carried_out`` and ``lapsed``.
"""

from __future__ import annotations

from typing import Any

from allocator.audit.years import FundYear, YearAllocation
from allocator.io.case import Case
from allocator.plan import Plan
from allocator.report.output import BOM, csv_text
from allocator.report.tables import FUND_COLUMNS, Row, idle_money

YEAR_FUND_COLUMNS = ["year", "carried_in", "spent", "carried_out", "lapsed"]


def year_allocation_rows(case: Case, rows: list[YearAllocation]) -> tuple[list[str], list[Row]]:
    table: list[Row] = [
        [
            case.projects[r.project].project_id,
            case.projects[r.project].village_id,
            case.funds[r.fund].fund_id,
            r.amount,
            r.year,
        ]
        for r in rows
    ]
    return ["project_id", "village_id", "fund_id", "amount", "year"], table


def year_fund_rows(
    case: Case, accounts: list[FundYear], unrolled: Plan
) -> tuple[list[str], list[Row]]:
    """One row per fund and year; ``unrolled`` gives each year's money its idle reason."""
    timing = unrolled.case.timing
    money_of = (
        {(timing.fund_origin[g], timing.money_year[g]): g for g in range(len(unrolled.case.funds))}
        if timing is not None
        else {}
    )
    idle = idle_money(unrolled)
    table: list[Row] = []
    for a in accounts:
        fund = case.funds[a.fund]
        g = money_of.get((a.fund, a.year))
        marginal = unrolled.marginal_value.get(g) if g is not None else None
        reason, detail = idle.get(g, ("", "")) if g is not None else ("", "")
        table.append(
            [
                fund.fund_id,
                fund.name,
                fund.kind,
                fund.level,
                a.budget,
                a.spent,
                a.budget + a.carried_in - a.spent,
                "" if marginal is None else f"{marginal:.6g}",
                reason,
                detail,
                a.year,
                a.carried_in,
                a.spent,
                a.carried_out,
                a.lapsed,
            ]
        )
    return [*FUND_COLUMNS, *YEAR_FUND_COLUMNS], table


def year_village_rows(
    case: Case, rows: list[YearAllocation], villages: tuple[list[str], list[Row]]
) -> tuple[list[str], list[Row]]:
    """villages.csv of a multi-year plan: a row per village and year. projects_funded and
    allocated are that year's (projects paid, money); the other columns are the plan's
    over the horizon, as in the one-year file (``villages``)."""
    header, table = villages
    paid: dict[tuple[str, int], set[int]] = {}
    money: dict[tuple[str, int], int] = {}
    for r in rows:
        key = (case.projects[r.project].village_id, r.year)
        paid.setdefault(key, set()).add(r.project)
        money[key] = money.get(key, 0) + r.amount
    funded, allocated = header.index("projects_funded"), header.index("allocated")
    out: list[Row] = []
    for row in table:
        for year in case.meta.years():
            key = (str(row[0]), year)
            yearly = list(row)
            yearly[funded] = len(paid.get(key, ()))
            yearly[allocated] = money.get(key, 0)
            out.append([*yearly, year])
    return [*header, "year"], out


def years_summary(accounts: list[FundYear], rows: list[YearAllocation]) -> list[dict[str, Any]]:
    """summary.json ``years``: per year, money (all funds) and projects started or paid."""
    years = sorted({a.year for a in accounts})
    out = []
    for y in years:
        of_year = [a for a in accounts if a.year == y]
        out.append(
            {
                "year": y,
                "budget": sum(a.budget for a in of_year),
                "carried_in": sum(a.carried_in for a in of_year),
                "spent": sum(a.spent for a in of_year),
                "carried_out": sum(a.carried_out for a in of_year),
                "lapsed": sum(a.lapsed for a in of_year),
                "projects_paid": len({r.project for r in rows if r.year == y}),
            }
        )
    return out


def year_files(
    case: Case,
    rows: list[YearAllocation],
    accounts: list[FundYear],
    unrolled: Plan,
    villages: tuple[list[str], list[Row]],
    *,
    excel_csv: bool = False,
) -> dict[str, str]:
    """The files a multi-year plan writes in place of the one-year ``allocations.csv`` and
    ``funds.csv``."""
    files = {
        "allocations.csv": csv_text(*year_allocation_rows(case, rows)),
        "funds.csv": csv_text(*year_fund_rows(case, accounts, unrolled)),
        "villages.csv": csv_text(*year_village_rows(case, rows, villages)),
    }
    return {n: BOM + t for n, t in files.items()} if excel_csv else files
