"""A need two projects address counts its households once (issue 9), worked by hand.

One village lists drinking_water for 100 households. Project A (100,000 yuan)
records 60 households, 30 poor; its alternative B (80,000) records 90, 40 poor;
C, a road (80,000), 55 households, 20 poor. One fund of 180,000 pays for all.
Values under models/plain.yaml (household weight 1, poor weight 2, drinking
water priority 1.5, road need weight 1.2, no score: factor 1):

    A = 1.5 x (60 + 2 x 30) = 180     B = 1.5 x (90 + 2 x 40) = 255
    C = 1.2 x (55 + 2 x 20) = 114
    A and B together reach min(100, 150) = 100 households, 50 fewer than
    their sum, and min(100, 70) = 70 poor ones, none fewer: -1.5 x 50 = -75.

    A + B = 180 + 255 - 75 = 360 (180,000 yuan)
    B + C = 255 + 114     = 369 (160,000 yuan)   <- the optimum
    A + C = 180 + 114     = 294 (180,000 yuan)

Counting A's and B's households twice would make A + B worth 435 and fund it.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from allocator import allocate, load_case, load_ruleset, load_spec, rule_schema
from allocator.need_overlap import need_overlaps
from allocator.report.tables import plan_value, project_outcomes, summary, unmet_needs
from allocator.status import SolveStatus
from allocator.valuation import project_values
from tests.conftest import BASELINE, ROOT, write_csv

PLAIN = ROOT / "models" / "plain.yaml"


def _case(folder: Path, budget: int = 180_000) -> Path:
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: One shared need\nyear: 2026\ncurrency: CNY\n", encoding="utf-8"
    )
    write_csv(
        folder / "villages.csv",
        [
            "village_id", "name", "township", "population", "households", "poor_households",
            "poor_population", "poverty_rate", "per_capita_income", "poor_village", "exit_year",
            "terrain", "migrant_village",
        ],
        [["V1", "Shanxia", "North", 800, 200, 60, 200, 25.0, 5000, "true", 2027, "plain", "false"]],
    )  # fmt: skip
    write_csv(
        folder / "projects.csv",
        ["project_id", "village_id", "name", "category", "cost", "households",
         "poor_households", "divisible"],
        [
            ["A", "V1", "Shanxia piped water", "drinking_water", 100_000, 60, 30, "false"],
            ["B", "V1", "Shanxia water tower (alt)", "drinking_water", 80_000, 90, 40, "false"],
            ["C", "V1", "Shanxia hardened road", "road", 80_000, 55, 20, "false"],
        ],
    )  # fmt: skip
    write_csv(folder / "scores.csv", ["village_id", "score"], [])
    write_csv(
        folder / "needs.csv",
        ["village_id", "need", "households"],
        [["V1", "drinking_water", 100], ["V1", "road", 55]],
    )
    write_csv(
        folder / "funds.csv",
        ["fund_id", "name", "kind", "level", "budget", "categories"],
        [["F1", "Central special poverty fund", "poverty_special", "central", budget,
          "drinking_water;road"]],
    )  # fmt: skip
    return folder


def _plan(folder: Path):  # type: ignore[no-untyped-def]
    case = load_case(folder)
    return allocate(case, load_ruleset(BASELINE, rule_schema(case.meta)), load_spec(PLAIN))


def test_the_overlap_is_the_households_two_projects_would_count_twice(tmp_path: Path) -> None:
    case = load_case(_case(tmp_path / "case"))
    overlaps = need_overlaps(
        case, load_spec(PLAIN).spec.objective, project_values(case, load_spec(PLAIN).spec.objective)
    )
    assert [(o.members, o.households, o.poor_households) for o in overlaps] == [
        (((0,), (1,)), -50, 0)
    ]
    assert overlaps[0].value == pytest.approx(-75.0)


def test_the_plan_funds_what_reaches_most_households_counted_once(tmp_path: Path) -> None:
    plan = _plan(_case(tmp_path / "case"))
    assert plan.status == SolveStatus.OPTIMAL
    ids = {plan.case.projects[p].project_id: a for p, a in plan.project_totals().items()}
    assert ids == {"B": 80_000, "C": 80_000}
    assert plan_value(plan) == pytest.approx(369.0)
    assert plan.objective == pytest.approx(369.0, rel=1e-6)


def test_both_alternatives_funded_reach_the_listed_households_once(tmp_path: Path) -> None:
    """With money for all three, A adds only 10 households (and its 30 poor ones):
    180 + 255 - 75 + 114 = 474, and the summary counts 100 + 55 households."""
    plan = _plan(_case(tmp_path / "case", budget=260_000))
    assert {plan.case.projects[p].project_id for p in plan.project_totals()} == {"A", "B", "C"}
    assert plan_value(plan) == pytest.approx(474.0)
    outcomes = project_outcomes(plan)
    figures = summary(plan, outcomes, unmet_needs(plan, outcomes))
    assert figures["totals"]["households_reached"] == 155
    assert (
        figures["totals"]["poor_households_reached"] == 30 + 40 + 20
    )  # 70 <= 100: none counted twice


def test_an_alternative_left_out_says_its_need_is_already_met(tmp_path: Path) -> None:
    plan = _plan(_case(tmp_path / "case"))
    outcome = project_outcomes(plan)[0]  # A
    assert outcome.status == "unfunded"
    assert outcome.reason == "need_covered"
    assert "already met in part by B" in outcome.detail
    assert "would add 10 of its 60 households (30 of its 30 poor ones)" in outcome.detail


@pytest.mark.parametrize("counts", [(60, 50, 40), (100, 30, 80, 20), (5, 5, 5)])
def test_the_terms_add_up_to_the_capped_count_for_every_set_funded(
    tmp_path: Path, counts: tuple[int, ...]
) -> None:
    """Inclusion and exclusion: for each set of a need's projects funded, their own
    counts plus every overlap among them equal min(listed, their sum)."""
    folder = _case(tmp_path / "case")
    listed = 100
    write_csv(
        folder / "projects.csv",
        ["project_id", "village_id", "name", "category", "cost", "households",
         "poor_households", "divisible"],
        [[f"P{i}", "V1", f"water {i}", "drinking_water", 10_000, h, 0, "false"]
         for i, h in enumerate(counts)],
    )  # fmt: skip
    case = load_case(folder)
    objective = load_spec(PLAIN).spec.objective
    values = project_values(case, objective)
    overlaps = need_overlaps(case, objective, values)
    for size in range(len(counts) + 1):
        for funded in itertools.combinations(range(len(counts)), size):
            shares = {p: 1.0 for p in funded}
            own = sum(values[p].households_counted for p in funded)
            reached = own + sum(o.households * o.share(shares) for o in overlaps)
            assert reached == min(listed, sum(min(counts[p], listed) for p in funded))


def test_over_several_years_the_overlap_is_weighed_at_the_later_start(tmp_path: Path) -> None:
    """tiny_years with year weights 1.0, 0.9, 0.8 and an alternative for V2's water:
    whatever the two start years, the terms take back the overlap at the later one's
    weight (the households were first reached by the earlier start)."""
    from allocator.io.horizon import unroll

    folder = tmp_path / "years"
    shutil.copytree(ROOT / "cases" / "tiny_years", folder)
    with open(folder / "projects.csv", "a", encoding="utf-8") as handle:
        handle.write("P5,V2,Xiahe water tower (alt),drinking_water,120000,50,25,false,1,,,false\n")
    spec = load_spec(PLAIN).spec
    objective = spec.objective.model_copy(update={"year_weights": [1.0, 0.9, 0.8]})
    case = unroll(load_case(folder), 1, objective.year_weights)
    values = project_values(case, objective)
    overlaps = need_overlaps(case, objective, values)
    timing = case.timing
    assert timing is not None
    starts = timing.starts
    originals = [p.project_id for p in timing.original.projects]
    water = [originals.index("P2"), originals.index("P5")]
    weight = {2026: 1.0, 2027: 0.9, 2028: 0.8}
    # 60 + 50 households for 60 listed: 50 counted twice; 30 + 25 poor for 60: none.
    factor = 1.5  # drinking water priority; V2 does not exit in 2026
    for year_a, year_b in itertools.product(starts[water[0]], starts[water[1]]):
        shares = {starts[water[0]][year_a][0]: 1.0, starts[water[1]][year_b][0]: 1.0}
        taken = sum(o.value * o.share(shares) for o in overlaps)
        assert taken == pytest.approx(-factor * 50 * weight[max(year_a, year_b)])


def test_a_need_with_more_projects_than_can_be_counted_once_is_refused_at_its_row(
    tmp_path: Path,
) -> None:
    from allocator.errors import InputError
    from allocator.io.case import MAX_PROJECTS_PER_NEED

    folder = _case(tmp_path / "case")
    write_csv(
        folder / "projects.csv",
        ["project_id", "village_id", "name", "category", "cost", "households",
         "poor_households", "divisible"],
        [[f"P{i}", "V1", f"water {i}", "drinking_water", 10_000, 20, 0, "false"]
         for i in range(MAX_PROJECTS_PER_NEED + 1)],
    )  # fmt: skip
    with pytest.raises(InputError) as info:
        load_case(folder)
    assert info.value.location is not None
    assert info.value.location.field == "category"
    assert str(info.value.location).startswith(str(folder / "projects.csv"))
    assert info.value.location.line == MAX_PROJECTS_PER_NEED + 2  # header, then rows from 2
    assert "more than 8 projects address need 'drinking_water' of village V1" in str(info.value)


def test_the_factor_method_takes_an_alternative_by_what_it_adds(tmp_path: Path) -> None:
    """By value per yuan B (255 for 80,000) comes first, then A (180 for 100,000), then
    C (114 for 80,000). Once B is funded A adds only 180 - 75 = 105, less per yuan
    than C: a careful bureau funds B and C, as the optimizer does, not A and B."""
    folder = _case(tmp_path / "case")
    case = load_case(folder)
    plan = allocate(
        case,
        load_ruleset(BASELINE, rule_schema(case.meta)),
        load_spec(ROOT / "models" / "factor.yaml"),
    )
    assert plan.status == SolveStatus.HEURISTIC
    assert {plan.case.projects[p].project_id for p in plan.project_totals()} == {"B", "C"}
    assert plan.objective == pytest.approx(369.0)


def _greedy(folder: Path) -> tuple[dict[str, float], float | None, list[float]]:
    """The greedy warm start on a case: each project's share, the start's value as HiGHS
    would score it (None if infeasible), and its overlap columns."""
    from allocator.optimize.model import build_model
    from allocator.optimize.solve import compile_model, start_value
    from allocator.optimize.warmstart import greedy_start
    from allocator.rules.eligibility import evaluate_eligibility

    case = load_case(folder)
    spec = load_spec(PLAIN).spec
    eligibility = evaluate_eligibility(case, load_ruleset(BASELINE, rule_schema(case.meta)))
    values = project_values(case, spec.objective)
    am = build_model(case, eligibility, values, spec)
    compiled = compile_model(am)
    start = greedy_start(case, am, compiled, values, spec)
    value = start_value(start)
    shares = {case.projects[p].project_id: start[am.model.s[p]] for p in am.modelled}
    return shares, value, [start[t] for t, _ in am.overlap_terms]


def test_the_greedy_start_takes_an_alternative_by_what_it_adds(tmp_path: Path) -> None:
    shares, value, overlap_columns = _greedy(_case(tmp_path / "case"))
    assert shares == {"A": 0.0, "B": 1.0, "C": 1.0}
    assert value == pytest.approx(369.0, rel=1e-6)
    assert overlap_columns == [0.0]


def test_a_start_funding_both_alternatives_sets_their_overlap_and_stays_feasible(
    tmp_path: Path,
) -> None:
    shares, value, overlap_columns = _greedy(_case(tmp_path / "case", budget=260_000))
    assert shares == {"A": 1.0, "B": 1.0, "C": 1.0}
    assert overlap_columns == [1.0]
    assert value == pytest.approx(474.0, rel=1e-6)
