"""The matching-funds policy: hand-worked optimum, conflicts, verify, explain, compare."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from allocator import allocate, load_case, load_ruleset, load_spec, rule_schema
from allocator.cli import app
from allocator.errors import SpecError
from allocator.status import SolveStatus
from tests.conftest import BASELINE, ROOT, TINY, read_csv, write_csv

CASE = ROOT / "cases" / "tiny_matching"
SPEC = ROOT / "models" / "matching.yaml"
runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def spec_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SPEC.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "spec.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_hand_worked_optimum_with_local_matching() -> None:
    expected = yaml.safe_load((CASE / "expected.yaml").read_text(encoding="utf-8"))
    case = load_case(CASE)
    plan = allocate(case, load_ruleset(BASELINE, rule_schema(case.meta)), load_spec(SPEC))
    assert plan.status == SolveStatus.OPTIMAL
    assert plan.objective == pytest.approx(expected["objective"], rel=1e-7)
    amounts = {case.projects[p].project_id: v for p, v in plan.project_totals().items()}
    assert amounts == expected["project_amounts"]
    funds = {case.funds[f].fund_id: v for f, v in plan.fund_totals().items()}
    assert funds == expected["fund_allocated"]
    # Every project with central money gets at least 20% of it from the county, to within
    # the whole-yuan rounding tolerance of a yuan per allocation row (P12: 4,166 of 4,166.8).
    by_project: dict[str, dict[str, int]] = {}
    for a in plan.allocations:
        by_project.setdefault(case.projects[a.project].project_id, {})[
            case.funds[a.fund].fund_id
        ] = a.amount
    central = {p: pays for p, pays in by_project.items() if "F1" in pays}
    assert set(central) == {"P02", "P03", "P12"}
    for pays in central.values():
        assert 5 * (pays.get("F4", 0) + len(pays)) >= pays["F1"]
    assert by_project["P03"] == {"F1": 416_666, "F4": 83_334}  # the odd yuan goes to the match


def test_without_matching_the_same_case_funds_more_central_money(tmp_path: Path) -> None:
    spec = spec_variant(tmp_path, "min_ratio: 0.2", "min_ratio: 0.0001")
    case = load_case(CASE)
    plan = allocate(case, load_ruleset(BASELINE, rule_schema(case.meta)), load_spec(spec))
    central = plan.fund_totals()[case.fund_index()["F1"]]
    assert central > 750_000


def test_a_conflict_the_solver_finds_exits_3_naming_matching(tmp_path: Path) -> None:
    # Industry must be funded (P02 and P06: 700,000 yuan), but only city money may match
    # central money and there is none; the county fund alone holds 150,000.
    spec = spec_variant(
        tmp_path, "      match_levels: [city, county]", "      match_levels: [city]"
    )
    text = spec.read_text(encoding="utf-8").replace(
        "  matching:", "  must_fund_categories: [industry]\n  matching:"
    )
    spec.write_text(text, encoding="utf-8")
    code, output = cli("run", str(CASE), "--model", str(spec), "--out", str(tmp_path / "o"))
    assert code == 3, output
    assert "policies.matching[0]" in output and "P02" in output
    assert not (tmp_path / "o").exists()


def test_a_conflict_arithmetic_proves_is_refused_before_solving(tmp_path: Path) -> None:
    # In the plain tiny case only F1 (central) may pay P12: with matching required and
    # no county fund, a must-fund P12 is impossible.
    spec = spec_variant(
        tmp_path, "  matching:", "  must_fund_categories: [skills_training]\n  matching:"
    )
    code, output = cli("check", str(TINY), "--model", str(spec))
    assert code == 3, output
    assert "policies.matching[0] + policies.must_fund_categories" in output and "P12" in output


def test_verify_catches_a_plan_that_breaks_matching(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert cli("run", str(CASE), "--model", str(SPEC), "--out", str(out), "-q")[0] == 0
    assert cli("verify", str(CASE), str(out), "--model", str(SPEC))[0] == 0
    rows = read_csv(out / "allocations.csv")
    edited = []
    for row in rows:
        if row["project_id"] == "P03" and row["fund_id"] == "F4":
            continue  # drop the county's share of the road ...
        if row["project_id"] == "P03" and row["fund_id"] == "F1":
            row = {**row, "amount": "500000"}  # ... and let central money pay it all
        edited.append(row)
    write_csv(out / "allocations.csv", list(rows[0]), [list(r.values()) for r in edited])
    code, output = cli("verify", str(CASE), str(out), "--model", str(SPEC))
    assert code == 1
    assert "P03 gets 500,000 yuan from central poverty_special funds but only 0 yuan" in output
    assert "policies.matching[0]" in output


def test_explain_names_matching_as_why_central_money_is_idle(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert cli("run", str(CASE), "--model", str(SPEC), "--out", str(out), "-q")[0] == 0
    code, output = cli("explain", str(CASE), str(out), "--model", str(SPEC), "--fund", "F1")
    assert code == 0, output
    assert "Why 250,000 yuan stay unused: held_by_policy: policies.matching[0]" in output
    funds = {r["fund_id"]: r for r in read_csv(out / "funds.csv")}
    assert funds["F1"]["idle_reason"] == "held_by_policy"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["policies"]["matching"] == {
        "[0] paid by central poverty_special funds": 750_000,
        "[0] matched by city/county funds": 150_000,
    }


def test_compare_reports_money_moved_by_matching(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    code, output = cli(
        "compare",
        str(CASE),
        "-s",
        "default=",
        "-s",
        f"matching=,{SPEC}",
        "--out",
        str(out),
    )
    assert code == 0, output
    rows = {(r["policy"], r["figure"]): r for r in read_csv(out / "compare_policies.csv")}
    paid = rows[("matching", "[0] paid by central poverty_special funds")]
    assert int(paid["matching"]) == 750_000
    assert "Money moved by policies" in (out / "report.md").read_text(encoding="utf-8")
    spec_rows = read_csv(out / "compare_spec.csv")
    assert any(r["parameter"].startswith("policies.matching") for r in spec_rows)


def test_the_factor_method_refuses_matching(tmp_path: Path) -> None:
    text = (ROOT / "models" / "factor.yaml").read_text(encoding="utf-8")
    text = text.rstrip() + (
        "\n  matching:\n    - {paid_by: {level: central}, match_levels: [county], min_ratio: 0.2}\n"
    )
    path = tmp_path / "factor.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match="does not enforce matching"):
        load_spec(path)


def test_a_rule_naming_no_funds_is_refused(tmp_path: Path) -> None:
    path = spec_variant(tmp_path, "paid_by: {kind: poverty_special, level: central}", "paid_by: {}")
    with pytest.raises(SpecError, match="paid_by needs a kind, a level, or both"):
        load_spec(path)


def test_matching_plans_are_byte_identical_on_rerun(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert (
            cli("run", str(CASE), "--model", str(SPEC), "--out", str(tmp_path / name), "-q")[0] == 0
        )
    for file in ("allocations.csv", "funds.csv", "projects.csv", "summary.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    shutil.rmtree(tmp_path / "a")
