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

from allocator.i18n import Language, column, say, t
from allocator.plan import Plan
from allocator.report.charts import bars, diverging, stacked
from allocator.report.tables import Report, idle_money

_STATUS = {"status.optimal", "status.time_limit", "status.heuristic"}

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


def _page(title: str, body: list[str], language: Language = "en") -> str:
    tag = "zh-CN" if language == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{tag}"><head><meta charset="utf-8">'
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


def plan_report(plan: Plan, report: Report, language: Language = "en") -> str:
    """The plan report: money per fund used and idle and why, by township and category,
    households reached, top unmet needs and their reasons, the price of money."""
    case, s = plan.case, report.summary
    totals = s["totals"]
    ledger = plan.ledger
    gap = "-" if s["gap"] is None else f"{s['gap']:.2e}"
    lang = language

    def of(a: int, b: int) -> str:
        return t("fig.of", lang, a=f"{a:,}", b=f"{b:,}")

    body = [
        f"<h1>{escape(t('report.title', lang, name=case.meta.name, year=case.meta.year))}</h1>",
        "<p>"
        + t(
            "report.status",
            lang,
            status=escape(
                t(f"status.{s['status']}", lang)
                if f"status.{s['status']}" in _STATUS
                else s["status"]
            ),
            value=f"{s['value']:,.1f}",
            gap=gap,
            rules=escape(s["inputs"]["ruleset"]["id"]),
            spec=escape(s["inputs"]["model_spec"]["id"]),
        )
        + "</p>",
        '<div class="figures">',
        _figure(t("fig.allocated", lang), of(totals["allocated"], totals["budget"])),
        _figure(t("fig.projects", lang), of(totals["projects_funded"], s["case"]["projects"])),
        _figure(t("fig.villages", lang), of(totals["villages_funded"], s["case"]["villages"])),
        _figure(t("fig.poor", lang), f"{totals['poor_households_reached']:,}"),
        _figure(t("fig.unmet", lang), f"{totals['needs_unmet']:,}"),
        "</div>",
    ]
    for text in [*(c.text() for c in plan.violated), *plan.warnings]:
        body.append(f'<p class="note">{escape(say(text, lang))}</p>')

    idle = idle_money(plan)
    body.append(f"<h2>{t('sec.funds', lang)}</h2>")
    fund_rows = [
        (f.fund_id, float(plan.fund_spent(i)), float(f.budget - plan.fund_spent(i)))
        for i, f in enumerate(case.funds)
    ]
    body.append(
        stacked(
            t("chart.funds", lang),
            fund_rows,
            (t("legend.allocated", lang), t("legend.unused", lang)),
        )
    )
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
                    plan.fund_spent(i),
                    f.budget - plan.fund_spent(i),
                    round(plan.marginal_value.get(i, 0.0), 4),
                    f"{idle[i][0]}: {say(idle[i][1], lang)}" if i in idle else "",
                ]
                for i, f in enumerate(case.funds)
            ],
            {3, 4, 5, 6},
        )
    )
    prices = [(f.fund_id, plan.marginal_value.get(i, 0.0)) for i, f in enumerate(case.funds)]
    body.append(bars(t("chart.prices", lang), prices))

    township = {v.village_id: v.township for v in case.villages}
    by_township: dict[str, int] = defaultdict(int)
    by_category: dict[str, int] = defaultdict(int)
    for p, amount in ledger.by_project.items():
        project = case.projects[p]
        by_township[township[project.village_id]] += amount
        by_category[project.category] += amount
    body.append(f"<h2>{t('sec.where', lang)}</h2>")
    body.append(
        bars(t("chart.township", lang), sorted(by_township.items(), key=lambda kv: _natural(kv[0])))
    )
    body.append(bars(t("chart.category", lang), sorted(by_category.items(), key=lambda kv: -kv[1])))

    unmet = sorted(report.unmet, key=lambda u: (u.covered - u.households, u.village_id, u.need))
    reasons: Counter[str] = Counter()
    for u in unmet:
        reasons[u.reason] += u.households - u.covered
    body.append(f"<h2>{t('sec.unmet', lang)}</h2>")
    body.append(
        bars(
            t("chart.reasons", lang),
            sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
        )
    )
    body.append(
        _table(
            [
                column(c, lang)
                for c in ("village", "need", "households_missing", "reason", "detail")
            ],
            [
                [u.village_id, u.need, u.households - u.covered, u.reason, say(u.detail, lang)]
                for u in unmet[:25]
            ],
            {2},
        )
    )
    if len(unmet) > 25:
        body.append(f"<p>{t('more', lang, n=len(unmet) - 25, file='unmet_needs.csv')}</p>")
    body.append(f"<p>{t('footer', lang, version=escape(s['versions']['allocator']))}</p>")
    return _page(t("report.title", lang, name=case.meta.name, year=case.meta.year), body, lang)


