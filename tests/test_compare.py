"""`allocator compare`: scenarios against a baseline, input differences, parallel runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator import load_case, load_ruleset, load_spec, rule_schema
from allocator.app.compare import Scenario, compare, parse_scenario
from allocator.cli import app
from allocator.errors import InputError
from tests.conftest import BASELINE, DEFAULT_SPEC, ROOT, TINY, VARIANT, read_csv

runner = CliRunner()
COUNTY = ROOT / "cases" / "county"


def test_first_scenario_equals_a_plain_run_byte_for_byte(tmp_path: Path) -> None:
    assert runner.invoke(app, ["run", str(TINY), "--out", str(tmp_path / "plain")]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "compare",
            str(TINY),
            "-s",
            f"base={BASELINE},{DEFAULT_SPEC}",
            "-s",
            f"alt={VARIANT}",
            "--out",
            str(tmp_path / "cmp"),
        ],
    )
    assert result.exit_code == 0, result.output
    scenario = tmp_path / "cmp" / "scenarios" / "base"
    for path in (tmp_path / "plain").iterdir():
        if path.name != "timings.json":
            assert (scenario / path.name).read_bytes() == path.read_bytes(), path.name
    assert "What-if" in result.output and "report.md" in result.output


def test_variant_on_county_reports_rules_money_and_projects(tmp_path: Path) -> None:
    spec = tmp_path / "capped.yaml"
    spec.write_text(
        DEFAULT_SPEC.read_text(encoding="utf-8").replace(
            "  divisible_min_share: 0.25\n",
            "  divisible_min_share: 0.25\n  village_cap: {max_amount: 4000000}\n",
        ),
        encoding="utf-8",
    )
    overview = compare(
        COUNTY,
        [
            Scenario("base", None, None),
            Scenario("exit5", VARIANT, None),
            Scenario("capped", None, spec),
        ],
        tmp_path / "cmp",
        jobs=2,
    )
    rows = {o["scenario"]: o for o in overview["scenarios"]}
    assert rows["base"]["projects_gained"] == rows["base"]["projects_lost"] == 0
    assert rows["exit5"]["rules_changed"] == 2 and rows["exit5"]["spec_parameters_changed"] == 0
    assert rows["capped"]["rules_changed"] == 0 and rows["capped"]["spec_parameters_changed"] == 1
    out = tmp_path / "cmp"
    rules = read_csv(out / "compare_rules.csv")
    assert {(r["rule_id"], r["change"]) for r in rules} == {
        ("POV-INCOME-CEILING", "added"),
        ("POV-TARGET", "changed"),
    }
    spec_rows = read_csv(out / "compare_spec.csv")
    assert spec_rows == [
        {
            "scenario": "capped",
            "parameter": "policies.village_cap.max_amount",
            "base": "null",
            "value": "4000000",
        }
    ]
    # Money is conserved: per-village changes of a scenario add up to its change in total.
    villages = read_csv(out / "compare_villages.csv")
    total_change = sum(int(v["change_capped"]) for v in villages)
    assert total_change == rows["capped"]["allocated"] - rows["base"]["allocated"]
    projects = read_csv(out / "compare_projects.csv")
    capped_lost = [p for p in projects if p["scenario"] == "capped" and p["kind"] == "lost"]
    assert len(capped_lost) == rows["capped"]["projects_lost"] > 0
    capped = json.loads((out / "scenarios" / "capped" / "summary.json").read_text())
    assert capped["status"] == "optimal"
    for v in read_csv(out / "scenarios" / "capped" / "villages.csv"):
        assert int(v["allocated"]) <= 4_000_000
    assert "## What differs in the inputs" in (out / "report.md").read_text(encoding="utf-8")


def test_parallel_and_serial_runs_agree(tmp_path: Path) -> None:
    scenarios = [Scenario("a", None, None), Scenario("b", VARIANT, None)]
    compare(TINY, scenarios, tmp_path / "serial", jobs=1)
    compare(TINY, scenarios, tmp_path / "parallel", jobs=2)
    for path in sorted((tmp_path / "serial").rglob("*")):
        if path.is_file() and path.name != "timings.json":
            twin = tmp_path / "parallel" / path.relative_to(tmp_path / "serial")
            assert twin.read_bytes() == path.read_bytes(), path


def test_scenario_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="name=RULES"):
        parse_scenario("no-equals-sign")
    with pytest.raises(InputError, match="at least two"):
        compare(TINY, [Scenario("a", None, None)], tmp_path / "x")
    with pytest.raises(InputError, match="unique"):
        compare(TINY, [Scenario("a", None, None), Scenario("a", None, None)], tmp_path / "x")
    result = runner.invoke(
        app,
        [
            "compare",
            str(TINY),
            "-s",
            "a=",
            "-s",
            f"b={tmp_path / 'missing.yaml'}",
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 2 and "missing.yaml" in result.output
    assert not (tmp_path / "c").exists()


def test_compare_reads_plans_written_by_earlier_versions(tmp_path: Path) -> None:
    """A plan folder of the pre-restructuring version (no policy figures) compares
    against a new one."""
    from allocator.app.compare import comparison_files, read_plan
    from allocator.app.defaults import DEFAULT_MODEL, DEFAULT_RULES
    from allocator.cli import app as cli_app

    old = Path(__file__).parent / "data" / "plan_v0_tiny"
    new = tmp_path / "new"
    assert CliRunner().invoke(cli_app, ["run", str(TINY), "--out", str(new), "-q"]).exit_code == 0
    case = load_case(TINY)
    ruleset = load_ruleset(DEFAULT_RULES, rule_schema(case.meta))
    spec = load_spec(DEFAULT_MODEL).spec.model_dump(mode="json")
    files = comparison_files(
        case, [read_plan("old", old), read_plan("new", new)], [(ruleset, spec), (ruleset, spec)]
    )
    overview = json.loads(files["comparison.json"])
    assert [o["projects_gained"] + o["projects_lost"] for o in overview["scenarios"]] == [0, 0]
    assert "compare_policies.csv" in files
