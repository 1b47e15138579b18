"""Cheap pre-checks in integer yuan: policies that arithmetic proves impossible.

Run before any solve (and by ``allocator check``); each policy contributes
its own (``Policy.precheck``). What the solver finds infeasible beyond these
is explained by the elastic model in the optimize layer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from allocator.io.case import Case
from allocator.policies.base import Conflict
from allocator.policies.registry import active
from allocator.rules.household_options import HouseholdOptions


@dataclass
class CaseView:
    """The case and its eligibility, as the pre-checks read them."""

    case: Case
    eligible: npt.NDArray[np.bool_]
    policies: Any
    households: HouseholdOptions | None = None
    fundable: npt.NDArray[np.bool_] = field(init=False)
    library: dict[int, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.fundable = np.asarray(self.eligible.any(axis=0))
        village_of = self.case.village_index()
        self.library = defaultdict(list)
        for p, project in enumerate(self.case.projects):
            if self.fundable[p]:
                self.library[village_of[project.village_id]].append(p)

    def hold(self, projects: Sequence[int]) -> int:
        if not projects:
            return 0
        funds = np.flatnonzero(self.eligible[:, list(projects)].any(axis=1)).tolist()
        return sum(self.case.funds[f].budget for f in funds)


def domain_prechecks(
    case: Case,
    eligible: npt.NDArray[np.bool_],
    policies: Any,
    households: HouseholdOptions | None = None,
) -> list[Conflict]:
    """Every impossibility the policies' pre-checks prove on this case."""
    view = CaseView(case, eligible, policies, households)
    conflicts: list[Conflict] = []
    for policy, config in active(policies):
        conflicts += policy.precheck(config, view)
    return conflicts


def domain_shortfalls(
    case: Case,
    eligible: npt.NDArray[np.bool_],
    policies: Any,
    households: HouseholdOptions | None = None,
) -> list[str]:
    """What the policies ask for but no plan can give, in words (warnings, not errors)."""
    view = CaseView(case, eligible, policies, households)
    notes: list[str] = []
    for policy, config in active(policies):
        notes += policy.shortfalls(config, view)
    return notes
