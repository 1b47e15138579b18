"""``exit_standards``: a poor village exiting this year has its standards met.

Spec: ``exit_standards: {categories: [road, drinking_water, electricity, clinic,
activity_venue, broadband]}``. For every registered poor village whose
exit_year is the case year, each listed category that its need list
(needs.csv) still lists must be covered: at least one project of that
category in the village is funded. A standard no project can meet (none in
the library, or none any fund may pay) is named in the run's warnings, not
made infeasible; one that money cannot meet makes the run infeasible, and the
diagnosis names the villages and categories.

``only_with_register`` (default true) keeps the policy off for cases without
a household register, so the default spec plans such cases as before.

Model, per (village, category): ``sum selected_p + slack >= 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import Ledger
from allocator.policies.base import (
    AuditView,
    Conflict,
    ModelBuilder,
    Policy,
    PolicyKey,
    PrecheckView,
    SpecPath,
    StartBuilder,
    by_village,
    ids,
)
from allocator.schemas import Identifier

KIND = "exit_standard"


class ExitStandardsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    categories: Annotated[list[Identifier], Field(min_length=1)]
    only_with_register: bool = True


def applies(config: ExitStandardsConfig, case: Case) -> bool:
    return case.households is not None or not config.only_with_register


def standards(
    config: ExitStandardsConfig, case: Case, library: dict[int, list[int]]
) -> tuple[dict[tuple[int, str], list[int]], list[tuple[int, str, str]]]:
    """Standards to meet: (village, category) -> fundable projects; and those no project
    can meet: (village, category, reason)."""
    if not applies(config, case):
        return {}, []
    listed = {(n.village_id, n.need) for n in case.needs}
    in_library: dict[tuple[str, str], int] = {}
    for project in case.projects:
        key = (project.village_id, project.category)
        in_library[key] = in_library.get(key, 0) + 1
    meet: dict[tuple[int, str], list[int]] = {}
    unmet: list[tuple[int, str, str]] = []
    for v, village in enumerate(case.villages):
        if not village.poor_village or village.exit_year not in case.meta.years():
            continue
        for category in config.categories:
            if (village.village_id, category) not in listed:
                continue
            fundable = [
                p
                for p in library.get(v, [])
                if case.projects[p].category == category and done_by(case, p, village.exit_year)
            ]
            if fundable:
                meet[(v, category)] = fundable
            elif in_library.get((village.village_id, category)):
                unmet.append((v, category, "no fund may pay its projects"))
            else:
                unmet.append((v, category, "no project in the library"))
    return meet, unmet


def done_by(case: Case, p: int, year: int) -> bool:
    """Whether project p, funded, is complete by the end of ``year``: always in a one-year
    plan; in a multi-year plan, when p is the last part of a start paid by then."""
    timing = case.timing
    if timing is None:
        return True
    return timing.last[p] and timing.paid_in[p] <= year


def _key(case: Case, v: int, category: str) -> PolicyKey:
    return (KIND, f"{case.villages[v].village_id}/{category}")


class ExitStandards(Policy[ExitStandardsConfig]):
    key: ClassVar[str] = "exit_standards"
    annotation: ClassVar[Any] = ExitStandardsConfig | None
    description: ClassVar[str] = (
        "a poor village exiting this year has every listed standard its need list still "
        "lists covered by a funded project"
    )
    kinds: ClassVar[tuple[str, ...]] = (KIND,)

    def categories(self, config: ExitStandardsConfig) -> list[tuple[SpecPath, str]]:
        return [
            (("policies", "exit_standards", "categories", i), c)
            for i, c in enumerate(config.categories)
        ]

    def selections(self, config: ExitStandardsConfig, model: ModelBuilder) -> set[int]:
        meet, _ = standards(config, model.case, model.by_village)
        return {p for projects in meet.values() for p in projects}

    def define(self, config: ExitStandardsConfig, model: ModelBuilder) -> None:
        meet, _ = standards(config, model.case, model.by_village)
        for (v, category), projects in meet.items():
            key = _key(model.case, v, category)
            chosen = sum(model.selected(p) for p in projects)
            model.constrain(key, chosen + model.slack(key, 1.0) >= 1)

    def check(
        self, config: ExitStandardsConfig, view: AuditView, waived: set[PolicyKey]
    ) -> list[str]:
        library = {v: view.fundable_library(v) for v in range(len(view.case.villages))}
        meet, _ = standards(config, view.case, library)
        return [
            msg(
                (
                    "exiting poor village {village_id} has no funded {category} project, "
                    "an exit standard"
                ),
                village_id=view.case.villages[v].village_id,
                category=category,
            )
            for (v, category), projects in meet.items()
            if _key(view.case, v, category) not in waived
            and not any(view.ledger.project(p) > 0 for p in projects)
        ]

    def describe(
        self, config: ExitStandardsConfig, key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        village_id, category = key[1].split("/", 1)
        if case.timing is not None:
            year = next(v.exit_year for v in case.villages if v.village_id == village_id)
            return Conflict(
                "policies.exit_standards",
                msg(
                    (
                        "poor village {village_id}, exiting in {year}, cannot have its "
                        "{category} standard met by then (money: its eligible funds are "
                        "needed elsewhere or are too small in those years)"
                    ),
                    village_id=village_id,
                    year=year,
                    category=category,
                ),
            )
        return Conflict(
            "policies.exit_standards",
            msg(
                (
                    "exiting poor village {village_id} cannot have its {category} standard "
                    "met (money: its eligible funds are needed elsewhere by other policies "
                    "or are too small)"
                ),
                village_id=village_id,
                category=category,
            ),
        )

    def instance_name(self, config: ExitStandardsConfig, key: PolicyKey) -> str:
        village_id, category = key[1].split("/", 1)
        return msg(
            "the {category} exit standard of village {village_id}",
            category=category,
            village_id=village_id,
        )

    def seed_start(self, config: ExitStandardsConfig, start: StartBuilder, stage: str) -> None:
        if stage != "first":
            return
        case = start.case
        meet, _ = standards(config, case, by_village(case, start.floor_order))
        for projects in meet.values():
            for p in projects:
                if start.fund(p):
                    break

    def shortfalls(self, config: ExitStandardsConfig, view: PrecheckView) -> list[str]:
        _, unmet = standards(config, view.case, view.library)
        if not unmet:
            return []
        named = [f"{view.case.villages[v].village_id} {c} ({why})" for v, c, why in unmet]
        return [
            msg(
                ("{n_unmet} exit standard(s) of villages exiting this year cannot be met: {value}"),
                n_unmet=len(unmet),
                value=ids(named),
            )
        ]

    def figures(self, config: ExitStandardsConfig, case: Case, ledger: Ledger) -> dict[str, int]:
        library = by_village(case, range(len(case.projects)))
        return exit_villages_meeting(config, case, ledger, library)


def exit_villages_meeting(
    config: ExitStandardsConfig,
    case: Case,
    ledger: Ledger,
    library: dict[int, list[int]],
) -> dict[str, int]:
    """Poor villages exiting this year, and how many have every listed standard covered."""
    if not applies(config, case):
        return {}
    listed = {(n.village_id, n.need) for n in case.needs}
    exiting = [
        v
        for v, village in enumerate(case.villages)
        if village.poor_village and village.exit_year == case.meta.year
    ]
    meeting = 0
    for v in exiting:
        village_id = case.villages[v].village_id
        wanted = [c for c in config.categories if (village_id, c) in listed]
        if all(_covered(case, ledger, library.get(v, []), c) for c in wanted):
            meeting += 1
    return {"exit_villages": len(exiting), "exit_villages_meeting_standards": meeting}


def _covered(case: Case, ledger: Ledger, projects: Sequence[int], category: str) -> bool:
    return any(case.projects[p].category == category and ledger.project(p) > 0 for p in projects)


POLICY = ExitStandards()
