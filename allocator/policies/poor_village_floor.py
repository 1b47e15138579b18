"""``poor_village_floor``: every registered poor village gets at least some money or projects.

Spec: ``poor_village_floor: {min_projects: 1, min_amount: 0}``. A village whose
fundable library is smaller than the floor gets all of its library instead
(the floor is ``min(min_amount, library cost)`` and ``min(min_projects,
library size)``), so the policy never asks for the impossible on its own.

Model, per poor village v: ``sum cost_p s_p + slack >= amount`` and
``sum selected_p + slack >= count``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

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
    StartBuilder,
    by_village,
    ids,
)
from allocator.policies.divisible_min_share import least_amount, min_share_of
from allocator.schemas import Yuan


class FloorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    min_amount: Yuan = 0
    min_projects: Annotated[int, Field(ge=0, le=100)] = 0


def floors(
    config: FloorConfig, case: Case, library: dict[int, list[int]]
) -> dict[int, tuple[int, int]]:
    """Poor village index -> (amount, project count) actually imposed (capped by its library)."""
    result: dict[int, tuple[int, int]] = {}
    for v, village in enumerate(case.villages):
        if not village.poor_village:
            continue
        projects = library.get(v, [])
        amount = min(config.min_amount, sum(case.projects[p].cost for p in projects))
        count = min(config.min_projects, len(projects))
        if amount > 0 or count > 0:
            result[v] = (amount, count)
    return result


class PoorVillageFloor(Policy[FloorConfig]):
    key: ClassVar[str] = "poor_village_floor"
    annotation: ClassVar[Any] = FloorConfig | None
    description: ClassVar[str] = "every registered poor village gets a minimum amount or projects"
    kinds: ClassVar[tuple[str, ...]] = ("floor_amount", "floor_projects")

    def selections(self, config: FloorConfig, model: ModelBuilder) -> set[int]:
        if config.min_projects <= 0:
            return set()
        case = model.case
        return {
            p
            for v, projects in model.by_village.items()
            if case.villages[v].poor_village
            for p in projects
            if case.projects[p].divisible
        }

    def define(self, config: FloorConfig, model: ModelBuilder) -> None:
        case, unit = model.case, model.unit
        for v, (amount, count) in floors(config, case, model.by_village).items():
            village_id = case.villages[v].village_id
            projects = model.by_village[v]
            if amount > 0:
                key = ("floor_amount", village_id)
                money = sum(model.cost[p] * model.share(p) for p in projects)
                model.constrain(key, money + model.slack(key, amount / unit) >= amount / unit)
            if count > 0:
                key = ("floor_projects", village_id)
                chosen = sum(model.selected(p) for p in projects)
                model.constrain(key, chosen + model.slack(key, float(count)) >= count)

    def precheck(self, config: FloorConfig, view: PrecheckView) -> list[Conflict]:
        case = view.case
        min_share = min_share_of(view.policies)
        cap_config = getattr(view.policies, "village_cap", None)
        cap = cap_config.max_amount if cap_config else None
        imposed = floors(config, case, view.library)
        short: list[str] = []
        over_cap: list[str] = []
        for v, (amount, count) in imposed.items():
            projects = view.library.get(v, [])
            least = sorted(
                least_amount(case.projects[p].cost, case.projects[p].divisible, min_share)
                for p in projects
            )
            needed = max(amount, sum(least[:count]))
            own = view.hold(projects)
            village_id = case.villages[v].village_id
            if needed > own:
                short.append(
                    msg(
                        "{village_id} (needs {value}, its funds hold {value2})",
                        village_id=village_id,
                        value=yuan(needed),
                        value2=yuan(own),
                    )
                )
            if cap is not None and needed > cap:
                over_cap.append(f"{village_id} (needs {yuan(needed)})")
        conflicts = []
        if short:
            conflicts.append(
                Conflict(
                    "policies.poor_village_floor",
                    msg(
                        (
                            "{n_short} poor village(s) cannot reach their floor even with every "
                            "eligible fund's whole budget: {value}"
                        ),
                        n_short=len(short),
                        value=ids(short),
                    ),
                )
            )
        if over_cap:
            conflicts.append(
                Conflict(
                    "policies.poor_village_floor + policies.village_cap",
                    msg(
                        (
                            "the floor needs more than the village cap of {value} in {n_over_cap} "
                            "poor village(s): {value2}"
                        ),
                        value=yuan(cap or 0),
                        n_over_cap=len(over_cap),
                        value2=ids(over_cap),
                    ),
                )
            )
        need = sum(amount for amount, _ in imposed.values())
        available = view.hold([p for v in imposed for p in view.library.get(v, [])])
        if config.min_amount > 0 and need > available:
            conflicts.append(
                Conflict(
                    "policies.poor_village_floor",
                    msg(
                        (
                            "the floor of {value} for each of {n_imposed} poor villages needs "
                            "{value2} but the funds eligible for them hold {value3}"
                        ),
                        value=yuan(config.min_amount),
                        n_imposed=len(imposed),
                        value2=yuan(need),
                        value3=yuan(available),
                    ),
                )
            )
        return conflicts

    def check(self, config: FloorConfig, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        case = view.case
        library = {v: view.fundable_library(v) for v in range(len(case.villages))}
        violations: list[str] = []
        for v, (amount, count) in floors(config, case, library).items():
            village_id = case.villages[v].village_id
            total = view.village_total(v)
            if total < amount and ("floor_amount", village_id) not in waived:
                violations.append(
                    msg(
                        "poor village {village_id} receives {value}, below its floor of {value2}",
                        village_id=village_id,
                        value=yuan(total),
                        value2=yuan(amount),
                    )
                )
            funded = view.village_funded(v)
            if funded < count and ("floor_projects", village_id) not in waived:
                violations.append(
                    msg(
                        (
                            "poor village {village_id} has {funded} funded projects, below its "
                            "floor of {count}"
                        ),
                        village_id=village_id,
                        funded=funded,
                        count=count,
                    )
                )
        return violations

    def describe(
        self, config: FloorConfig, key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        kind, village_id = key
        if kind == "floor_amount":
            return Conflict(
                "policies.poor_village_floor.min_amount",
                msg(
                    "poor village {village_id} gets {value} less than its floor",
                    village_id=village_id,
                    value=yuan(amount * unit),
                ),
            )
        return Conflict(
            "policies.poor_village_floor.min_projects",
            msg(
                ("poor village {village_id} gets {amount} funded project(s) fewer than its floor"),
                village_id=village_id,
                amount=round(amount),
            ),
        )

    def instance_name(self, config: FloorConfig, key: PolicyKey) -> str:
        return msg("the floor for poor village {key}", key=key[1])

    def seed_start(self, config: FloorConfig, start: StartBuilder, stage: str) -> None:
        # Floors before the bulk: afterwards the money is gone. Each village's
        # candidates in the order the LP favours them, else cheapest first.
        if stage != "first":
            return
        case = start.case
        village_of = case.project_villages
        imposed = floors(config, case, by_village(case, start.by_density))
        for p in start.floor_order:
            v = village_of[p]
            if v not in imposed:
                continue
            amount, count = imposed[v]
            village_id = case.villages[v].village_id
            if start.count(village_id) < count or start.spent(village_id) * start.unit < amount:
                start.fund(p)


POLICY = PoorVillageFloor()
