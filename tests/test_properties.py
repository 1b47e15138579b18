"""Property tests: any generated case gives a plan that keeps every invariant.

Invariants are recomputed here from the allocation rows, independently of the
library's own checker: budgets never exceeded, money never on an ineligible
pair, indivisible projects all or nothing, no project above its cost.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from allocator import allocate, rule_schema
from allocator.audit.check import check_plan
from allocator.audit.verify import verify_plan
from allocator.errors import InfeasibleError
from allocator.io.case import Case
from allocator.io.yamlsafe import parse_yaml_text
from allocator.report.output import csv_text
from allocator.report.tables import allocation_rows
from allocator.rules.ruleset import load_ruleset
from allocator.schemas import CaseMeta, Fund, Need, Project, Score, Village
from allocator.spec import LoadedSpec, ModelSpec
from allocator.status import SolveStatus
from tests.conftest import BASELINE

CATEGORIES = ["drinking_water", "road", "industry", "safe_housing", "relocation"]
KINDS = [
    ("poverty_special", "central"),
    ("water", "provincial"),
    ("transport", "county"),
    ("relocation", "central"),
    ("migrant_support", "provincial"),
]
RULES = load_ruleset(BASELINE, rule_schema())


@st.composite
def cases(draw: Any) -> Case:
    n_villages = draw(st.integers(1, 4))
    villages = []
    for i in range(n_villages):
        poor = draw(st.booleans())
        villages.append(
            Village(
                village_id=f"V{i}",
                name=f"v{i}",
                township="t",
                population=500,
                households=100,
                poor_households=draw(st.integers(0, 100)),
                poor_population=50,
                poverty_rate=draw(st.sampled_from([0.5, 4.0, 12.0])),
                per_capita_income=6000,
                poor_village=poor,
                exit_year=draw(st.one_of(st.none(), st.integers(2021, 2028))),
                terrain=draw(st.sampled_from(["plain", "mountain", "hazard"])),
                migrant_village=draw(st.booleans()),
            )
        )
    big = draw(st.booleans())
    projects = []
    for j in range(draw(st.integers(1, 8))):
        households = draw(st.integers(1, 200))
        cost = draw(st.integers(1, 10**9 if big else 2_000_000))
        projects.append(
            Project(
                project_id=f"P{j:02d}",
                village_id=f"V{draw(st.integers(0, n_villages - 1))}",
                name="p",
                category=draw(st.sampled_from(CATEGORIES)),
                cost=cost,
                households=households,
                poor_households=draw(st.integers(0, households)),
                divisible=draw(st.booleans()),
            )
        )
    funds = []
    for k in range(draw(st.integers(1, 3))):
        kind, level = draw(st.sampled_from(KINDS))
        budget = draw(st.one_of(st.just(0), st.integers(0, 3_000_000), st.integers(10**9, 10**11)))
        earmark = tuple(sorted(draw(st.sets(st.sampled_from(CATEGORIES), min_size=1))))
        funds.append(
            Fund(
                fund_id=f"F{k}", name="f", kind=kind, level=level, budget=budget, categories=earmark
            )
        )
    needs = tuple(
        sorted(
            {
                (p.village_id, p.category): Need(
                    village_id=p.village_id, need=p.category, households=draw(st.integers(1, 150))
                )
                for p in projects
                if draw(st.booleans())
            }.values(),
            key=lambda n: (n.village_id, n.need),
        )
    )
    scores = tuple(
        Score(village_id=v.village_id, score=draw(st.sampled_from([40.0, 75.0, 95.0])))
        for v in villages
        if draw(st.booleans())
    )
    return Case(
        folder=Path("generated"),
        meta=CaseMeta(name="g", year=2026),
        villages=tuple(villages),
        needs=needs,
        projects=tuple(projects),
        funds=tuple(funds),
        scores=scores,
    )


@st.composite
def specs(draw: Any) -> LoadedSpec:
    policies: dict[str, Any] = {"divisible_min_share": draw(st.sampled_from([0.0, 0.25, 1.0]))}
    if draw(st.booleans()):
        policies["village_cap"] = {"max_amount": draw(st.integers(0, 3_000_000))}
    if draw(st.booleans()):
        policies["poor_village_floor"] = {
            "min_projects": draw(st.integers(0, 2)),
            "min_amount": draw(st.sampled_from([0, 50_000])),
        }
    if draw(st.booleans()):
        policies["category_shares"] = [
            {"category": "industry", "min_share": 0.3, "fund_kinds": ["poverty_special"]}
        ]
    data = {
        "spec": "p",
        "objective": {"unlisted_need_factor": draw(st.sampled_from([0.0, 0.5]))},
        "policies": policies,
        "solver": {"mip_gap": 0.0, "time_limit": 20},
    }
    spec = ModelSpec.model_validate(data)
    return LoadedSpec(spec, Path("p.yaml"), "", parse_yaml_text("spec: p\n", Path("p.yaml")))


@given(case=cases(), spec=specs())
def test_any_case_gives_a_plan_that_keeps_every_invariant(case: Case, spec: LoadedSpec) -> None:
    try:
        plan = allocate(case, RULES, spec)
    except InfeasibleError:
        # Only a floor can make a case infeasible here (caps, shares and minimum
        # shares all admit the empty plan).
        assert spec.spec.policies.poor_village_floor is not None
        return
    assert plan.status == SolveStatus.OPTIMAL
    by_fund: dict[int, int] = defaultdict(int)
    by_project: dict[int, int] = defaultdict(int)
    for a in plan.allocations:
        assert type(a.amount) is int and a.amount > 0
        assert plan.eligibility.eligible[a.fund, a.project], "money on an ineligible pair"
        by_fund[a.fund] += a.amount
        by_project[a.project] += a.amount
    for f, total in by_fund.items():
        assert total <= case.funds[f].budget, "budget exceeded"
    for p, total in by_project.items():
        project = case.projects[p]
        assert total <= project.cost
        if not project.divisible:
            assert total == project.cost, "indivisible project part-funded"
    assert check_plan(case, plan.eligibility.eligible, spec.spec, plan.allocations) == []
    # And the independent verifier (scalar rules, integer sums, from the CSV) agrees.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "allocations.csv"
        path.write_text(csv_text(*allocation_rows(plan)), encoding="utf-8")
        assert verify_plan(case, RULES, spec.spec, path).violations == []
