"""Multi-year cases: the horizon's tables, and the case unrolled over its years.

A multi-year case (``case.yaml: horizon``) adds ``budgets.csv`` (a fund's
money per year), ``history.csv`` (what villages received in past years) and
the project columns ``duration``, ``earliest_year``, ``latest_year`` and
``continuing``. :func:`check_horizon` cross-checks them at load, with the file,
row and column of the first problem.

:func:`unroll` turns such a case into a one-year case the engine already
plans exactly (a time-expanded case): each fund's money in one year is a fund
of its own, ``F1@2027``; each project is one candidate per year it may start
in, and a project of several years one part per year it is paid in,
``P7@2027/2`` (started 2027, second year). Money of year t may pay parts paid
in years t..t+carry_years only (the carry-over window, checked by
eligibility); the ``project_years`` policy lets a project start at most once
and pays all parts of the start it takes alike. :class:`Timing` records how
each unrolled row maps back, so a plan is folded back to projects, funds and
years (``allocator.audit.years``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from allocator.errors import InputError, Location
from allocator.i18n import msg
from allocator.schemas import Budget, Fund, PastAmount, Project

if TYPE_CHECKING:
    from allocator.io.case import Case


def start_years(project: Project, years: Sequence[int]) -> list[int]:
    """The years of the horizon ``project`` may start in (all of its years inside it)."""
    first, last = years[0], years[-1]
    if project.continuing:
        return [first] if first + project.duration - 1 <= last else []
    lowest = max(first, project.earliest_year or first)
    highest = min(last - project.duration + 1, project.latest_year or last)
    return list(range(lowest, highest + 1))


def check_projects(path: Path, rows: Sequence[tuple[int, Project]], years: Sequence[int]) -> None:
    """Each project's timing columns agree with each other and fit the horizon."""
    first, last = years[0], years[-1]
    for row, p in rows:
        if (
            p.earliest_year is not None
            and p.latest_year is not None
            and p.earliest_year > p.latest_year
        ):
            raise InputError(
                msg(
                    "earliest_year {earliest} is after latest_year {latest}",
                    earliest=p.earliest_year,
                    latest=p.latest_year,
                ),
                Location(path, row, None, "latest_year"),
            )
        if p.continuing and p.earliest_year is not None and p.earliest_year > first:
            raise InputError(
                msg(
                    "a continuing project started before the horizon, but earliest_year is "
                    "{earliest}",
                    earliest=p.earliest_year,
                ),
                Location(path, row, None, "earliest_year"),
            )
        if start_years(p, years):
            continue
        if p.latest_year is not None and p.latest_year < first and not p.continuing:
            raise InputError(
                msg(
                    "latest_year {latest} is before the horizon ({first}-{last})",
                    latest=p.latest_year,
                    first=first,
                    last=last,
                ),
                Location(path, row, None, "latest_year"),
            )
        start = first if p.continuing else max(first, p.earliest_year or first)
        raise InputError(
            msg(
                (
                    "a project of {duration} year(s) starting in {start} at the earliest ends "
                    "in {end}, after the horizon ({first}-{last})"
                ),
                duration=p.duration,
                start=start,
                end=start + p.duration - 1,
                first=first,
                last=last,
            ),
            Location(path, row, None, "duration"),
        )


def check_budgets(
    path: Path, rows: Sequence[tuple[int, Budget]], fund_ids: set[str], years: Sequence[int]
) -> None:
    """Every budget row names a known fund and a year of the horizon, once."""
    seen: dict[tuple[str, int], int] = {}
    for row, b in rows:
        if b.fund_id not in fund_ids:
            raise InputError(
                msg("unknown fund '{value}' (not in funds.csv)", value=b.fund_id),
                Location(path, row, None, "fund_id"),
            )
        if b.year not in years:
            raise InputError(
                msg(
                    "year {year} is outside the horizon ({first}-{last})",
                    year=b.year,
                    first=years[0],
                    last=years[-1],
                ),
                Location(path, row, None, "year"),
            )
        if (b.fund_id, b.year) in seen:
            first = seen[(b.fund_id, b.year)]
            raise InputError(
                msg(
                    "duplicate budget for fund '{fund_id}' in {year} (first on row {seen})",
                    fund_id=b.fund_id,
                    year=b.year,
                    seen=first,
                ),
                Location(path, row, None, "year"),
            )
        seen[(b.fund_id, b.year)] = row


def check_history(
    path: Path, rows: Sequence[tuple[int, PastAmount]], village_ids: set[str], first: int
) -> None:
    """Every history row names a known village and a year before the horizon, once."""
    seen: dict[tuple[str, int], int] = {}
    for row, h in rows:
        if h.village_id not in village_ids:
            raise InputError(
                msg("unknown village '{value}' (not in villages.csv)", value=h.village_id),
                Location(path, row, None, "village_id"),
            )
        if h.year >= first:
            raise InputError(
                msg(
                    "history year {year} is not before the plan's first year {first}",
                    year=h.year,
                    first=first,
                ),
                Location(path, row, None, "year"),
            )
        key = (h.village_id, h.year)
        if key in seen:
            raise InputError(
                msg(
                    "duplicate history for village '{village_id}' in {year} (first on row {seen})",
                    village_id=h.village_id,
                    year=h.year,
                    seen=seen[key],
                ),
                Location(path, row, None, "year"),
            )
        seen[key] = row


