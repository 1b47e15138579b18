"""What the review found: honest status texts, contradicting columns, silent zeros, leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import ROOT, TINY, edit_cell, read_csv, write_csv

runner = CliRunner()
FACTOR = ROOT / "models" / "factor.yaml"


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_a_factor_plan_is_not_called_time_limited_and_shows_no_bound(tmp_path: Path) -> None:
    code, text = cli("run", str(TINY), "--model", str(FACTOR), "--out", str(tmp_path / "o"))
    assert code == 0, text
    assert "status heuristic" in text and "bound -, gap -" in text
    assert "time limit" not in text
    assert "made by the factor method" in text


def test_package_data_declared_in_pyproject_exists() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for package, patterns in config["tool"]["setuptools"]["package-data"].items():
        for pattern in patterns:
            assert list((ROOT / package).glob(pattern)), f"{package}/{pattern} matches nothing"


def test_a_killed_runs_staging_folder_is_cleared_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f".out.tmp-{dead.stdout.strip()}-x1y2"  # its process has exited
    stale.mkdir()
    (stale / "allocations.csv").write_text("half-written", encoding="utf-8")
    alive = tmp_path / f".out.tmp-{os.getppid()}-z3"  # a live process: left alone
    alive.mkdir()
    assert cli("run", str(TINY), "--out", str(out), "-q")[0] == 0
    assert not stale.exists()
    assert alive.exists()
    assert (out / "allocations.csv").exists()


def test_a_poverty_rate_that_contradicts_the_populations_is_refused(tiny: Path) -> None:
    edit_cell(tiny / "villages.csv", 0, "poverty_rate", "2.07")  # V1: 170 / 820 people = 20.7%
    code, text = cli("check", str(tiny))
    assert code == 2
    assert "villages.csv, row 2, column 'poverty_rate'" in text
    assert "poverty_rate 2.07 disagrees with 100 x poor_population / population" in text
    assert "100 x 170 / 820 = 20.7" in text


def test_rates_within_rounding_are_accepted(tiny: Path) -> None:
    edit_cell(tiny / "villages.csv", 0, "poverty_rate", "21")  # 20.73 rounded to a whole percent
    assert cli("check", str(tiny))[0] == 0


def test_counts_that_contradict_each_other_are_refused(tiny: Path) -> None:
    edit_cell(tiny / "villages.csv", 1, "households", "5000")  # V2 has 1,150 people
    code, text = cli("check", str(tiny))
    assert code == 2
    assert (
        "row 3, column 'households'" in text
        and "households (5000) exceeds population (1150)" in text
    )


def test_fewer_poor_people_than_poor_households_is_refused(tiny: Path) -> None:
    edit_cell(tiny / "villages.csv", 4, "poor_population", "30")  # V5: 41 poor households
    edit_cell(tiny / "villages.csv", 4, "poverty_rate", "7.0")
    code, text = cli("check", str(tiny))
    assert code == 2
    assert "poor_population (30) is below poor_households (41)" in text


def test_needs_that_no_project_addresses_are_warned_about(tiny: Path, tmp_path: Path) -> None:
    rows = read_csv(tiny / "needs.csv")
    for row in rows:
        row["need"] = "commerce"  # a category no project has
    seen = set()
    unique = [r for r in rows if not (r["village_id"] in seen or seen.add(r["village_id"]))]
    write_csv(tiny / "needs.csv", list(rows[0]), [list(r.values()) for r in unique])
    code, text = cli("check", str(tiny))
    assert code == 0
    assert "warning: no project addresses a need listed in needs.csv" in text
    out = tmp_path / "o"
    code, text = cli("run", str(tiny), "--out", str(out))
    assert code == 0
    assert "value 0.0" in text and "warning: the plan's value is 0" in text
    warnings = json.loads((out / "summary.json").read_text(encoding="utf-8"))["warnings"]
    assert any("no project addresses a need" in w for w in warnings)
    assert any("plan's value is 0" in w for w in warnings)


def test_values_capped_by_the_need_list_are_warned_about(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, text = cli("run", str(TINY), "--out", str(out))
    assert code == 0
    assert "1 project(s) list more beneficiaries than their village's need records" in text
    assert "(P05)" in text  # 60 households, but V2's need lists 40
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert any("P05" in w for w in summary["warnings"])
