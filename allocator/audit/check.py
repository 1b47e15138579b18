"""Independent re-check of a plan in integer arithmetic, before anything is written.

It trusts nothing the solver or the rounding said: it re-adds every amount from
the allocation rows (:class:`~allocator.ledger.Ledger`) and tests budgets,
eligibility, project costs and indivisible projects here, then every policy's
own integer check (``Policy.check``), against the case and the spec directly.
One ``check_*`` function per invariant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from allocator.audit.households import (
    check_grant_costs,
    check_grant_eligibility,
    check_grant_rows,
    check_quotas,
)
from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import Allocation, Grant, HouseholdLedger, Ledger, yuan
from allocator.policies.base import PolicyKey
from allocator.policies.registry import active
from allocator.rules.household_options import HouseholdOptions


@dataclass
class PlanView:
    """The ledger of a plan with the case and eligibility it is checked against."""

    case: Case
    eligible: npt.NDArray[np.bool_]
    ledger: Ledger
    policies: Any
    households: HouseholdOptions | None = None
    grants: HouseholdLedger = field(default_factory=HouseholdLedger)
    fundable: npt.NDArray[np.bool_] = field(init=False)
    _village_total: dict[int, int] = field(init=False)
    _village_funded: dict[int, int] = field(init=False)
    _library: dict[int, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.fundable = np.asarray(self.eligible.any(axis=0))
        village_of = self.case.village_index()
        self._village_total = defaultdict(int)
        self._village_funded = defaultdict(int)
        for p, total in self.ledger.by_project.items():
            v = village_of[self.case.projects[p].village_id]
            self._village_total[v] += total
            self._village_funded[v] += 1
        self._library = defaultdict(list)
        for p, project in enumerate(self.case.projects):
            if self.fundable[p]:
                self._library[village_of[project.village_id]].append(p)

    def village_total(self, v: int) -> int:
        return self._village_total.get(v, 0)

    def village_funded(self, v: int) -> int:
        return self._village_funded.get(v, 0)

    def fundable_library(self, v: int) -> list[int]:
        return self._library.get(v, [])


def check_rows(case: Case, allocations: Iterable[Allocation]) -> list[str]:
    """Every row is a positive whole number of yuan."""
    return [
        msg(
            ("{project_id}/{fund_id}: amount {amount!r} is not a positive whole number of yuan"),
            project_id=case.projects[a.project].project_id,
            fund_id=case.funds[a.fund].fund_id,
            amount=a.amount,
        )
        for a in allocations
        if not isinstance(a.amount, int) or a.amount <= 0
    ]


def check_eligibility(view: PlanView) -> list[str]:
    """Every paying pair is eligible (earmark and rules)."""
    case = view.case
    return [
        msg(
            "{fund_id} pays {project_id} but the pair is not eligible",
            fund_id=case.funds[f].fund_id,
            project_id=case.projects[p].project_id,
        )
        for (f, p) in view.ledger.by_pair
        if not view.eligible[f, p]
    ]


def check_budgets(view: PlanView) -> list[str]:
    """No fund allocates more than its budget (projects and household measures together)."""
    spent = {f: view.ledger.fund(f) + view.grants.fund(f) for f in range(len(view.case.funds))}
    return [
        msg(
            "fund {fund_id} allocates {value} but its budget is {value2}",
            fund_id=fund.fund_id,
            value=yuan(spent[f]),
            value2=yuan(fund.budget),
        )
        for f, fund in enumerate(view.case.funds)
        if spent[f] > fund.budget
    ]


def check_costs(view: PlanView) -> list[str]:
    """No project gets more than its cost; an indivisible one gets all or nothing."""
    violations: list[str] = []
    for p, total in sorted(view.ledger.by_project.items()):
        project = view.case.projects[p]
        if total > project.cost:
            violations.append(
                msg(
                    "project {project_id} receives {value}, more than its cost {value2}",
                    project_id=project.project_id,
                    value=yuan(total),
                    value2=yuan(project.cost),
                )
            )
        if not project.divisible and total != project.cost:
            violations.append(
                msg(
                    "indivisible project {project_id} is part-funded: {value} of {value2}",
                    project_id=project.project_id,
                    value=yuan(total),
                    value2=yuan(project.cost),
                )
            )
    return violations


def check_plan(
    case: Case,
    eligible: npt.NDArray[np.bool_],
    policies: Any,
    allocations: Iterable[Allocation],
    waived: Collection[PolicyKey] = (),
    *,
    eligibility: bool = True,
    grants: Sequence[Grant] = (),
    households: HouseholdOptions | None = None,
) -> list[str]:
    """Every violation of the plan against case, eligibility and policies (empty = valid).

    ``policies`` is a model spec's ``policies`` section. ``waived`` policy
    instances (a relaxed plan's, e.g. ``("village_cap", "V003")``) are not
    reported; budgets, eligibility and indivisibility are never waived.
    ``grants`` are the household measure rows, checked against ``households``
    (eligibility by class; ``verify`` re-checks it with the scalar evaluator).
    """
    rows = list(allocations)
    grant_ledger = HouseholdLedger.of(grants)
    view = PlanView(case, eligible, Ledger.of(rows), policies, households, grant_ledger)
    violations = check_rows(case, rows)
    if grants:
        violations += check_grant_rows(case, grants)
        violations += check_grant_costs(case, grant_ledger)
        violations += check_quotas(case, grant_ledger)
        if eligibility and households is not None:
            violations += check_grant_eligibility(case, households, grant_ledger)
    if eligibility:
        violations += check_eligibility(view)
    violations += check_budgets(view)
    violations += check_costs(view)
    skip = set(waived)
    for policy, config in active(policies):
        violations += policy.check(config, view, skip)
    return violations
