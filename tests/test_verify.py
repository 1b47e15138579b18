"""`allocator verify`: catches every kind of violation in a hand-edited plan, passes run's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator import load_case, load_ruleset, load_spec, rule_schema
from allocator.audit.verify import verify_plan
from allocator.cli import app
from allocator.rules.eligibility import evaluate_eligibility
from allocator.rules.scalar import scalar_eligibility
from tests.conftest import BASELINE, DEFAULT_SPEC, TINY, VARIANT, read_csv, write_csv

runner = CliRunner()
Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "out"
    assert runner.invoke(app, ["run", str(TINY), "--out", str(out)]).exit_code == 0
    return out


def verify(plan: Path, spec: Path = DEFAULT_SPEC) -> list[str]:
    case = load_case(TINY)
    rules = load_ruleset(BASELINE, rule_schema(case.meta))
    return verify_plan(case, rules, load_spec(spec).spec, plan / "allocations.csv").violations


def test_run_output_verifies_clean(plan_dir: Path) -> None:
    assert verify(plan_dir) == []
    result = runner.invoke(app, ["verify", str(TINY), str(plan_dir)])
    assert result.exit_code == 0 and "valid: 6 allocation rows, 1,750,000 yuan" in result.output


def _edit(change: Callable[[Rows], Rows]) -> Callable[[Path, Path], Path]:
    def apply(plan: Path, tmp: Path) -> Path:
        rows = change(read_csv(plan / "allocations.csv"))
        target = tmp / "edited"
        target.mkdir()
        write_csv(
            target / "allocations.csv",
            ["project_id", "village_id", "fund_id", "amount"],
            [[r["project_id"], r["village_id"], r["fund_id"], r["amount"]] for r in rows],
        )
        return target

    return apply


def _set(rows: Rows, project: str, **values: str) -> Rows:
    for row in rows:
        if row["project_id"] == project:
            row.update(values)
    return rows


def _add(rows: Rows, project: str, village: str, fund: str, amount: str) -> Rows:
    return [
        *rows,
        {"project_id": project, "village_id": village, "fund_id": fund, "amount": amount},
    ]


MUTATIONS = [
    (
        "one yuan over budget (F1 is fully used)",
        lambda r: _set(r, "P12", amount="100001"),
        "fund F1 allocates 1,000,001 yuan",
    ),
    (
        "indivisible part-funded by one yuan",
        lambda r: _set(r, "P03", amount="499999"),
        "indivisible project P03 is part-funded",
    ),
    ("earmark", lambda r: _add(r, "P07", "V3", "F1", "1000"), "(excluded by EARMARK)"),
    (
        "rule eligibility",
        lambda r: _add(r, "P08", "V4", "F1", "1000"),
        "F1 may not pay for P08 (excluded by POV-TARGET)",
    ),
    (
        "pair moved to an ineligible fund",
        lambda r: _set(r, "P09", fund_id="F1"),
        "excluded by POV-TARGET",
    ),
    ("unknown project", lambda r: _add(r, "P99", "V1", "F2", "10"), "unknown project_id 'P99'"),
    ("unknown fund", lambda r: _set(r, "P01", fund_id="F9"), "unknown fund_id 'F9'"),
    ("wrong village", lambda r: _set(r, "P01", village_id="V2"), "is in village V1, not 'V2'"),
    ("decimal amount", lambda r: _set(r, "P01", amount="300000.5"), "not a whole number"),
    ("negative amount", lambda r: _add(r, "P07", "V3", "F2", "-5"), "is not positive"),
    (
        "row removed: floor",
        lambda r: [x for x in r if x["project_id"] != "P12"],
        "poor village V5 has 0 funded projects, below its floor of 1",
    ),
    ("more than cost", lambda r: _add(r, "P12", "V5", "F1", "1"), "more than its cost"),
    ("below minimum share", lambda r: _add(r, "P04", "V2", "F1", "100"), "minimum share"),
    ("duplicate row", lambda r: [*r, dict(r[0])], "repeats row 2"),
    (
        "share: industry money moved",
        lambda r: _set(_set(r, "P02", amount="100000"), "P12", amount="100000"),
        "category industry gets 100,000 yuan of 700,000 yuan",
    ),
]


@pytest.mark.parametrize(("label", "change", "fragment"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_violation_is_caught(
    plan_dir: Path, tmp_path: Path, label: str, change: Callable[[Rows], Rows], fragment: str
) -> None:
    edited = _edit(change)(plan_dir, tmp_path)
    found = verify(edited)
    assert any(fragment in v for v in found), found
    result = runner.invoke(app, ["verify", str(TINY), str(edited)])
    assert result.exit_code == 1 and fragment in result.output


def test_cap_violation(plan_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "capped.yaml"
    spec.write_text(
        DEFAULT_SPEC.read_text(encoding="utf-8").replace(
            "  divisible_min_share: 0.25\n",
            "  divisible_min_share: 0.25\n  village_cap: {max_amount: 600000}\n",
        ),
        encoding="utf-8",
    )
    assert any("above the village cap of 600,000 yuan" in v for v in verify(plan_dir, spec))


@pytest.mark.parametrize("rules", [BASELINE, VARIANT])
def test_scalar_and_vectorized_eligibility_agree_on_generated_cases(
    rules: Path, tmp_path: Path
) -> None:
    from allocator.app.generate import SIZES, generate_case, write_case

    for seed in range(3):
        case = load_case(write_case(generate_case(SIZES["county"], seed), tmp_path / str(seed)))
        ruleset = load_ruleset(rules, rule_schema(case.meta))
        vector = evaluate_eligibility(case, ruleset).eligible
        assert (scalar_eligibility(case, ruleset) == vector).all()


def test_plans_written_by_earlier_versions_still_verify_and_explain() -> None:
    """tests/data/plan_v0_tiny was written by allocator before the restructuring (no
    idle_reason columns, no warnings or policy figures in summary.json)."""
    from typer.testing import CliRunner

    from allocator.cli import app

    old = Path(__file__).parent / "data" / "plan_v0_tiny"
    runner = CliRunner()
    verified = runner.invoke(app, ["verify", str(TINY), str(old)])
    assert verified.exit_code == 0, verified.output
    assert "valid: 6 allocation rows, 1,750,000 yuan" in verified.output
    # explain needs the rules and spec a plan was made with: those of that time
    rules = str(old / "baseline.yaml")
    model = str(old / "default.yaml")
    explained = runner.invoke(
        app, ["explain", str(TINY), str(old), "--fund", "F2", "--rules", rules, "--model", model]
    )
    assert explained.exit_code == 0, explained.output
    assert "Why 50,000 yuan stay unused: -" in explained.output  # the old plan did not say
    project = runner.invoke(
        app,
        ["explain", str(TINY), str(old), "--project", "P08", "--rules", rules, "--model", model],
    )
    assert project.exit_code == 0 and "funds_too_small" in project.output
