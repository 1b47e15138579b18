"""Several independent cases at once (--jobs): same plans as one by one; errors isolated."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from allocator.app.batch import run_many
from allocator.app.generate import SIZES, generate_case, write_case
from allocator.cli import app
from tests.conftest import TINY

runner = CliRunner()


def test_parallel_cases_equal_single_runs(tmp_path: Path) -> None:
    cases = [
        write_case(generate_case(SIZES["tiny"], seed), tmp_path / f"county{seed}")
        for seed in (1, 2, 3)
    ]
    outcomes = run_many(cases, tmp_path / "many", jobs=2)
    assert [o.exit_code for o in outcomes] == [0, 0, 0]
    for case in cases:
        single = tmp_path / "single" / case.name
        assert runner.invoke(app, ["run", str(case), "--out", str(single)]).exit_code == 0
        many = tmp_path / "many" / case.name
        for path in single.iterdir():
            if path.name != "timings.json":
                assert (many / path.name).read_bytes() == path.read_bytes()


def test_one_bad_case_does_not_stop_the_others(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "case.yaml").write_text("name: x\n", encoding="utf-8")
    result = runner.invoke(
        app, ["run", str(TINY), str(broken), "--out", str(tmp_path / "o"), "-j", "2"]
    )
    assert result.exit_code == 2
    assert (tmp_path / "o" / "tiny" / "allocations.csv").exists()
    assert not (tmp_path / "o" / "broken").exists()
    assert "missing key 'year'" in result.output
