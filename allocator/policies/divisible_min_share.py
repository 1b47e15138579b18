"""``divisible_min_share``: a divisible project funded at all gets at least this share.

Against "sprinkling pepper": a training programme or subsidy scheme started
with a token amount helps nobody. Spec: ``divisible_min_share: 0.25``.

Model: a divisible project gets a binary z (funded at all) with
``s <= z`` and ``s >= max(min_share, 1 yuan / cost) x z``. The rows are part of
the project's own definition, not instances that can be relaxed.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar

from pydantic import Field

from allocator.i18n import msg
from allocator.ledger import yuan
from allocator.policies.base import AuditView, ModelBuilder, Policy, PolicyKey

Share = Annotated[float, Field(ge=0, le=1)]


def least_amount(cost: int, divisible: bool, min_share: float) -> int:
    """The least whole yuan a project can receive and count as funded."""
    if not divisible:
        return cost
    return min(cost, max(1, math.ceil(min_share * cost)))


def min_share_of(policies: Any) -> float:
    """The spec's minimum share (0 when the policy is off)."""
    return float(getattr(policies, DivisibleMinShare.key, 0.0) or 0.0)


class DivisibleMinShare(Policy[float]):
    key: ClassVar[str] = "divisible_min_share"
    annotation: ClassVar[Any] = Share
    default: ClassVar[Any] = 0.0
    factor_supported: ClassVar[bool] = True
    description: ClassVar[str] = (
        "a divisible project funded at all gets at least this share of its cost"
    )

    def selections(self, config: float, model: ModelBuilder) -> set[int]:
        return {p for p in model.modelled if model.case.projects[p].divisible}

    def check(self, config: float, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        violations: list[str] = []
        for p, total in sorted(view.ledger.by_project.items()):
            project = view.case.projects[p]
            if project.divisible and total < math.ceil(config * project.cost):
                violations.append(
                    msg(
                        (
                            "project {project_id} is funded {value}, below the minimum share "
                            "{config:.0%} of {value2}"
                        ),
                        project_id=project.project_id,
                        value=yuan(total),
                        config=config,
                        value2=yuan(project.cost),
                    )
                )
        return violations


POLICY = DivisibleMinShare()
