"""A region: county envelopes of the region's funds by decomposition, then county plans.

Checked against brute force on the tiny region: every split of the region's
fund in 50,000-yuan steps, each county solved alone inside its share. (Merging
the counties into one case is no reference: nothing in a case ties a county's
own funds to its own projects, so the merged model lets them pay across.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from allocator import allocate, load_case, load_ruleset, load_spec, rule_schema
from allocator.app.region import run_region
from allocator.cli import app
from allocator.io.region import load_region, with_region_funds
from tests.conftest import BASELINE, ROOT, read_csv
from tests.region_single import same_outputs

REGION = ROOT / "cases" / "tiny_region"
PLAIN = ROOT / "models" / "plain.yaml"


def _best_split(step: int) -> tuple[float, int]:
    """The best value over splits of R1 between the counties in ``step`` yuan: each
    county solved alone inside its share (a brute-force reference, tiny cases only)."""
    region = load_region(REGION)
    budget = region.funds[0].budget
    spec = load_spec(PLAIN)
    values: dict[tuple[str, int], float] = {}
    for name, folder in region.counties:
        for amount in range(0, budget + 1, step):
            case = with_region_funds(load_case(folder), region, {"R1": amount})
            plan = allocate(case, load_ruleset(BASELINE, rule_schema(case.meta)), spec)
            values[(name, amount)] = plan.objective
    return max(
        (values[("east", a)] + values[("west", budget - a)], budget - a)
        for a in range(0, budget + 1, step)
    )


def test_the_decomposition_finds_the_best_split(tmp_path: Path) -> None:
    best, west_share = _best_split(50_000)
    result = run_region(REGION, tmp_path / "out", model=PLAIN, gap=1e-3)
    assert result.value >= best * (1 - 1e-3)
    assert result.bound >= best * (1 - 1e-9)  # a certified bound: no split does better
    # Four indivisible projects a county: the Lagrangian bound cannot come within
    # 0.1% here (a duality gap), and the run says so rather than claiming it.
    assert result.gap == (result.bound - result.value) / result.bound
    assert result.summary["status"] == ("within_gap" if result.gap <= 1e-3 else "gap_not_reached")
    # West has less of its own money: it gets more of the region's, as the best split does.
    assert result.envelopes["west"]["R1"] > result.envelopes["east"]["R1"]
    assert west_share > 300_000


def test_region_outputs_hold_every_budget_in_whole_yuan(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_region(REGION, out)
    region = load_region(REGION)
    envelopes = read_csv(out / "envelopes.csv")
    assert list(envelopes[0]) == ["fund_id", "county", "amount"]
    for fund in region.funds:
        given = sum(int(r["amount"]) for r in envelopes if r["fund_id"] == fund.fund_id)
        assert given <= fund.budget
        for county in ("east", "west"):
            paid = sum(
                int(r["amount"])
                for r in read_csv(out / county / "allocations.csv")
                if r["fund_id"] == fund.fund_id
            )
            envelope = next(
                int(r["amount"])
                for r in envelopes
                if r["fund_id"] == fund.fund_id and r["county"] == county
            )
            assert paid <= envelope
    summary = json.loads((out / "summary.json").read_text())
    assert summary["gap"] == result.gap and summary["rounds"] >= 1
    assert summary["funds"]["R1"]["allocated"] <= summary["funds"]["R1"]["budget"]
    assert (out / "east" / "summary.json").is_file()
    # Beside it, the factor formula's envelopes (models/factor.yaml's weights), solved alike.
    compared = read_csv(out / "compare_factor.csv")
    assert [r["county"] for r in compared] == ["east", "west"]
    assert sum(int(r["envelope_factor"]) for r in compared) == region.funds[0].budget
    assert {"value_gained", "poor_households_gained"} <= set(compared[0])
    assert summary["factor_envelopes"]["objective"] > 0


def test_the_same_region_gives_the_same_bytes(tmp_path: Path) -> None:
    run_region(REGION, tmp_path / "a")
    run_region(REGION, tmp_path / "b")
    same_outputs(tmp_path / "a", tmp_path / "b")


def test_allocator_run_recognises_a_region(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(REGION), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "R1" in result.output and "west" in result.output
    assert (tmp_path / "out" / "envelopes.csv").is_file()


def test_a_generated_region_of_five_counties_is_within_the_gap(tmp_path: Path) -> None:
    from allocator.app.generate import generate_region, write_region

    folder = write_region(generate_region(5, 1), tmp_path / "region")
    result = run_region(folder, tmp_path / "out", gap=1e-3)
    assert result.summary["status"] == "within_gap" and result.gap <= 1e-3
    region = load_region(folder)
    for fund in region.funds:
        assert sum(result.envelopes[c][fund.fund_id] for c in result.envelopes) <= fund.budget
    for name, plan in result.plans.items():
        assert plan.status == "optimal", name


def test_workers_keep_their_counties_and_give_the_same_bytes(tmp_path: Path) -> None:
    from allocator.app.generate import generate_region, write_region

    folder = write_region(generate_region(3, 2), tmp_path / "region")
    run_region(folder, tmp_path / "one", jobs=1)
    run_region(folder, tmp_path / "two", jobs=2)
    same_outputs(tmp_path / "one", tmp_path / "two")


def test_the_decomposition_agrees_with_the_single_model(tmp_path: Path) -> None:
    """Three generated counties, one MIP of them all (tests/region_single.py) as reference."""
    from allocator.app.generate import generate_region, write_region
    from tests.region_single import single_model

    folder = write_region(generate_region(3, 3), tmp_path / "region")
    case_dir, rules = single_model(folder, tmp_path / "single")
    single = load_case(case_dir)
    best = allocate(single, load_ruleset(rules, rule_schema(single.meta)), load_spec(PLAIN))
    assert best.status.value == "optimal"
    result = run_region(folder, tmp_path / "out", model=PLAIN, gap=1e-3)
    assert result.summary["status"] == "within_gap"
    assert result.value >= best.objective * (1 - 1e-3)
    assert result.bound >= best.objective * (1 - 1e-6)


def test_a_regions_scores_move_money_toward_counties_that_perform(tmp_path: Path) -> None:
    plain = run_region(REGION, tmp_path / "plain")
    scored = tmp_path / "scored"
    shutil.copytree(REGION, scored)
    (scored / "scores.csv").write_text("county,score\neast,95\nwest,20\n", encoding="utf-8")
    result = run_region(scored, tmp_path / "out")
    assert result.envelopes["east"]["R1"] > plain.envelopes["east"]["R1"]
    counties = result.summary["counties"]
    assert counties["east"]["performance_factor"] == 1.2  # the default spec's bands
    assert counties["west"]["performance_factor"] == 0.8
    (scored / "scores.csv").write_text("county,score\nnorth,95\n", encoding="utf-8")
    code = CliRunner().invoke(app, ["run", str(scored), "--out", str(tmp_path / "x")])
    assert code.exit_code == 2
    assert "scores.csv, row 2, column 'county': unknown county 'north'" in code.output


def test_a_county_may_name_its_own_spec(tmp_path: Path) -> None:
    folder = tmp_path / "region"
    shutil.copytree(REGION, folder)
    shutil.copy(ROOT / "models" / "plain.yaml", folder / "west" / "model.yaml")
    result = run_region(folder, tmp_path / "out")
    west = json.loads((tmp_path / "out" / "west" / "summary.json").read_text())
    east = json.loads((tmp_path / "out" / "east" / "summary.json").read_text())
    assert west["inputs"]["model_spec"]["id"] == "plain"
    assert east["inputs"]["model_spec"]["id"] == "default"
    assert result.summary["status"] in ("within_gap", "gap_not_reached")


def test_a_local_worker_killed_is_replaced_with_the_same_answers() -> None:
    import os
    import signal

    import numpy as np

    from allocator.app.counties import Counties, CountyPool

    spec = ROOT / "models" / "default.yaml"
    names = ["east", "west"]
    prices = np.array([0.5])
    expected = [a.proposal.value for a in Counties(REGION, BASELINE, spec, names).price(prices, 60)]
    pool = CountyPool(REGION, BASELINE, spec, names, jobs=2)
    try:
        os.kill(pool.processes[0].pid, signal.SIGKILL)
        pool.processes[0].join(timeout=10)
        answers = [a.proposal.value for a in pool.price(prices, 60)]
    finally:
        pool.close()
    assert answers == expected
