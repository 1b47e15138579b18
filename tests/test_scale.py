"""Scale runs (marked slow; run with `python -m pytest -m slow`).

Speed is measured by bench/run.py, not asserted here: these check that a
city-size case is solved to proven optimality and that its plan verifies.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.app.generate import SIZES, generate_case, write_case
from allocator.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_city_size_case_is_optimal_and_verifies(tmp_path: Path) -> None:
    case = write_case(generate_case(SIZES["city"], seed=2026), tmp_path / "city")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(case), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert '"status": "optimal"' in result.output
    verified = runner.invoke(app, ["verify", str(case), str(out)])
    assert verified.exit_code == 0, verified.output
