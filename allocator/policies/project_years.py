"""``project_years``: in a multi-year plan a project starts once and is paid in each of its years.

Always on; it acts only on a case unrolled over its horizon
(``allocator.io.horizon.unroll``), where a project is one candidate per year it
may start in and, if it takes several years, one part per year. Model, per
project: ``sum over its starts of s_(start, part 1) <= 1`` (``= 1`` for a
continuing project, with an elastic slack so a continuing project no money can
pay is diagnosed like any policy); per start, every later part's share equals
the first part's. A start with a part no fund may pay in its year is not
possible: its parts stay at 0.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import yuan
from allocator.policies.base import (
    AuditView,
    Conflict,
    ModelBuilder,
    Policy,
    PolicyKey,
    PrecheckView,
    ids,
)

#: per original project: start year -> its parts (unrolled project indices, in part order)
Starts = dict[int, dict[int, list[int]]]


def starts_of(case: Case) -> Starts:
    """Every original project's candidate starts in an unrolled case (none otherwise)."""
    return case.timing.starts if case.timing is not None else {}


class ProjectYears(Policy[bool]):
    key: ClassVar[str] = "project_years"
    annotation: ClassVar[Any] = Literal[True]
    default: ClassVar[Any] = True
    description: ClassVar[str] = (
        "a project starts at most once in a multi-year plan and is paid in each of its "
        "years (always on; only multi-year cases have more than one year)"
    )
    kinds: ClassVar[tuple[str, ...]] = ("continuing", "project_years")
    factor_supported: ClassVar[bool] = True

    def config(self, policies: Any) -> bool | None:
        return True

    def selections(self, config: bool, model: ModelBuilder) -> set[int]:
        # A divisible project may not be split across starts: each start's first part
        # gets its "started" binary, and at most one is 1.
        modelled = set(model.modelled)
        return {
            parts[0]
            for origin, starts in starts_of(model.case).items()
            if len(starts) > 1
            for parts in starts.values()
            if parts[0] in modelled and model.case.projects[parts[0]].divisible
        }

    def define(self, config: bool, model: ModelBuilder) -> None:
        case = model.case
        timing = case.timing
        if timing is None:
            return
        modelled = set(model.modelled)
        for origin, starts in sorted(starts_of(case).items()):
            project = timing.original.projects[origin]
            firsts = []
            for parts in starts.values():
                if not all(p in modelled for p in parts):
                    for p in parts:
                        if p in modelled:
                            model.constrain(
                                ("project_years", project.project_id), model.share(p) <= 0
                            )
                    continue
                firsts.append(parts[0])
                for p in parts[1:]:
                    model.constrain(
                        ("project_years", project.project_id),
                        model.share(p) == model.share(parts[0]),
                    )
            if project.continuing:
                key = ("continuing", project.project_id)
                started = sum(model.share(p) for p in firsts)
                model.constrain(key, started + model.slack(key, 1.0) >= 1)
            if len(firsts) > 1:
                model.constrain(
                    ("project_years", project.project_id),
                    sum(model.selected(p) for p in firsts) <= 1,
                )

    def precheck(self, config: bool, view: PrecheckView) -> list[Conflict]:
        timing = view.case.timing
        if timing is None:
            return []
        stranded = [
            timing.original.projects[origin].project_id
            for origin, starts in sorted(starts_of(view.case).items())
            if timing.original.projects[origin].continuing
            and not any(all(view.fundable[p] for p in parts) for parts in starts.values())
        ]
        if not stranded:
            return []
        return [
            Conflict(
                "projects.csv: continuing",
                msg(
                    (
                        "{n_stranded} continuing project(s) cannot be paid in their years: "
                        "no fund may pay them then (earmarks, rules, money by year): {value}"
                    ),
                    n_stranded=len(stranded),
                    value=ids(stranded),
                ),
            )
        ]

    def check(self, config: bool, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        case = view.case
        timing = case.timing
        if timing is None:
            return []
        violations: list[str] = []
        for origin, starts in sorted(starts_of(case).items()):
            project = timing.original.projects[origin]
            taken = sorted(
                year
                for year, parts in starts.items()
                if any(view.ledger.project(p) > 0 for p in parts)
            )
            if len(taken) > 1:
                violations.append(
                    msg(
                        "project {project_id} is started in more than one year: {years}",
                        project_id=project.project_id,
                        years=", ".join(map(str, taken)),
                    )
                )
                continue
            if not taken:
                if project.continuing and ("continuing", project.project_id) not in waived:
                    violations.append(
                        msg(
                            "continuing project {project_id} is not funded",
                            project_id=project.project_id,
                        )
                    )
                continue
            parts = starts[taken[0]]
            amounts = [view.ledger.project(p) for p in parts]
            costs = [case.projects[p].cost for p in parts]
            first_amount, first_cost = amounts[0], costs[0]
            for p, amount, cost in zip(parts, amounts, costs, strict=True):
                # Shares equal within a yuan of each part (parts are rounded one by one).
                if abs(amount * first_cost - first_amount * cost) > first_cost + cost:
                    violations.append(
                        msg(
                            (
                                "project {project_id} started in {start} gets {value} in "
                                "{year}, out of step with its first year ({value2} of {value3})"
                            ),
                            project_id=project.project_id,
                            start=taken[0],
                            value=yuan(amount),
                            year=timing.paid_in[p],
                            value2=yuan(first_amount),
                            value3=yuan(first_cost),
                        )
                    )
            if (
                project.continuing
                and amounts != costs
                and (("continuing", project.project_id) not in waived)
            ):
                violations.append(
                    msg(
                        "continuing project {project_id} is not funded in full",
                        project_id=project.project_id,
                    )
                )
        return violations

    def describe(
        self, config: bool, key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        return Conflict(
            "projects.csv: continuing",
            msg(
                "continuing project {key} cannot be funded in its years",
                key=key[1],
            ),
        )

    def instance_name(self, config: bool, key: PolicyKey) -> str:
        if key[0] == "continuing":
            return msg("funding continuing project {key} in its years", key=key[1])
        return msg("paying project {key} in each of its years", key=key[1])


POLICY = ProjectYears()
