"""`allocator explain`: rule-level eligibility evidence, outcomes, needs, funds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import TINY, VARIANT, read_csv

runner = CliRunner()


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "out"
    assert runner.invoke(app, ["run", str(TINY), "--out", str(out)]).exit_code == 0
    return out


def explain(plan_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["explain", str(TINY), str(plan_dir), *args])
    return result.exit_code, result.output


def test_project_names_rules_references_and_deciding_values(plan_dir: Path) -> None:
    code, text = explain(plan_dir, "--project", "P08")
    assert code == 0, text
    assert "funds_too_small" in text and "F3) hold 300,000 yuan" in text
    assert "F1: excluded by rule POV-TARGET" in text and "Cai Nong [2017] No. 8" in text
    assert "village.poor_village=false" in text and "village.exit_year=(empty)" in text
    assert "F2: excluded by the earmark" in text
    assert "F3: eligible (EARMARK, MIGRANT-ONLY); pays nothing" in text


def test_project_that_lost_to_higher_value_projects(plan_dir: Path) -> None:
    code, text = explain(plan_dir, "--project", "P04")
    assert code == 0
    assert "below the price of money in its funds (F1 3.84)" in text


def test_funded_project_shows_who_pays(plan_dir: Path) -> None:
    code, text = explain(plan_dir, "--project", "P09", "--json")
    assert code == 0
    data = json.loads(text)
    assert data["paid"] == {"F3": 200000}
    assert [v["eligible"] for v in data["funds"]] == [False, True, True]
    assert data["funds"][2]["admitted_by"] == ["EARMARK", "MIGRANT-ONLY"]


def test_village_needs_covered_and_unmet(plan_dir: Path) -> None:
    code, text = explain(plan_dir, "--village", "V2")
    assert code == 0
    assert "road (120 households): covered by P03 (F1 500,000 yuan)" in text
    assert "safe_housing (10 households): UNMET" in text


def test_fund_summary(plan_dir: Path) -> None:
    code, text = explain(plan_dir, "--fund", "F1")
    assert code == 0
    assert "budget 1,000,000, allocated 1,000,000, unused 0" in text
    assert "eligible 8" in text and "excluded by POV-TARGET 2" in text  # P08, P09 in V4
    assert "P03: 500,000 yuan" in text


def test_refuses_other_inputs_and_bad_requests(plan_dir: Path) -> None:
    code, text = explain(plan_dir, "--project", "P01", "--rules", str(VARIANT))
    assert code == 2 and "rule set differs" in text
    code, text = explain(plan_dir, "--project", "P99")
    assert code == 2 and "unknown project 'P99'" in text
    code, text = explain(plan_dir, "--project", "P01", "--village", "V1")
    assert code == 2 and "exactly one" in text


def test_idle_central_money_names_the_binding_share_policy(tmp_path: Path) -> None:
    """A 20-village generated case: central poverty money idle next to unmet needs,
    held back by the 30% industry share; explain --fund says so, with its price."""
    from allocator.app.generate import Size, generate_case, write_case

    case = write_case(
        generate_case(Size(villages=20, funds=6, projects_per_village=5.0), 2), tmp_path / "case"
    )
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(case), "--out", str(out), "-q"]).exit_code == 0
    funds = {r["fund_id"]: r for r in read_csv(out / "funds.csv")}
    assert funds["F01"]["kind"] == "poverty_special" and funds["F01"]["level"] == "central"
    assert int(funds["F01"]["unused"]) > 10_000_000
    assert funds["F01"]["idle_reason"] == "held_by_policy"
    result = CliRunner().invoke(app, ["explain", str(case), str(out), "--fund", "F01"])
    assert result.exit_code == 0
    assert "held_by_policy: policies.category_shares[0] (the minimum 30% share of industry" in (
        result.output
    )
    assert "relaxing it by 10,000 yuan would be worth" in result.output
    projects = read_csv(out / "projects.csv")
    assert not any(p["reason"] == "policy_or_gap" for p in projects)
    held = [p for p in projects if p["reason"] == "held_by_policy"]
    assert held and all("policies.category_shares" in p["detail"] for p in held)
    unmet = read_csv(out / "unmet_needs.csv")
    assert any(u["reason"] == "held_by_policy" for u in unmet)