def comparison_report(
    case_name: str,
    overview: list[dict[str, Any]],
    changes: dict[str, dict[str, list[tuple[str, float]]]],
    language: Language = "en",
) -> str:
    """A what-if comparison: the scenarios side by side, and who gains and who loses.

    ``changes``: scenario -> dimension (township, fund, category) -> (key, yuan change).
    """
    base = overview[0]["scenario"]
    lang = language
    body = [
        f"<h1>{escape(t('compare.title', lang, name=case_name))}</h1>",
        f"<p>{t('compare.base', lang, base=escape(base))}</p>",
        _table(
            [
                column(c, lang)
                for c in (
                    "scenario",
                    "status",
                    "value",
                    "allocated",
                    "projects_funded",
                    "poor_households",
                )
            ],
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
        title = t("compare.section", lang, scenario=escape(scenario), base=escape(base))
        body.append(f"<h2>{title}</h2>")
        for dimension, rows in dimensions.items():
            name = t(f"dim.{dimension}", lang)
            moved = sorted((r for r in rows if r[1] != 0), key=lambda r: (-abs(r[1]), r[0]))
            if not moved:
                body.append(f"<p>{t('compare.none', lang, dimension=name)}</p>")
                continue
            body.append(diverging(t("compare.chart", lang, dimension=name), moved[:15]))
    return _page(t("compare.title", lang, name=case_name), body, lang)


def township_notices(plan: Plan, language: Language = "en") -> dict[str, str]:
    """One printable public notice per township: file name -> HTML.

    For each village, the funded projects with their amounts, fund sources and
    beneficiaries; the publicity period and where to object (case.yaml ``notice``).
    """
    case = plan.case
    info = case.meta.notice
    lang = language
    channel = info.complaint_channel
    if channel == t("notice.channel", "en"):  # the default channel, in the notice's language
        channel = t("notice.channel", lang)
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
            f"<h1>{escape(t('notice.title', lang, township=township))}</h1>",
            "<p>"
            + t(
                "notice.intro",
                lang,
                name=escape(case.meta.name),
                year=case.meta.year,
                total=f"{total:,}",
                days=info.publicity_days,
                channel=escape(channel),
            )
            + "</p>",
        ]
        for village in townships[township]:
            projects = by_village[village.village_id]
            body.append(f"<h2>{escape(village.name)} ({escape(village.village_id)})</h2>")
            if not projects:
                body.append(f"<p>{t('notice.none', lang)}</p>")
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
                        column(c, lang)
                        for c in (
                            "project_id",
                            "name",
                            "category",
                            "yuan",
                            "sources",
                            "households",
                            "poor_households",
                        )
                    ],
                    rows,
                    {3, 5, 6},
                )
            )
        if info.issuer:
            body.append(f"<p>{t('notice.issuer', lang, issuer=escape(info.issuer))}</p>")
        name = re.sub(r'[\\/:*?"<>|\s]+', "_", township).strip("_") or "township"
        notices[f"notice/{name}.html"] = _page(
            t("notice.title", lang, township=township), body, lang
        )
    return notices
