"""Independent re-check of a plan in integer arithmetic, before anything is written.

It trusts nothing the solver or the rounding said: it re-adds every amount from
the allocation rows and tests budgets, eligibility, project costs, indivisible
projects, minimum shares, village floors and caps, category shares and
must-fund categories against the case and the spec directly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from allocator.case import Case
from allocator.rounding import Allocation
from allocator.spec import ModelSpec


def _yuan(n: int) -> str:
    return f"{n:,} yuan"


def check_plan(
    case: Case,
    eligible: npt.NDArray[np.bool_],
    spec: ModelSpec,
    allocations: Iterable[Allocation],
    waived: Collection[tuple[str, str]] = (),
    *,
    check_eligibility: bool = True,
) -> list[str]:
    """Every violation of the plan against case, eligibility and spec (empty = valid).

    ``waived`` policy instances (a relaxed plan's, e.g. ``("village_cap", "V003")``)
    are not reported; budgets, eligibility and indivisibility never are waived.
    """
    violations: list[str] = []
    fund_total: dict[int, int] = defaultdict(int)
    project_total: dict[int, int] = defaultdict(int)
    arc_total: dict[tuple[int, int], int] = defaultdict(int)
    for a in allocations:
        project = case.projects[a.project]
        fund = case.funds[a.fund]
        if not isinstance(a.amount, int) or a.amount <= 0:
            violations.append(
                f"{project.project_id}/{fund.fund_id}: amount {a.amount!r} is not "
                "a positive whole number of yuan"
            )
            continue
        if check_eligibility and not eligible[a.fund, a.project]:
            violations.append(
                f"{fund.fund_id} pays {project.project_id} but the pair is not eligible"
            )
        fund_total[a.fund] += a.amount
        project_total[a.project] += a.amount
        arc_total[(a.fund, a.project)] += a.amount

    for f, fund in enumerate(case.funds):
        if fund_total[f] > fund.budget:
            violations.append(
                f"fund {fund.fund_id} allocates {_yuan(fund_total[f])} but its "
                f"budget is {_yuan(fund.budget)}"
            )

    min_share = Fraction(spec.policies.divisible_min_share)
    for p, total in sorted(project_total.items()):
        project = case.projects[p]
        if total > project.cost:
            violations.append(
                f"project {project.project_id} receives {_yuan(total)}, more than "
                f"its cost {_yuan(project.cost)}"
            )
        if not project.divisible and total != project.cost:
            violations.append(
                f"indivisible project {project.project_id} is part-funded: "
                f"{_yuan(total)} of {_yuan(project.cost)}"
            )
        if project.divisible and min_share > 0 and total < math.ceil(min_share * project.cost):
            violations.append(
                f"project {project.project_id} is funded {_yuan(total)}, below "
                f"the minimum share {float(min_share):.0%} of {_yuan(project.cost)}"
            )

    village_of = case.village_index()
    village_total: dict[int, int] = defaultdict(int)
    village_funded: dict[int, int] = defaultdict(int)
    for p, total in project_total.items():
        v = village_of[case.projects[p].village_id]
        village_total[v] += total
        village_funded[v] += 1

    policies = spec.policies
    fundable: npt.NDArray[np.bool_] = np.asarray(eligible.any(axis=0))
    if policies.village_cap is not None:
        cap = policies.village_cap.max_amount
        for v, total in sorted(village_total.items()):
            if total > cap and ("village_cap", case.villages[v].village_id) not in waived:
                violations.append(
                    f"village {case.villages[v].village_id} receives {_yuan(total)}, "
                    f"above the village cap of {_yuan(cap)}"
                )
    if policies.poor_village_floor is not None:
        floor = policies.poor_village_floor
        library: dict[int, list[int]] = defaultdict(list)
        for p, project in enumerate(case.projects):
            if fundable[p]:
                library[village_of[project.village_id]].append(p)
        for v, village in enumerate(case.villages):
            if not village.poor_village:
                continue
            amount = min(floor.min_amount, sum(case.projects[p].cost for p in library[v]))
            count = min(floor.min_projects, len(library[v]))
            if village_total[v] < amount and ("floor_amount", village.village_id) not in waived:
                violations.append(
                    f"poor village {village.village_id} receives "
                    f"{_yuan(village_total[v])}, below its floor of {_yuan(amount)}"
                )
            if (
                village_funded[v] < count
                and (
                    "floor_projects",
                    village.village_id,
                )
                not in waived
            ):
                violations.append(
                    f"poor village {village.village_id} has {village_funded[v]} "
                    f"funded projects, below its floor of {count}"
                )

    for index, share in enumerate(policies.category_shares):
        kinds = set(share.fund_kinds) if share.fund_kinds is not None else None
        total = in_category = arcs = 0
        for (f, p), amount in arc_total.items():
            if kinds is not None and case.funds[f].kind not in kinds:
                continue
            arcs += 1
            total += amount
            if case.projects[p].category == share.category:
                in_category += amount
        # Rounding to whole yuan may move at most a yuan per paid pair.
        slack = arcs
        low, high = Fraction(share.min_share), Fraction(share.max_share)
        scope = "all funds" if kinds is None else "funds of kind " + "/".join(sorted(kinds))
        if in_category + slack < low * total and ("category_min_share", str(index)) not in waived:
            violations.append(
                f"category {share.category} gets {_yuan(in_category)} of "
                f"{_yuan(total)} from {scope}, below the minimum share {float(low):.0%}"
            )
        if in_category - slack > high * total and ("category_max_share", str(index)) not in waived:
            violations.append(
                f"category {share.category} gets {_yuan(in_category)} of "
                f"{_yuan(total)} from {scope}, above the maximum share {float(high):.0%}"
            )

    must = set(policies.must_fund_categories)
    for p, project in enumerate(case.projects):
        if (
            project.category in must
            and fundable[p]
            and project_total.get(p, 0) != project.cost
            and ("must_fund", project.project_id) not in waived
        ):
            violations.append(
                f"project {project.project_id} is in must-fund category "
                f"{project.category} but is not fully funded"
            )
    return violations
