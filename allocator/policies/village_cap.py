"""``village_cap``: no village receives more than a maximum amount.

Spec: ``village_cap: {max_amount: 5000000}``. Model, per village whose fundable
library costs more than the cap: ``sum cost_p s_p - slack <= cap``. Rounding
trims the few yuan the solver's tolerance may leave above it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

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
    RoundingView,
    StartBuilder,
    ids,
)
from allocator.policies.divisible_min_share import least_amount, min_share_of
from allocator.schemas import Yuan


class CapConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    max_amount: Yuan


class VillageCap(Policy[CapConfig]):
    key: ClassVar[str] = "village_cap"
    annotation: ClassVar[Any] = CapConfig | None
    description: ClassVar[str] = "no village receives more than max_amount"
    kinds: ClassVar[tuple[str, ...]] = ("village_cap",)
    factor_supported: ClassVar[bool] = True

    def define(self, config: CapConfig, model: ModelBuilder) -> None:
        case, unit = model.case, model.unit
        for v in sorted(model.by_village):
            projects = model.by_village[v]
            library = sum(case.projects[p].cost for p in projects)
            if library <= config.max_amount:
                continue
            key = ("village_cap", case.villages[v].village_id)
            money = sum(model.cost[p] * model.share(p) for p in projects)
            largest = (library - config.max_amount) / unit
            model.constrain(key, money - model.slack(key, largest) <= config.max_amount / unit)

    def precheck(self, config: CapConfig, view: PrecheckView) -> list[Conflict]:
        must = set(getattr(view.policies, "must_fund_categories", []) or [])
        if not must:
            return []
        case = view.case
        heavy = []
        for v, projects in sorted(view.library.items()):
            forced = sum(
                case.projects[p].cost for p in projects if case.projects[p].category in must
            )
            if forced > config.max_amount:
                heavy.append(f"{case.villages[v].village_id} ({yuan(forced)})")
        if not heavy:
            return []
        return [
            Conflict(
                "policies.must_fund_categories + policies.village_cap",
                msg(
                    (
                        "must-fund projects alone exceed the village cap of {value} in "
                        "{n_heavy} village(s): {value2}"
                    ),
                    value=yuan(config.max_amount),
                    n_heavy=len(heavy),
                    value2=ids(heavy),
                ),
            )
        ]

    def check(self, config: CapConfig, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        violations: list[str] = []
        for v, village in enumerate(view.case.villages):
            total = view.village_total(v)
            if total > config.max_amount and ("village_cap", village.village_id) not in waived:
                violations.append(
                    msg(
                        "village {village_id} receives {value}, above the village cap of {value2}",
                        village_id=village.village_id,
                        value=yuan(total),
                        value2=yuan(config.max_amount),
                    )
                )
        return violations

    def describe(
        self, config: CapConfig, key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        return Conflict(
            "policies.village_cap",
            msg(
                "village {key} gets {value} more than the cap",
                key=key[1],
                value=yuan(amount * unit),
            ),
        )

    def instance_name(self, config: CapConfig, key: PolicyKey) -> str:
        return msg("the village cap of {value} in {key}", value=yuan(config.max_amount), key=key[1])

    def start_limit(self, config: CapConfig, start: StartBuilder, p: int, room: float) -> float:
        village_id = start.case.projects[p].village_id
        return min(room, config.max_amount / start.unit - start.spent(village_id))

    def repair(self, config: CapConfig, view: RoundingView) -> None:
        """Trim villages the solver's tolerance left a few yuan over the cap.

        Divisible projects are trimmed first, then indivisible ones dropped, least
        valuable per yuan first; a plan within tolerance changes by a few yuan at most.
        """
        case, amounts = view.case, view.amounts
        min_share = min_share_of(view.policies)
        by_village: dict[str, list[int]] = defaultdict(list)
        for p, amount in amounts.items():
            if amount > 0:
                by_village[case.projects[p].village_id].append(p)
        for village_id, members in sorted(by_village.items()):
            if ("village_cap", village_id) in view.exempt:
                continue
            over = sum(amounts[p] for p in members) - config.max_amount
            order = sorted(
                members, key=lambda q: (not case.projects[q].divisible, view.density[q], q)
            )
            for p in order:
                if over <= 0:
                    break
                project = case.projects[p]
                lowest = least_amount(project.cost, project.divisible, min_share)
                if project.divisible and amounts[p] - over >= lowest:
                    amounts[p] -= over
                    over = 0
                else:
                    over -= amounts[p]
                    amounts[p] = 0


def cap_of(policies: Any) -> int | None:
    """The village cap in yuan, or None when the policy is off."""
    config = getattr(policies, VillageCap.key, None)
    return int(config.max_amount) if config else None


def cap_room(policies: Any, spent: int) -> float:
    """Yuan a village that has ``spent`` may still receive under the cap (inf without one)."""
    cap = cap_of(policies)
    return math.inf if cap is None else cap - spent


POLICY = VillageCap()
