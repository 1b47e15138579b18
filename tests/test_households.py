"""The household register and household measures: reading, cross-checks, generation."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from allocator import load_case
from allocator.app.generate import SIZES, generate_case, household_files, write_case
from allocator.cli import app
from allocator.errors import InputError
from allocator.io.csvtable import read_table
from allocator.io.frames import read_frame
from allocator.schemas import Need, Project, Score, Village
from tests.conftest import edit_cell, read_csv, write_csv
from tests.test_case_loading import BAD_INPUTS

# funds.csv has a list column (the earmark): the row reader reads it.
TABLES = {
    "villages.csv": Village,
    "needs.csv": Need,
    "projects.csv": Project,
    "scores.csv": Score,
}


def _outcome(read: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", read()
    except InputError as exc:
        return "error", str(exc)


def _rows_as_columns(rows: list[tuple[int, Any]], model: type[Any]) -> tuple[list[int], dict]:
    names = [n for n in model.model_fields if n != "extra"]
    return [r for r, _ in rows], {n: [getattr(m, n) for _, m in rows] for n in names}


def _frame_as_columns(frame: Any) -> tuple[list[int], dict]:
    return frame.rows.tolist(), {n: s.to_list() for n, s in frame.columns.items()}


def _same_reading(path: Path, model: type[Any]) -> None:
    by_rows = _outcome(lambda: _rows_as_columns(read_table(path, model), model))
    by_columns = _outcome(lambda: _frame_as_columns(read_frame(path, model)))
    assert by_columns == by_rows


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_column_reader_reads_what_the_row_reader_reads(tiny: Path, name: str) -> None:
    _same_reading(tiny / name, TABLES[name])


@pytest.mark.parametrize(
    ("label", "mutate"), [(b[0], b[1]) for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_the_column_reader_refuses_with_the_row_readers_message(
    tiny: Path, label: str, mutate: Callable[[Path], None]
) -> None:
    mutate(tiny)
    for name, model in TABLES.items():
        if (tiny / name).is_file():
            _same_reading(tiny / name, model)


def test_the_first_bad_cell_in_file_order_is_reported_as_the_row_reader_does(
    tmp_path: Path,
) -> None:
    path = tmp_path / "villages.csv"
    rows = read_csv(Path(__file__).parent.parent / "cases" / "tiny" / "villages.csv")
    rows[3]["population"] = "-1"  # row 5
    rows[1]["terrain"] = "swamp"  # row 3: reported first although its column comes later
    write_csv(path, list(rows[0]), [list(r.values()) for r in rows])
    with pytest.raises(InputError) as info:
        read_frame(path, Village)
    assert "row 3, column 'terrain'" in str(info.value)
    _same_reading(path, Village)


def _with_households(tiny: Path, seed: int = 5) -> Path:
    villages = [list(r.values()) for r in read_csv(tiny / "villages.csv")]
    for name, text in household_files(villages, np.random.default_rng(seed)).items():
        (tiny / name).write_text(text, encoding="utf-8")
    return tiny


def test_a_case_with_a_register_loads_and_agrees_with_its_villages(tiny: Path) -> None:
    case = load_case(_with_households(tiny))
    register = case.households
    assert register is not None and len(register) == sum(v.households for v in case.villages)
    for v, village in enumerate(case.villages):
        mine = register.village == v
        assert int(mine.sum()) == village.households
        assert int((mine & register.poor).sum()) == village.poor_households
    assert (register.members >= 1).all()
    assert (register.exit_year[register.poor] > 0).all()
    assert list(register.ids) == sorted(register.ids)
    assert register.index(str(register.ids[17])) == 17
    assert [m.measure_id for m in case.measures] == [f"M0{k}" for k in range(1, 8)]
    assert "households.csv" in case.file_hashes and "measures.csv" in case.file_hashes


def test_row_order_of_the_register_changes_nothing(tiny: Path) -> None:
    first = load_case(_with_households(tiny)).households
    rows = read_csv(tiny / "households.csv")
    random.Random(3).shuffle(rows)
    write_csv(tiny / "households.csv", list(rows[0]), [list(r.values()) for r in rows])
    second = load_case(tiny).households
    assert first is not None and second is not None
    for field in ("ids", "village", "members", "poor", "exit_year", "cause", "income", "labour"):
        assert np.array_equal(getattr(first, field), getattr(second, field)), field


def _edit_household(tiny: Path, index: int, **cells: str) -> None:
    rows = read_csv(tiny / "households.csv")
    rows[index].update(cells)
    write_csv(tiny / "households.csv", list(rows[0]), [list(r.values()) for r in rows])


def _refused(tiny: Path) -> str:
    result = CliRunner().invoke(app, ["check", str(tiny)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_counts_that_disagree_with_villages_csv_name_the_village_and_both_counts(
    tiny: Path,
) -> None:
    _with_households(tiny)
    rows = read_csv(tiny / "households.csv")
    kept = [r for r in rows if r["household_id"] != "V2-H300"]  # V2 lists 300 households
    write_csv(tiny / "households.csv", list(rows[0]), [list(r.values()) for r in kept])
    output = _refused(tiny)
    assert "villages.csv, row 3, column 'households'" in output
    assert "village V2: households.csv lists 299 households (38 registered poor)" in output
    assert "villages.csv says 300 households (38 registered poor)" in output


def test_poor_counts_that_disagree_are_refused(tiny: Path) -> None:
    _with_households(tiny)
    _edit_household(tiny, 0, poor="false", exit_year="", cause="")  # V1-H001 was registered
    output = _refused(tiny)
    assert "column 'poor_households'" in output and "45 registered poor" in output


@pytest.mark.parametrize(
    ("cells", "fragment", "column"),
    [
        ({"members": "-2"}, "greater than or equal to 1", "members"),
        ({"members": "2.5"}, "expected a whole number", "members"),
        ({"village_id": "V9"}, "unknown village 'V9' (not in villages.csv)", "village_id"),
        ({"exit_year": ""}, "a registered poor household needs its planned exit_year", "exit_year"),
        ({"cause": "bad_luck"}, "expected one of illness", "cause"),
        ({"safe_housing": "perhaps"}, "expected true or false", "safe_housing"),
        (
            {"household_id": "V1-H003"},
            "duplicate household_id 'V1-H003' (first on row 4)",
            "household_id",
        ),
    ],
)
def test_bad_households_name_file_row_and_column(
    tiny: Path, cells: dict[str, str], fragment: str, column: str
) -> None:
    _with_household_sorted = _with_households(tiny)
    _edit_household(_with_household_sorted, 4, **cells)  # row 6 of households.csv
    output = _refused(tiny)
    assert fragment in output
    assert f"households.csv, row 6, column '{column}'" in output


def test_a_measure_of_an_unknown_category_is_refused(tiny: Path) -> None:
    _with_households(tiny)
    edit_cell(tiny / "measures.csv", 2, "category", "drinking_watr")
    output = _refused(tiny)
    assert "measures.csv, row 4, column 'category'" in output
    assert "unknown category 'drinking_watr' (did you mean 'drinking_water'?" in output


def test_a_measure_that_closes_an_unknown_standard_is_refused(tiny: Path) -> None:
    _with_households(tiny)
    edit_cell(tiny / "measures.csv", 0, "closes", "safe_roof")
    output = _refused(tiny)
    assert "measures.csv, row 2, column 'closes'" in output and "safe_housing" in output


def test_generated_registers_agree_with_their_villages(tmp_path: Path) -> None:
    folder = write_case(generate_case(SIZES["tiny"], 4, with_households=True), tmp_path / "c")
    case = load_case(folder)
    assert case.households is not None
    assert len(case.households) == sum(v.households for v in case.villages)
    without = write_case(generate_case(SIZES["tiny"], 4), tmp_path / "d")
    assert (without / "projects.csv").read_bytes() == (folder / "projects.csv").read_bytes()
    assert not (without / "households.csv").exists()