@dataclass(frozen=True)
class Commitment:
    """Money an earlier plan committed to a project it started: one fund, one year."""

    project_id: str
    fund_id: str
    year: int
    amount: int
    #: the year the project started (the earlier plan's first year)
    start: int


def with_previous(case: Case, folder: Path) -> Case:
    """``case`` re-planned after an earlier plan (``run --previous``): projects that plan
    started in its first year keep their money and years from ``case.year`` on (they
    become continuing, committed to the same funds); those it has finished are left out
    of the library; everything else is decided again."""
    from allocator.io.runfolder import RunFolder  # only when re-planning

    run = RunFolder(folder)
    path = run.path("allocations.csv")
    header, table = run.rows("allocations.csv", case.meta.encoding)
    if "year" not in header:
        raise InputError(
            msg("the previous plan has no year column: re-planning needs a multi-year plan"),
            Location(path, 1),
        )
    at = {name: header.index(name) for name in ("project_id", "fund_id", "amount", "year")}
    rows: list[tuple[int, str, str, int, int]] = []
    for row, cells in table:
        try:
            amount, year = int(cells[at["amount"]]), int(cells[at["year"]])
        except (ValueError, IndexError):
            raise InputError(
                msg("not a plan row (amount and year must be whole numbers)"),
                Location(path, row),
            ) from None
        rows.append((row, cells[at["project_id"]], cells[at["fund_id"]], amount, year))
    if not rows:
        return case
    first = min(year for *_, year in rows)
    if first >= case.meta.year:
        raise InputError(
            msg(
                "the previous plan starts in {first}, not before this plan's first year {year}",
                first=first,
                year=case.meta.year,
            ),
            Location(path),
        )
    started = {pid for _, pid, _, _, year in rows if year == first}
    projects, funds = case.project_index(), case.fund_index()
    commitments: list[Commitment] = []
    for row, pid, fid, amount, year in rows:
        if pid not in started or year < case.meta.year:
            continue
        if pid not in projects:
            raise InputError(
                msg(
                    "project {pid} was started by the previous plan but is not in projects.csv "
                    "(keep started projects in the library)",
                    pid=pid,
                ),
                Location(path, row, None, "project_id"),
            )
        if fid not in funds:
            raise InputError(
                msg("unknown fund '{value}' (not in funds.csv)", value=fid),
                Location(path, row, None, "fund_id"),
            )
        if year not in case.meta.years():
            raise InputError(
                msg(
                    "year {year} is outside the horizon ({first}-{last})",
                    year=year,
                    first=case.meta.years()[0],
                    last=case.meta.years()[-1],
                ),
                Location(path, row, None, "year"),
            )
        commitments.append(Commitment(pid, fid, year, amount, first))
    kept = {c.project_id for c in commitments}
    library = []
    for project in case.projects:
        if project.project_id in started and project.project_id not in kept:
            continue  # finished under the previous plan
        if project.project_id in kept:
            mine = [c for c in commitments if c.project_id == project.project_id]
            project = project.model_copy(
                update={
                    "continuing": True,
                    "cost": sum(c.amount for c in mine),
                    "duration": len({c.year for c in mine}),
                    "divisible": False,
                    "earliest_year": None,
                    "latest_year": None,
                }
            )
        library.append(project)
    return replace(
        case,
        projects=tuple(library),
        commitments=tuple(sorted(commitments, key=lambda c: (c.project_id, c.year, c.fund_id))),
    )


def yearly_costs(cost: int, duration: int) -> list[int]:
    """A project's cost by year: spread evenly in whole yuan, the remainder in the last year."""
    part = cost // duration
    return [part] * (duration - 1) + [cost - part * (duration - 1)]


def budget_by_year(case: Case) -> dict[tuple[int, int], int]:
    """(fund index, year) -> that year's money: budgets.csv, or else funds.csv's budget in
    the first year and nothing later."""
    years = case.meta.years()
    index = case.fund_index()
    if case.budgets:
        money = {(f, y): 0 for f in range(len(case.funds)) for y in years}
        for b in case.budgets:
            money[(index[b.fund_id], b.year)] = b.budget
        return money
    return {
        (f, y): (fund.budget if y == years[0] else 0)
        for f, fund in enumerate(case.funds)
        for y in years
    }


