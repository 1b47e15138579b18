"""A multi-year plan folded back to projects, funds and years, and its money by year.

The engine plans a multi-year case unrolled (``allocator.io.horizon``): money
rows there go from one fund's money of one year to one part of one project
paid in one year. Here those rows are folded back to (project, fund, year)
rows, and each fund's money is accounted year by year, reading nothing but
the whole-yuan rows and the budgets:

* a year spends the money carried into it first, oldest first;
* money may wait ``carry_years`` years after the year it arrives in, and then
  lapses (it is recovered);
* so per fund and year: budget + carried in = spent + carried out + lapsed.

Spending more in a year than the fund's money of that year and the money
carried into it is a violation (:func:`check_years`); so is money spent in a
year before it arrives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.io.horizon import budget_by_year
from allocator.ledger import Allocation, Grant, yuan


@dataclass(frozen=True)
class YearAllocation:
    """Money from one fund to one project in one year, in whole yuan (> 0); indices are
    the original case's."""

    project: int
    fund: int
    year: int
    amount: int


@dataclass(frozen=True)
class FundYear:
    """One fund's money in one year of the horizon, in whole yuan."""

    fund: int
    year: int
    budget: int
    carried_in: int
    spent: int
    carried_out: int
    lapsed: int
    #: spending beyond the money there is (0 in every valid plan)
    overspent: int = 0


def fold(unrolled: Case, allocations: Iterable[Allocation]) -> list[YearAllocation]:
    """The unrolled plan's rows as (project, fund, year) rows of the original case, summed,
    in project, year, fund order."""
    timing = unrolled.timing
    if timing is None:
        raise ValueError(msg("fold needs an unrolled (multi-year) case"))
    money: dict[tuple[int, int, int], int] = defaultdict(int)
    for a in allocations:
        key = (timing.origin[a.project], timing.fund_origin[a.fund], timing.paid_in[a.project])
        money[key] += a.amount
    return [
        YearAllocation(p, f, y, amount)
        for (p, y, f), amount in sorted(((p, y, f), m) for (p, f, y), m in money.items())
        if amount > 0
    ]


def fold_grants(unrolled: Case, grants: Iterable[Grant]) -> list[Grant]:
    """Household measure rows of the unrolled plan with the original funds' indices."""
    timing = unrolled.timing
    if timing is None:
        raise ValueError(msg("fold needs an unrolled (multi-year) case"))
    money: dict[tuple[int, int, int], int] = defaultdict(int)
    for g in grants:
        money[(g.household, g.measure, timing.fund_origin[g.fund])] += g.amount
    return [Grant(h, m, f, amount) for (h, m, f), amount in sorted(money.items())]


def unfold_grants(unrolled: Case, grants: Iterable[Grant]) -> tuple[list[Grant], list[str]]:
    """Household measure rows (original funds) as rows of the unrolled case: paid by the
    first year's money; a fund without money that year is reported."""
    timing = unrolled.timing
    if timing is None:
        raise ValueError(msg("unfold needs an unrolled (multi-year) case"))
    first = timing.years[0]
    money_of = {
        timing.fund_origin[g]: g
        for g in range(len(unrolled.funds))
        if timing.money_year[g] == first
    }
    found: list[Grant] = []
    problems: list[str] = []
    for g in grants:
        if g.fund not in money_of:
            problems.append(
                msg(
                    "fund {fund_id} pays a household measure but has no money in {year}",
                    fund_id=timing.original.funds[g.fund].fund_id,
                    year=first,
                )
            )
            continue
        found.append(Grant(g.household, g.measure, money_of[g.fund], g.amount))
    return found, problems


