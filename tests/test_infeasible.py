"""Planted conflicts: named with amounts, exit 3, and --relax gives a labelled plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator import allocate, load_case, load_ruleset, load_spec, rule_schema
from allocator.audit.check import check_plan
from allocator.cli import app
from allocator.errors import InfeasibleError
from tests.conftest import BASELINE, DEFAULT_SPEC, TINY


def spec_file(tmp_path: Path, policies: str) -> Path:
    head = DEFAULT_SPEC.read_text(encoding="utf-8").partition("policies:")[0]
    path = tmp_path / "spec.yaml"
    path.write_text(head + "policies:\n" + policies + "solver:\n  mip_gap: 0\n", encoding="utf-8")
    return path


def solve(spec: Path, relax: bool = False):  # type: ignore[no-untyped-def]
    case = load_case(TINY)
    return allocate(
        case, load_ruleset(BASELINE, rule_schema(case.meta)), load_spec(spec), relax=relax
    )


def test_floor_beyond_eligible_money_is_named_with_amounts(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "  poor_village_floor: {min_amount: 700000}\n")
    with pytest.raises(InfeasibleError) as info:
        solve(spec)
    text = " | ".join(info.value.conflicts)
    # V1, V2, V5 are poor; V5's library is capped at what it has (P10 + P12 = 340,000).
    assert (
        "the floor of 700,000 yuan for each of 3 poor villages needs 1,740,000 yuan but the "
        "funds eligible for them hold 1,600,000 yuan"
    ) in text


def test_must_fund_category_without_fund(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, "  must_fund_categories: [relocation]\n")
    with pytest.raises(InfeasibleError) as info:
        solve(spec)
    assert "have no eligible fund" in info.value.message and "P11" in info.value.message


def test_floor_against_cap(tmp_path: Path) -> None:
    spec = spec_file(
        tmp_path,
        "  poor_village_floor: {min_amount: 500000}\n  village_cap: {max_amount: 450000}\n",
    )
    with pytest.raises(InfeasibleError) as info:
        solve(spec)
    text = " | ".join(info.value.conflicts)
    assert "policies.poor_village_floor + policies.village_cap" in text
    assert "V1 (needs 500,000 yuan)" in text and "V2 (needs 500,000 yuan)" in text


SHARE_VS_CAP = (
    "  divisible_min_share: 0.25\n"
    "  poor_village_floor: {min_projects: 1}\n"
    "  village_cap: {max_amount: 100000}\n"
    "  category_shares:\n"
    "    - {category: industry, min_share: 0.9, fund_kinds: [poverty_special]}\n"
)


def test_share_contradicting_cap_is_found_by_elastic_relaxation(tmp_path: Path) -> None:
    # With a 100,000 cap, industry (P02, P06) can take at most 200,000 of F1, so F1 may
    # spend at most 22,222 elsewhere; V5's floor needs 25,000 of P12 (25% minimum).
    spec = spec_file(tmp_path, SHARE_VS_CAP)
    with pytest.raises(InfeasibleError) as info:
        solve(spec)
    assert len(info.value.conflicts) == 1
    conflict = info.value.conflicts[0]
    assert "category_shares[0]" in conflict or "V5" in conflict, conflict


def test_relax_writes_the_best_plan_violating_the_fewest(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, SHARE_VS_CAP)
    plan = solve(spec, relax=True)
    assert len(plan.violated) == 1
    relaxed_keys = (
        {("category_min_share", "0")}
        if "category_shares" in str(plan.violated[0])
        else {("floor_projects", "V5")}
    )
    assert (
        check_plan(
            plan.case,
            plan.eligibility.eligible,
            plan.spec.spec.policies,
            plan.allocations,
            relaxed_keys,
        )
        == []
    )
    assert check_plan(
        plan.case, plan.eligibility.eligible, plan.spec.spec.policies, plan.allocations
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", str(TINY), "--model", str(spec), "--out", str(out), "--relax"]
    )
    assert result.exit_code == 0, result.output
    assert "RELAXED PLAN" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["relaxed"] is True and len(summary["relaxed_policies"]) == 1


def test_cli_exits_3_naming_the_conflict(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, SHARE_VS_CAP)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(TINY), "--model", str(spec), "--out", str(out)])
    assert result.exit_code == 3
    assert "--relax" in result.output and not out.exists()