@dataclass(frozen=True)
class Timing:
    """How an unrolled case maps back to its projects, funds and years."""

    original: Case
    years: tuple[int, ...]
    #: years money may wait after the year it arrives in (0: unspent money lapses)
    carry_years: int
    #: per unrolled project: the original project's index, its start year, the year this
    #: part is paid in, the part (0 = the start) and the project's value weight
    origin: tuple[int, ...]
    start: tuple[int, ...]
    paid_in: tuple[int, ...]
    part: tuple[int, ...]
    value_weight: tuple[float, ...]
    #: per unrolled fund: the original fund's index and the year of its money
    fund_origin: tuple[int, ...]
    money_year: tuple[int, ...]
    #: per unrolled project: whether it is its start's last part, and the one fund (an
    #: original index) a committed part must be paid by (-1: any)
    last: tuple[bool, ...] = ()
    fixed_fund: tuple[int, ...] = ()

    @cached_property
    def starts(self) -> dict[int, dict[int, list[int]]]:
        """Original project -> start year -> its parts (unrolled indices, in part order).

        Computed once: policies, starts, rounding and reports all ask for it, and at
        province size it is 195,000 parts."""
        found: dict[int, dict[int, list[int]]] = {}
        for p, origin in enumerate(self.origin):
            found.setdefault(origin, {}).setdefault(self.start[p], []).append(p)
        return {
            origin: {
                year: sorted(parts, key=lambda q: self.part[q])
                for year, parts in sorted(starts.items())
            }
            for origin, starts in sorted(found.items())
        }

    def is_start(self, p: int) -> bool:
        """Whether unrolled project p is a start (the part that carries the value)."""
        return self.part[p] == 0

    def window(self) -> npt.NDArray[np.bool_]:
        """funds x projects: the fund's money may pay the part in the year it is paid in
        (and, for a part committed by an earlier plan, is of the fund committed)."""
        money = np.asarray(self.money_year)[:, None]
        paid = np.asarray(self.paid_in)[None, :]
        inside = (money <= paid) & (paid <= money + self.carry_years)
        fixed = np.asarray(self.fixed_fund)[None, :]
        origin = np.asarray(self.fund_origin)[:, None]
        allowed: npt.NDArray[np.bool_] = inside & ((fixed < 0) | (fixed == origin))
        return allowed


def unroll(case: Case, carry_years: int, year_weights: Sequence[float] | None) -> Case:
    """The one-year case whose plans are exactly the multi-year plans of ``case``."""
    years = case.meta.years()
    weights = list(year_weights or [])
    weights += [weights[-1] if weights else 1.0] * (len(years) - len(weights))
    money = budget_by_year(case)
    funds: list[tuple[Fund, int, int]] = []
    for f, fund in enumerate(case.funds):
        for y in years:
            if money[(f, y)] > 0:
                funds.append(
                    (
                        fund.model_copy(
                            update={"fund_id": f"{fund.fund_id}@{y}", "budget": money[(f, y)]}
                        ),
                        f,
                        y,
                    )
                )
    funds.sort(key=lambda item: item[0].fund_id)
    parts: list[tuple[Project, int, int, int, int, float, bool, int]] = []
    committed: dict[str, list[Commitment]] = {}
    for c in case.commitments:
        committed.setdefault(c.project_id, []).append(c)
    fund_index = case.fund_index()
    for p, project in enumerate(case.projects):
        if project.project_id in committed:
            # Kept as an earlier plan committed it: one part per year and fund, each paid
            # in full by that fund (``project_years`` holds them, as a continuing project).
            rows = sorted(committed[project.project_id], key=lambda c: (c.year, c.fund_id))
            for k, c in enumerate(rows):
                unrolled = project.model_copy(
                    update={
                        "project_id": f"{project.project_id}@{c.start}/{c.year}/{c.fund_id}",
                        "cost": c.amount,
                        "divisible": False,
                    }
                )
                parts.append(
                    (
                        unrolled,
                        p,
                        c.start,
                        c.year,
                        k,
                        0.0,
                        k == len(rows) - 1,
                        fund_index[c.fund_id],
                    )
                )
            continue
        costs = yearly_costs(project.cost, project.duration)
        for start in start_years(project, years):
            for k, cost in enumerate(costs):
                suffix = f"@{start}" if project.duration == 1 else f"@{start}/{k + 1}"
                unrolled = project.model_copy(
                    update={"project_id": project.project_id + suffix, "cost": cost}
                )
                weight = weights[years.index(start)] if k == 0 else 0.0
                parts.append((unrolled, p, start, start + k, k, weight, k == len(costs) - 1, -1))
    parts.sort(key=lambda item: item[0].project_id)
    timing = Timing(
        original=case,
        years=years,
        carry_years=carry_years,
        origin=tuple(item[1] for item in parts),
        start=tuple(item[2] for item in parts),
        paid_in=tuple(item[3] for item in parts),
        part=tuple(item[4] for item in parts),
        value_weight=tuple(item[5] for item in parts),
        fund_origin=tuple(item[1] for item in funds),
        money_year=tuple(item[2] for item in funds),
        last=tuple(item[6] for item in parts),
        fixed_fund=tuple(item[7] for item in parts),
    )
    return replace(
        case,
        projects=tuple(item[0] for item in parts),
        funds=tuple(item[0] for item in funds),
        timing=timing,
    )
