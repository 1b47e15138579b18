"""``post_exit_support``: a village that exited keeps its support unchanged for some years.

Spec: ``post_exit_support: {years: 3, min_ratio: 1.0}``. A village that exited in
year e receives, in every year t of the plan with e < t <= e + years, at least
min_ratio times its average annual amount in the ``years`` years before its exit
(``history.csv``; a year it has no row for counts as 0), in whole yuan rounded
up. The floor is capped at what the village's projects paid in that year could
total (as ``poor_village_floor`` caps at the library). Model, per (village,
year): ``sum cost_p s_p + slack >= floor`` over the village's project parts
paid in that year. Divisible parts are rounded to whole yuan one by one, so the
check allows a yuan per divisible part short.
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import yuan
from allocator.policies.base import AuditView, Conflict, ModelBuilder, Policy, PolicyKey


class SupportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    years: Annotated[int, Field(ge=1, le=10)] = 3
    min_ratio: Annotated[float, Field(ge=0, le=10)] = 1.0


def paid_in(case: Case, p: int) -> int:
    """The year project (part) p is paid in: its own in a multi-year plan, else the case's."""
    return case.timing.paid_in[p] if case.timing is not None else case.meta.year


def floors(config: SupportConfig, case: Case) -> dict[tuple[int, int], int]:
    """(village index, year) -> the least it must receive that year (yuan, > 0)."""
    past: dict[tuple[str, int], int] = {(h.village_id, h.year): h.amount for h in case.history}
    library: dict[tuple[int, int], int] = defaultdict(int)
    village_of = case.village_index()
    for p, project in enumerate(case.projects):
        library[(village_of[project.village_id], paid_in(case, p))] += project.cost
    years = case.meta.years()
    ratio = Fraction(str(config.min_ratio))
    found: dict[tuple[int, int], int] = {}
    for v, village in enumerate(case.villages):
        exit_year = village.exit_year
        if exit_year is None:
            continue
        before = sum(
            past.get((village.village_id, exit_year - k), 0) for k in range(1, config.years + 1)
        )
        floor = math.ceil(ratio * before / config.years)
        for year in years:
            if exit_year < year <= exit_year + config.years and floor > 0:
                found[(v, year)] = min(floor, library[(v, year)])
    return {key: amount for key, amount in found.items() if amount > 0}


class PostExitSupport(Policy[SupportConfig]):
    key: ClassVar[str] = "post_exit_support"
    annotation: ClassVar[Any] = SupportConfig | None
    description: ClassVar[str] = (
        "a village that exited within the last `years` years receives each year at least "
        "min_ratio times its average annual amount before its exit (history.csv)"
    )
    kinds: ClassVar[tuple[str, ...]] = ("post_exit",)

    def define(self, config: SupportConfig, model: ModelBuilder) -> None:
        case, unit = model.case, model.unit
        parts: dict[tuple[int, int], list[int]] = defaultdict(list)
        for v, projects in model.by_village.items():
            for p in projects:
                parts[(v, paid_in(case, p))].append(p)
        for (v, year), floor in sorted(floors(config, case).items()):
            key = ("post_exit", f"{case.villages[v].village_id}/{year}")
            money = sum(model.cost[p] * model.share(p) for p in parts.get((v, year), []))
            model.constrain(key, money + model.slack(key, floor / unit) >= floor / unit)

    def check(self, config: SupportConfig, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        case = view.case
        received: dict[tuple[int, int], int] = defaultdict(int)
        divisible: dict[tuple[int, int], int] = defaultdict(int)
        village_of = case.village_index()
        for p, amount in view.ledger.by_project.items():
            key = (village_of[case.projects[p].village_id], paid_in(case, p))
            received[key] += amount
            divisible[key] += case.projects[p].divisible
        violations: list[str] = []
        for (v, year), floor in sorted(floors(config, case).items()):
            village_id = case.villages[v].village_id
            if ("post_exit", f"{village_id}/{year}") in waived:
                continue
            if received[(v, year)] + divisible[(v, year)] < floor:
                violations.append(
                    msg(
                        (
                            "village {village_id} receives {value} in {year}, below its "
                            "support before exit of {value2}"
                        ),
                        village_id=village_id,
                        value=yuan(received[(v, year)]),
                        year=year,
                        value2=yuan(floor),
                    )
                )
        return violations

    def describe(
        self, config: SupportConfig, key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        village_id, year = key[1].split("/")
        return Conflict(
            "policies.post_exit_support",
            msg(
                "village {village_id} is {value} short of its support before exit in {year}",
                village_id=village_id,
                value=yuan(amount * unit),
                year=year,
            ),
        )

    def instance_name(self, config: SupportConfig, key: PolicyKey) -> str:
        village_id, year = key[1].split("/")
        return msg(
            "the support before exit of village {village_id} in {year}",
            village_id=village_id,
            year=year,
        )


POLICY = PostExitSupport()
