"""Explaining why policies cannot all hold.

Two layers: cheap domain pre-checks in integer yuan that name the policy, the
villages or projects, and the amounts (run before any solve); and, when the
solver still finds the policies infeasible, an elastic relaxation that finds
the fewest policy instances to relax (``model.Relaxation("find")``), whose
violations are worded here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from allocator.case import Case
from allocator.model import PolicyKey, min_selected_share
from allocator.rules.eligibility import Eligibility
from allocator.spec import ModelSpec


@dataclass(frozen=True)
class Conflict:
    """One reason the policies cannot all hold, in words a finance bureau can act on."""

    policy: str  # the spec key, e.g. "policies.poor_village_floor"
    detail: str

    def __str__(self) -> str:
        return f"{self.policy}: {self.detail}"


def _yuan(n: int | float) -> str:
    return f"{round(n):,} yuan"


def _ids(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _least_funding(cost: int, divisible: bool, min_share: float) -> int:
    """The least a project can receive and count as funded."""
    return math.ceil(min_selected_share(cost, min_share) * cost) if divisible else cost


def domain_prechecks(case: Case, eligibility: Eligibility, spec: ModelSpec) -> list[Conflict]:
    """Impossible policies that simple arithmetic proves, before any solve."""
    conflicts: list[Conflict] = []
    policies = spec.policies
    eligible = eligibility.eligible
    fundable = np.asarray(eligible.any(axis=0))
    budgets = [f.budget for f in case.funds]

    def hold(projects: list[int]) -> int:
        funds = (
            set(np.flatnonzero(eligible[:, projects].any(axis=1)).tolist()) if projects else set()
        )
        return sum(budgets[f] for f in funds)

    must = set(policies.must_fund_categories)
    if must:
        stranded = [
            p.project_id
            for i, p in enumerate(case.projects)
            if p.category in must and not fundable[i]
        ]
        if stranded:
            conflicts.append(
                Conflict(
                    "policies.must_fund_categories",
                    f"{len(stranded)} must-fund project(s) have no eligible fund under the "
                    f"earmarks and rules: {_ids(stranded)}",
                )
            )
        wanted = [i for i, p in enumerate(case.projects) if p.category in must and fundable[i]]
        need = sum(case.projects[i].cost for i in wanted)
        available = hold(wanted)
        if need > available:
            conflicts.append(
                Conflict(
                    "policies.must_fund_categories",
                    f"the {len(wanted)} must-fund projects ({', '.join(sorted(must))}) cost "
                    f"{_yuan(need)} but the funds eligible for them hold {_yuan(available)}",
                )
            )

    village_of = case.village_index()
    library: dict[int, list[int]] = defaultdict(list)
    for i, project in enumerate(case.projects):
        if fundable[i]:
            library[village_of[project.village_id]].append(i)
    floor = policies.poor_village_floor
    cap = policies.village_cap.max_amount if policies.village_cap else None
    if floor is not None:
        amounts: dict[int, int] = {}
        short: list[str] = []
        over_cap: list[str] = []
        for v, village in enumerate(case.villages):
            if not village.poor_village:
                continue
            projects = library[v]
            amount = min(floor.min_amount, sum(case.projects[p].cost for p in projects))
            count = min(floor.min_projects, len(projects))
            least = sorted(
                _least_funding(
                    case.projects[p].cost, case.projects[p].divisible, policies.divisible_min_share
                )
                for p in projects
            )
            cheapest = sum(least[:count])
            needed = max(amount, cheapest)
            if needed == 0:
                continue
            amounts[v] = amount
            own = hold(projects)
            if needed > own:
                short.append(
                    f"{village.village_id} (needs {_yuan(needed)}, its funds hold {_yuan(own)})"
                )
            if cap is not None and needed > cap:
                over_cap.append(f"{village.village_id} (needs {_yuan(needed)})")
        if short:
            conflicts.append(
                Conflict(
                    "policies.poor_village_floor",
                    f"{len(short)} poor village(s) cannot reach their floor even with every "
                    f"eligible fund's whole budget: {_ids(short)}",
                )
            )
        if over_cap:
            conflicts.append(
                Conflict(
                    "policies.poor_village_floor + policies.village_cap",
                    f"the floor needs more than the village cap of {_yuan(cap or 0)} in "
                    f"{len(over_cap)} poor village(s): {_ids(over_cap)}",
                )
            )
        need = sum(amounts.values())
        projects = [p for v in amounts for p in library[v]]
        available = hold(projects)
        if floor.min_amount > 0 and need > available:
            conflicts.append(
                Conflict(
                    "policies.poor_village_floor",
                    f"the floor of {_yuan(floor.min_amount)} for each of {len(amounts)} poor "
                    f"villages needs {_yuan(need)} but the funds eligible for them hold "
                    f"{_yuan(available)}",
                )
            )
    if cap is not None and must:
        heavy = []
        for v, projects in library.items():
            forced = sum(
                case.projects[p].cost for p in projects if case.projects[p].category in must
            )
            if forced > cap:
                heavy.append(f"{case.villages[v].village_id} ({_yuan(forced)})")
        if heavy:
            conflicts.append(
                Conflict(
                    "policies.must_fund_categories + policies.village_cap",
                    f"must-fund projects alone exceed the village cap of {_yuan(cap)} in "
                    f"{len(heavy)} village(s): {_ids(heavy)}",
                )
            )
    return conflicts


def describe_violation(
    key: PolicyKey, amount: float, unit: int, case: Case, spec: ModelSpec
) -> Conflict:
    """Words for one violated policy instance (``amount`` in model units)."""
    policy, subject = key
    yuan = amount * unit
    if policy == "floor_amount":
        return Conflict(
            "policies.poor_village_floor.min_amount",
            f"poor village {subject} gets {_yuan(yuan)} less than its floor",
        )
    if policy == "floor_projects":
        return Conflict(
            "policies.poor_village_floor.min_projects",
            f"poor village {subject} gets {round(amount)} funded project(s) fewer than its floor",
        )
    if policy == "village_cap":
        return Conflict(
            "policies.village_cap", f"village {subject} gets {_yuan(yuan)} more than the cap"
        )
    if policy in ("category_min_share", "category_max_share"):
        rule = spec.policies.category_shares[int(subject)]
        side = "below the minimum" if policy == "category_min_share" else "above the maximum"
        return Conflict(
            f"policies.category_shares[{subject}]",
            f"money to {rule.category} is {_yuan(yuan)} {side} share",
        )
    if policy == "must_fund":
        project = case.projects[case.project_index()[subject]]
        return Conflict(
            "policies.must_fund_categories",
            f"project {subject} ({project.category}) is short of {_yuan(amount * project.cost)}",
        )
    return Conflict(policy, f"{subject} violated by {amount:g}")