def unfold(unrolled: Case, rows: Iterable[YearAllocation]) -> tuple[list[Allocation], list[str]]:
    """Rows by project, fund and year as rows of the unrolled case: each project's start is
    its first paid year, and each year's spending draws the oldest money first. Rows that
    fit no start the project may take are reported; spending beyond the money there is left
    out (:func:`check_years` reports it)."""
    timing = unrolled.timing
    if timing is None:
        raise ValueError(msg("unfold needs an unrolled (multi-year) case"))
    original = timing.original
    index = unrolled.project_index()
    ordered = sorted(rows, key=lambda r: (r.year, r.fund, r.project))
    start: dict[int, int] = {}
    for r in ordered:
        start.setdefault(r.project, r.year)
    money_of = {
        (timing.fund_origin[g], timing.money_year[g]): g for g in range(len(unrolled.funds))
    }
    left = {g: fund.budget for g, fund in enumerate(unrolled.funds)}
    money: dict[tuple[int, int], int] = defaultdict(int)
    problems: list[str] = []
    committed = {c.project_id: c.start for c in original.commitments}
    for r in ordered:
        project = original.projects[r.project]
        first = start[r.project]
        part = r.year - first
        suffix = f"@{first}" if project.duration == 1 else f"@{first}/{part + 1}"
        if project.project_id in committed:
            first = committed[project.project_id]
            suffix = f"@{first}/{r.year}/{original.funds[r.fund].fund_id}"
        p = index.get(project.project_id + suffix)
        if p is None:
            problems.append(
                msg(
                    (
                        "project {project_id} is paid in {year}, which is no year of a "
                        "{duration}-year start in {start} it may take"
                    ),
                    project_id=project.project_id,
                    year=r.year,
                    duration=project.duration,
                    start=first,
                )
            )
            continue
        need = r.amount
        for year in range(r.year - timing.carry_years, r.year + 1):
            g = money_of.get((r.fund, year))
            if g is None or need == 0:
                continue
            used = min(need, left[g])
            left[g] -= used
            need -= used
            if used:
                money[(p, g)] += used
    return [Allocation(p, g, amount) for (p, g), amount in sorted(money.items())], problems


def fund_accounts(
    case: Case,
    rows: Iterable[YearAllocation],
    carry_years: int,
    grants: Iterable[Grant] = (),
) -> list[FundYear]:
    """Each fund's money year by year (fund, then year order), spending the oldest money
    first; ``case`` is the original multi-year case. Household measure rows (``grants``,
    original fund indices) are spent in the first year."""
    years = case.meta.years()
    budget = budget_by_year(case)
    spent: dict[tuple[int, int], int] = defaultdict(int)
    for r in rows:
        spent[(r.fund, r.year)] += r.amount
    for g in grants:
        spent[(g.fund, years[0])] += g.amount
    accounts: list[FundYear] = []
    for f in range(len(case.funds)):
        vintages: list[list[int]] = []  # [year the money arrived, yuan left], oldest first
        for y in years:
            carried_in = sum(left for _, left in vintages)
            vintages.append([y, budget[(f, y)]])
            need = spent[(f, y)]
            for vintage in vintages:
                used = min(need, vintage[1])
                vintage[1] -= used
                need -= used
            lapsed = sum(left for arrived, left in vintages if arrived + carry_years <= y)
            vintages = [v for v in vintages if v[0] + carry_years > y and v[1] > 0]
            accounts.append(
                FundYear(
                    fund=f,
                    year=y,
                    budget=budget[(f, y)],
                    carried_in=carried_in,
                    spent=spent[(f, y)],
                    carried_out=sum(left for _, left in vintages),
                    lapsed=lapsed,
                    overspent=need,
                )
            )
    return accounts


def check_years(
    case: Case, rows: list[YearAllocation], carry_years: int, grants: Iterable[Grant] = ()
) -> list[str]:
    """Every year whose spending exceeds a fund's money there, and every row outside the
    horizon (empty = valid)."""
    years = set(case.meta.years())
    violations: list[str] = [
        msg(
            "project {project_id} is paid in {year}, outside the horizon",
            project_id=case.projects[r.project].project_id,
            year=r.year,
        )
        for r in rows
        if r.year not in years
    ]
    for account in fund_accounts(case, rows, carry_years, grants):
        if account.overspent > 0:
            violations.append(
                msg(
                    (
                        "fund {fund_id} spends {value} in {year} but has {value2} "
                        "(its {year} budget and the money carried in): {value3} over"
                    ),
                    fund_id=case.funds[account.fund].fund_id,
                    value=yuan(account.spent),
                    year=account.year,
                    value2=yuan(account.budget + account.carried_in),
                    value3=yuan(account.overspent),
                )
            )
    return violations
