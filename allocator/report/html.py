"""``report.html``: the plan (or a what-if comparison) as one page a person would rather read.

One self-contained file: inline CSS and SVG charts (``charts.py``), no script,
no font or image from anywhere, so it opens offline and prints cleanly.
Deterministic: the same plan gives the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from html import escape
from typing import Any

from allocator.plan import Plan
from allocator.report.charts import bars, diverging, stacked
from allocator.report.tables import Report, idle_money

STYLE = """
body { font-family: "Noto Sans", "Microsoft YaHei", "PingFang SC", Arial, sans-serif;
       margin: 2em auto; max-width: 960px; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em;
     border-bottom: 1px solid #ccc; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; margin: 1em 0; }
.figure { border: 1px solid #ddd; padding: 0.5em 1em; min-width: 150px; }
.figure b { display: block; font-size: 1.3em; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; } th { background: #f2f5f8; }
.note { color: #8a4b00; } .chart { display: block; margin: 0.6em 0; max-width: 100%; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               .chart, table, .figures { break-inside: avoid; } }
"""


def _page(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    lines = [f"<table><thead><tr>{head}</tr></thead><tbody>"]
    for row in rows:
        cells = "".join(
            f'<td class="n">{_num(v)}</td>' if i in numeric else f"<td>{escape(str(v))}</td>"
            for i, v in enumerate(row)
        )
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</tbody></table>")
    return "".join(lines)


def _num(value: Any) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.3g}"
    return escape(str(value))


def _natural(text: str) -> tuple[Any, ...]:
    """Sort key that puts "Township 2" before "Township 10"."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _figure(label: str, value: str) -> str:
    return f'<div class="figure">{escape(label)}<b>{escape(value)}</b></div>'


def plan_report(plan: Plan, report: Report) -> str:
    """The plan report: money per fund used and idle and why, by township and category,
    households reached, top unmet needs and their reasons, the price of money."""
    case, s = plan.case, report.summary
    totals = s["totals"]
    ledger = plan.ledger
    gap = "-" if s["gap"] is None else f"{s['gap']:.2e}"
    body = [
        f"<h1>Allocation plan: {escape(case.meta.name)} ({case.meta.year})</h1>",
        f"<p>Status <b>{escape(s['status'])}</b>, value {s['value']:,.1f}, gap {gap}; "
        f"rule set {escape(s['inputs']['ruleset']['id'])}, model spec "
        f"{escape(s['inputs']['model_spec']['id'])}.</p>",
        '<div class="figures">',
        _figure("allocated (yuan)", f"{totals['allocated']:,} of {totals['budget']:,}"),
        _figure("projects funded", f"{totals['projects_funded']:,} of {s['case']['projects']:,}"),
        _figure("villages reached", f"{totals['villages_funded']:,} of {s['case']['villages']:,}"),
        _figure("poor households reached", f"{totals['poor_households_reached']:,}"),
        _figure("needs left unmet", f"{totals['needs_unmet']:,}"),
        "</div>",
    ]
    for text in [*s["relaxed_policies"], *s["warnings"]]:
        body.append(f'<p class="note">{escape(text)}</p>')

    idle = idle_money(plan)
    body.append("<h2>Money per fund: used, idle, and why</h2>")
    fund_rows = [
        (f.fund_id, float(ledger.fund(i)), float(f.budget - ledger.fund(i)))
        for i, f in enumerate(case.funds)
    ]
    body.append(stacked("Money per fund (yuan)", fund_rows, ("allocated", "unused")))
    body.append(
        _table(
            [
                "fund",
                "kind",
                "level",
                "budget",
                "allocated",
                "unused",
                "price of money",
                "why idle",
            ],
            [
                [
                    f.fund_id,
                    f.kind,
                    f.level,
                    f.budget,
                    ledger.fund(i),
                    f.budget - ledger.fund(i),
                    round(plan.marginal_value.get(i, 0.0), 4),
                    ": ".join(idle[i]) if i in idle else "",
                ]
                for i, f in enumerate(case.funds)
            ],
            {3, 4, 5, 6},
        )
    )
    prices = [(f.fund_id, plan.marginal_value.get(i, 0.0)) for i, f in enumerate(case.funds)]
    body.append(bars("Price of money: value 10,000 more yuan would buy, per fund", prices))

    township = {v.village_id: v.township for v in case.villages}
    by_township: dict[str, int] = defaultdict(int)
    by_category: dict[str, int] = defaultdict(int)
    for p, amount in ledger.by_project.items():
        project = case.projects[p]
        by_township[township[project.village_id]] += amount
        by_category[project.category] += amount
    body.append("<h2>Money by township and by category</h2>")
    body.append(
        bars(
            "Money by township (yuan)", sorted(by_township.items(), key=lambda kv: _natural(kv[0]))
        )
    )
    body.append(
        bars("Money by category (yuan)", sorted(by_category.items(), key=lambda kv: -kv[1]))
    )

    unmet = sorted(report.unmet, key=lambda u: (u.covered - u.households, u.village_id, u.need))
    reasons: Counter[str] = Counter()
    for u in unmet:
        reasons[u.reason] += u.households - u.covered
    body.append("<h2>Needs left unmet, and why</h2>")
    body.append(
        bars(
            "Households whose listed need is unmet, by reason",
            sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        )
    )
    body.append(
        _table(
            ["village", "need", "households missing", "reason", "detail"],
            [
                [u.village_id, u.need, u.households - u.covered, u.reason, u.detail]
                for u in unmet[:25]
            ],
            {2},
        )
    )
    if len(unmet) > 25:
        body.append(f"<p>... and {len(unmet) - 25} more in unmet_needs.csv.</p>")
    body.append(
        f"<p>Made by allocator {escape(s['versions']['allocator'])}. Every amount is whole yuan; "
        "the CSV files beside this page hold every row.</p>"
    )
    return _page(f"Allocation plan: {case.meta.name}", body)


def comparison_report(
    case_name: str,
    overview: list[dict[str, Any]],
    changes: dict[str, dict[str, list[tuple[str, float]]]],
) -> str:
    """A what-if comparison: the scenarios side by side, and who gains and who loses.

    ``changes``: scenario -> dimension (township, fund, category) -> (key, yuan change).
    """
    base = overview[0]["scenario"]
    body = [
        f"<h1>What-if comparison: {escape(case_name)}</h1>",
        f"<p>Baseline: <b>{escape(base)}</b>. Changes are against it, in whole yuan.</p>",
        _table(
            ["scenario", "status", "value", "allocated", "projects funded", "poor households"],
            [
                [
                    o["scenario"],
                    o["status"],
                    float(o["objective"]),
                    o["allocated"],
                    o["projects_funded"],
                    o["poor_households_reached"],
                ]
                for o in overview
            ],
            {2, 3, 4, 5},
        ),
    ]
    for scenario, dimensions in changes.items():
        body.append(f"<h2>{escape(scenario)} against {escape(base)}: who gains, who loses</h2>")
        for dimension, rows in dimensions.items():
            moved = sorted((r for r in rows if r[1] != 0), key=lambda r: (-abs(r[1]), r[0]))
            if not moved:
                body.append(f"<p>No money moves between {escape(dimension)}s.</p>")
                continue
            body.append(diverging(f"Change by {dimension} (yuan)", moved[:15]))
    return _page(f"What-if comparison: {case_name}", body)


def township_notices(plan: Plan) -> dict[str, str]:
    """One printable public notice per township: file name -> HTML.

    For each village, the funded projects with their amounts, fund sources and
    beneficiaries; the publicity period and where to object (case.yaml ``notice``).
    """
    case = plan.case
    info = case.meta.notice
    ledger = plan.ledger
    paid: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (f, p), amount in sorted(ledger.by_pair.items(), key=lambda item: (item[0][1], item[0][0])):
        paid[p].append((case.funds[f].name, amount))
    by_village: dict[str, list[int]] = defaultdict(list)
    for p in sorted(paid):
        by_village[case.projects[p].village_id].append(p)
    townships: dict[str, list[Any]] = defaultdict(list)
    for village in case.villages:
        townships[village.township].append(village)
    notices: dict[str, str] = {}
    for township in sorted(townships, key=_natural):
        total = sum(
            ledger.project(p) for v in townships[township] for p in by_village[v.village_id]
        )
        body = [
            f"<h1>Public notice of funded projects: {escape(township)}</h1>",
            f"<p>{escape(case.meta.name)}, plan for {case.meta.year}. Total "
            f"{total:,} yuan. This notice stays posted for {info.publicity_days} days; anyone "
            f"may object or report a problem to {escape(info.complaint_channel)}.</p>",
        ]
        for village in townships[township]:
            projects = by_village[village.village_id]
            body.append(f"<h2>{escape(village.name)} ({escape(village.village_id)})</h2>")
            if not projects:
                body.append("<p>No project funded in this plan.</p>")
                continue
            rows = [
                [
                    case.projects[p].project_id,
                    case.projects[p].name,
                    case.projects[p].category,
                    ledger.project(p),
                    "; ".join(f"{name} {amount:,}" for name, amount in paid[p]),
                    case.projects[p].households,
                    case.projects[p].poor_households,
                ]
                for p in projects
            ]
            body.append(
                _table(
                    [
                        "project",
                        "name",
                        "category",
                        "yuan",
                        "fund sources (yuan)",
                        "households",
                        "poor households",
                    ],
                    rows,
                    {3, 5, 6},
                )
            )
        if info.issuer:
            body.append(f"<p>Posted by {escape(info.issuer)}.</p>")
        name = re.sub(r'[\\/:*?"<>|\s]+', "_", township).strip("_") or "township"
        notices[f"notice/{name}.html"] = _page(f"Public notice: {township}", body)
    return notices
