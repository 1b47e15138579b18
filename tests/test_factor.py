"""The factor method: a checked, deterministic status-quo plan the optimizer must beat."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator import allocate, load_case, load_ruleset, load_spec, rule_schema
from allocator.audit.verify import verify_plan
from allocator.errors import SpecError
from allocator.ledger import split_yuan
from allocator.status import SolveStatus
from tests.conftest import BASELINE, ROOT, TINY

FACTOR = ROOT / "models" / "factor.yaml"


def plan_for(case_dir: Path, spec: Path):  # type: ignore[no-untyped-def]
    case = load_case(case_dir)
    return allocate(case, load_ruleset(BASELINE, rule_schema(case.meta)), load_spec(spec))


def test_largest_remainder_is_exact_and_proportional() -> None:
    parts = split_yuan(1_000_001, [0.7, 0.2, 0.1])
    assert sum(parts) == 1_000_001 and parts == [700_001, 200_000, 100_000]
    assert split_yuan(10, [1, 1, 1]) == [4, 3, 3]
    assert split_yuan(5, [0, 0]) == [0, 0]


def test_factor_plan_is_heuristic_valid_and_deterministic(tmp_path: Path) -> None:
    a, b = plan_for(TINY, FACTOR), plan_for(TINY, FACTOR)
    assert a.status == SolveStatus.HEURISTIC and a.bound is None and a.gap is None
    assert a.allocations == b.allocations
    from allocator.report.output import csv_text
    from allocator.report.tables import allocation_rows

    path = tmp_path / "allocations.csv"
    path.write_text(csv_text(*allocation_rows(a)), encoding="utf-8")
    assert verify_plan(a.case, a.ruleset, a.spec.spec, path).violations == []


@pytest.mark.parametrize("case_seed", [None, 3])
def test_optimizer_never_does_worse_than_the_factor_method(
    tmp_path: Path, case_seed: int | None
) -> None:
    from allocator.app.generate import SIZES, generate_case, write_case

    case_dir = (
        TINY
        if case_seed is None
        else write_case(generate_case(SIZES["county"], case_seed), tmp_path / "case")
    )
    # The optimizer under exactly the constraints the factor method respects.
    same = tmp_path / "same.yaml"
    same.write_text(
        FACTOR.read_text(encoding="utf-8")
        .replace("method: factor\n", "")
        .replace("spec: factor", "spec: same"),
        encoding="utf-8",
    )
    factor, optimized = plan_for(case_dir, FACTOR), plan_for(case_dir, same)
    assert optimized.status == SolveStatus.OPTIMAL
    assert optimized.objective >= factor.objective * (1 - 1e-4)


def test_factor_spec_refuses_policies_it_cannot_keep(tmp_path: Path) -> None:
    spec = tmp_path / "f.yaml"
    spec.write_text(
        FACTOR.read_text(encoding="utf-8") + "  poor_village_floor: {min_projects: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError, match="does not enforce poor_village_floor"):
        load_spec(spec)
