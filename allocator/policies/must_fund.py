"""``must_fund_categories``: every fundable project of these categories is fully funded.

Spec: ``must_fund_categories: [drinking_water]``. Model, per such project:
``s_p + slack >= 1``. A must-fund project that no fund may pay for, or more
must-fund cost than the eligible funds hold, is refused before any solve.
"""

from __future__ import annotations

from typing import Any, ClassVar

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
    SpecPath,
    StartBuilder,
    ids,
)
from allocator.policies.project_years import starts_of
from allocator.schemas import Identifier, Project


def _projects(case: Case) -> list[tuple[Project, list[int]]]:
    """Each project with the case's projects that stand for it: itself, or in a multi-year
    plan every part of every start it may take."""
    timing = case.timing
    if timing is None:
        return [(project, [p]) for p, project in enumerate(case.projects)]
    return [
        (timing.original.projects[origin], [p for parts in starts.values() for p in parts])
        for origin, starts in sorted(starts_of(case).items())
    ]


class MustFundCategories(Policy[list[str]]):
    key: ClassVar[str] = "must_fund_categories"
    annotation: ClassVar[Any] = list[Identifier]
    default: ClassVar[Any] = []
    description: ClassVar[str] = "every fundable project of these categories is fully funded"
    kinds: ClassVar[tuple[str, ...]] = ("must_fund",)

    def categories(self, config: list[str]) -> list[tuple[SpecPath, str]]:
        return [((("policies", self.key, i)), c) for i, c in enumerate(config)]

    def define(self, config: list[str], model: ModelBuilder) -> None:
        must = set(config)
        timing = model.case.timing
        if timing is not None:
            # A multi-year plan: the project is funded in full in one of its start years.
            for origin, starts in sorted(starts_of(model.case).items()):
                project = timing.original.projects[origin]
                firsts = [parts[0] for parts in starts.values() if parts[0] in model.modelled]
                if project.category in must and firsts:
                    key = ("must_fund", project.project_id)
                    started = sum(model.share(p) for p in firsts)
                    model.constrain(key, started + model.slack(key, 1.0) >= 1)
            return
        for p in model.modelled:
            project = model.case.projects[p]
            if project.category in must:
                key = ("must_fund", project.project_id)
                model.constrain(key, model.share(p) + model.slack(key, 1.0) >= 1)

    def precheck(self, config: list[str], view: PrecheckView) -> list[Conflict]:
        must = set(config)
        case = view.case
        if case.timing is not None:
            return []  # multi-year: a project's candidates share its money; the solve decides
        conflicts = []
        stranded = [
            p.project_id
            for i, p in enumerate(case.projects)
            if p.category in must and not view.fundable[i]
        ]
        if stranded:
            conflicts.append(
                Conflict(
                    "policies.must_fund_categories",
                    msg(
                        (
                            "{n_stranded} must-fund project(s) have no eligible fund under the "
                            "earmarks and rules: {value}"
                        ),
                        n_stranded=len(stranded),
                        value=ids(stranded),
                    ),
                )
            )
        wanted = [i for i, p in enumerate(case.projects) if p.category in must and view.fundable[i]]
        need = sum(case.projects[i].cost for i in wanted)
        available = view.hold(wanted)
        if need > available:
            conflicts.append(
                Conflict(
                    "policies.must_fund_categories",
                    msg(
                        (
                            "the {n_wanted} must-fund projects ({must}) cost {value} but the funds "
                            "eligible for them hold {value2}"
                        ),
                        n_wanted=len(wanted),
                        must=", ".join(sorted(must)),
                        value=yuan(need),
                        value2=yuan(available),
                    ),
                )
            )
        return conflicts

    def check(self, config: list[str], view: AuditView, waived: set[PolicyKey]) -> list[str]:
        must = set(config)
        violations: list[str] = []
        for project, parts in _projects(view.case):
            if (
                project.category in must
                and any(view.fundable[p] for p in parts)
                and sum(view.ledger.project(p) for p in parts) != project.cost
                and ("must_fund", project.project_id) not in waived
            ):
                violations.append(
                    msg(
                        (
                            "project {project_id} is in must-fund category {category} but is not "
                            "fully funded"
                        ),
                        project_id=project.project_id,
                        category=project.category,
                    )
                )
        return violations

    def describe(
        self, config: list[str], key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        projects = case.timing.original.projects if case.timing else case.projects
        project = next(p for p in projects if p.project_id == key[1])
        return Conflict(
            "policies.must_fund_categories",
            msg(
                "project {key} ({category}) is short of {value}",
                key=key[1],
                category=project.category,
                value=yuan(amount * project.cost),
            ),
        )

    def instance_name(self, config: list[str], key: PolicyKey) -> str:
        return msg("must-fund project {key}", key=key[1])

    def seed_start(self, config: list[str], start: StartBuilder, stage: str) -> None:
        if stage != "first":
            return
        must = set(config)
        for p in start.by_density:
            if start.case.projects[p].category in must:
                start.fund(p)


POLICY = MustFundCategories()
