"""A province-size region against its single model (slow: about 4 minutes).

python -m pytest -m slow tests/test_region_scale.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allocator import allocate, load_case, load_ruleset, load_spec, rule_schema
from allocator.app.generate import generate_region, write_region
from allocator.app.region import run_region
from tests.conftest import ROOT
from tests.region_single import single_model

PLAIN = ROOT / "models" / "plain.yaml"


@pytest.mark.slow
def test_fifty_counties_agree_with_the_single_model(tmp_path: Path) -> None:
    folder = write_region(generate_region(50, 1), tmp_path / "region")
    case_dir, rules = single_model(folder, tmp_path / "single")
    single = load_case(case_dir)
    best = allocate(single, load_ruleset(rules, rule_schema(single.meta)), load_spec(PLAIN))
    assert best.status.value == "optimal"
    result = run_region(folder, tmp_path / "out", model=PLAIN, gap=1e-3, jobs=2)
    figures = {
        "single_model": best.objective,
        "decomposition": result.value,
        "bound": result.bound,
        "gap": result.gap,
        "rounds": result.rounds,
        "seconds": result.seconds,
    }
    (tmp_path / "figures.json").write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures))
    assert result.summary["status"] == "within_gap"
    assert result.value >= best.objective * (1 - 1e-3)
    assert result.bound >= best.objective * (1 - 1e-6)
