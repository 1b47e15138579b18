"""The plan as one workbook (``plan.xlsx``), for the people who work in Excel.

Sheets: summary, funds (each source credited: budget, allocated, unused, the
price of money, why money is idle), fund_by_township, allocations, projects,
villages, unmet_needs, and with a household register household_measures and
households (as the CSV files). Money has thousands separators; headers are bold and
frozen, with filters; columns are sized to their content. The bytes are the
same for the same plan: workbook timestamps are fixed (a workbook normally
records when it was saved).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from typing import Any

from allocator.i18n import Language, column, t
from allocator.plan import Plan
from allocator.report.household_tables import household_measure_rows, household_rows
from allocator.report.tables import (
    Report,
    Row,
    allocation_rows,
    fund_rows,
    project_rows,
    unmet_rows,
    village_rows,
)

#: columns shown with thousands separators
MONEY = {
    "budget", "allocated", "unused", "cost", "amount", "total", "households",
    "households_covered", "poor_households", "projects", "projects_funded", "needs",
    "needs_unmet",
}  # fmt: skip
#: what a workbook's saved-at time is set to, so the same plan gives the same bytes
FIXED_TIME = "2000-01-01T00:00:00Z"


def _township_table(plan: Plan) -> tuple[list[str], list[Row]]:
    township = {v.village_id: v.township for v in plan.case.villages}
    money: dict[tuple[str, str], int] = defaultdict(int)
    for a in plan.allocations:
        fund_id = plan.case.funds[a.fund].fund_id
        money[(fund_id, township[plan.case.projects[a.project].village_id])] += a.amount
    townships = sorted({t for _, t in money} | set(township.values()))
    rows: list[Row] = []
    for fund in plan.case.funds:
        values = [money.get((fund.fund_id, t), 0) for t in townships]
        rows.append([fund.fund_id, *values, sum(values)])
    totals = [sum(int(r[i + 1]) for r in rows) for i in range(len(townships))]
    rows.append(["total", *totals, sum(totals)])
    return ["fund_id", *townships, "total"], rows


def _summary_rows(report: Report) -> list[tuple[str, Any]]:
    s = report.summary
    rows: list[tuple[str, Any]] = [
        ("case", s["case"]["name"]),
        ("year", s["case"]["year"]),
        ("status", s["status"]),
        ("value", s["value"]),
        ("bound", s["bound"] if s["bound"] is not None else "-"),
        ("gap", s["gap"] if s["gap"] is not None else "-"),
    ]
    rows += [(key, value) for key, value in s["totals"].items()]
    rows += [("warning", w) for w in s["warnings"]]
    return rows


def plan_workbook(plan: Plan, report: Report, language: Language = "en") -> bytes:
    """``plan.xlsx`` for ``plan``: the same bytes for the same plan.

    Sheet and column titles are in ``language``; ``verify`` reads either.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = t("sheet.summary", language)
    summary.append([column("item", language), column("value", language)])
    for key, value in _summary_rows(report):
        summary.append([key, value])
    sheets: list[tuple[str, tuple[list[str], list[Row]]]] = [
        ("funds", fund_rows(plan)),
        ("fund_by_township", _township_table(plan)),
        ("allocations", allocation_rows(plan)),
        ("projects", project_rows(plan, report.outcomes)),
        ("villages", village_rows(plan, report.unmet)),
        ("unmet_needs", unmet_rows(report.unmet)),
    ]
    if plan.households is not None:
        sheets += [
            ("household_measures", household_measure_rows(plan)),
            ("households", household_rows(plan)),
        ]
    for name, (header, rows) in sheets:
        sheet = book.create_sheet(t(f"sheet.{name}", language))
        sheet.append([column(h, language) for h in header])
        for row in rows:
            sheet.append(row)
        money_columns = [
            i + 1
            for i, h in enumerate(header)
            if h in MONEY or (name == "fund_by_township" and i > 0)
        ]
        for index in money_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0"
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for cells in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in cells[:200])
            sheet.column_dimensions[cells[0].column_letter].width = min(60, max(8, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The same workbook with its save times fixed: zip entry dates and document dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():  # openpyxl's own order, [Content_Types].xml first
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_TIME.encode() + rb"\g<3>",
                    content,
                )
            info = zipfile.ZipInfo(item.filename, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()
