"""Case loading: schemas, CSV parsing, cross-checks, and errors that name file/row/column."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from allocator.errors import InputError
from allocator.io.case import load_case
from tests.conftest import TINY, edit_cell, read_csv, write_csv


def test_tiny_case_loads_sorted_with_hashes() -> None:
    case = load_case(TINY)
    assert [v.village_id for v in case.villages] == ["V1", "V2", "V3", "V4", "V5"]
    assert len(case.projects) == 12 and len(case.funds) == 3 and len(case.needs) == 12
    assert case.funds[0].categories[:2] == ("industry", "drinking_water")
    assert case.villages[3].exit_year is None and case.villages[0].exit_year == 2026
    assert isinstance(case.funds[0].budget, int)
    assert set(case.file_hashes) == {
        "case.yaml",
        "villages.csv",
        "needs.csv",
        "projects.csv",
        "funds.csv",
        "scores.csv",
    }


def test_row_order_does_not_matter(tiny: Path) -> None:
    for name in ("villages.csv", "projects.csv", "funds.csv", "needs.csv", "scores.csv"):
        rows = read_csv(tiny / name)
        random.Random(7).shuffle(rows)
        write_csv(tiny / name, list(rows[0].keys()), [list(r.values()) for r in rows])
    shuffled, original = load_case(tiny), load_case(TINY)
    assert shuffled.projects == original.projects
    assert shuffled.villages == original.villages
    assert shuffled.needs == original.needs


def _rename_column(old: str, new: str, table: str) -> Callable[[Path], None]:
    """Replace text in the header (or, if not found there, the first line containing it)."""

    def apply(folder: Path) -> None:
        path = folder / table
        lines = path.read_text(encoding="utf-8").split("\n")
        index = next(i for i, line in enumerate(lines) if old in line)
        lines[index] = lines[index].replace(old, new, 1)
        path.write_text("\n".join(lines), encoding="utf-8")

    return apply


def _cell(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda folder: edit_cell(folder / table, row, column, value)


def _write(table: str, text: str | bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / table
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return apply


BAD_INPUTS: list[tuple[str, Callable[[Path], None], str, str]] = [
    (
        "missing column",
        _rename_column(",cost,", ",", "projects.csv"),
        "missing required column 'cost'",
        "projects.csv",
    ),
    (
        "misspelt column",
        _rename_column("budget", "budgett", "funds.csv"),
        "missing required column 'budget' (found 'budgett': misspelt?)",
        "funds.csv",
    ),
    (
        "unknown column in header",
        _rename_column("divisible", "divisible,colour", "projects.csv"),
        "unknown column 'colour'",
        "projects.csv, row 1, column 'colour'",
    ),
    (
        "non-number money",
        _cell("funds.csv", 0, "budget", "lots"),
        "expected a whole number, found 'lots'",
        "funds.csv, row 2, column 'budget'",
    ),
    (
        "decimal money",
        _cell("projects.csv", 2, "cost", "12.5"),
        "integer yuan, no decimals",
        "projects.csv, row 4, column 'cost'",
    ),
    (
        "negative money",
        _cell("funds.csv", 1, "budget", "-5"),
        "greater than or equal to 0",
        "funds.csv, row 3, column 'budget'",
    ),
    (
        "nan",
        _cell("villages.csv", 0, "poverty_rate", "NaN"),
        "expected a finite number, found 'NaN'",
        "villages.csv, row 2, column 'poverty_rate'",
    ),
    (
        "inf money",
        _cell("projects.csv", 0, "cost", "inf"),
        "integer yuan",
        "projects.csv, row 2, column 'cost'",
    ),
    (
        "thousands separator",
        _cell("projects.csv", 0, "cost", "300,000"),
        "remove thousands separators",
        "projects.csv, row 2, column 'cost'",
    ),
    ("empty file", _write("funds.csv", ""), "file is empty", "funds.csv"),
    (
        "header only",
        _write(
            "projects.csv",
            "project_id,village_id,name,category,cost,households,poor_households,divisible\n",
        ),
        "no data rows",
        "projects.csv",
    ),
    (
        "duplicate id",
        _cell("projects.csv", 1, "project_id", "P01"),
        "duplicate project_id 'P01' (first on row 2)",
        "projects.csv, row 3",
    ),
    (
        "unknown village",
        _cell("projects.csv", 0, "village_id", "V99"),
        "unknown village 'V99'",
        "projects.csv, row 2, column 'village_id'",
    ),
    (
        "need for unknown village",
        _cell("needs.csv", 3, "village_id", "V0"),
        "unknown village 'V0'",
        "needs.csv, row 5",
    ),
    (
        "score out of range",
        _cell("scores.csv", 0, "score", "120"),
        "less than or equal to 100",
        "scores.csv, row 2, column 'score'",
    ),
    (
        "bad boolean",
        _cell("villages.csv", 0, "poor_village", "maybe"),
        "expected true or false, found 'maybe'",
        "villages.csv, row 2, column 'poor_village'",
    ),
    (
        "bad terrain",
        _cell("villages.csv", 0, "terrain", "mountian"),
        "did you mean 'mountain'?",
        "villages.csv, row 2, column 'terrain'",
    ),
    (
        "unknown category",
        _cell("projects.csv", 0, "category", "drinking_watr"),
        "unknown category 'drinking_watr' (did you mean 'drinking_water'?",
        "projects.csv, row 2, column 'category'",
    ),
    (
        "typo in earmark",
        _cell("funds.csv", 1, "categories", "drinking_water;irigation"),
        "unknown category 'irigation'",
        "funds.csv, row 3, column 'categories'",
    ),
    (
        "empty earmark",
        _cell("funds.csv", 1, "categories", " ; "),
        "empty earmark",
        "funds.csv, row 3",
    ),
    (
        "missing value",
        _cell("projects.csv", 0, "households", ""),
        "value is missing",
        "projects.csv, row 2, column 'households'",
    ),
    (
        "poor exceed households",
        _cell("projects.csv", 0, "poor_households", "500"),
        "exceeds households",
        "projects.csv, row 2, column 'poor_households'",
    ),
    (
        "GBK file",
        _write("villages.csv", "village_id,name\nV1,山下\n".encode("gb18030")),
        "looks like GBK/GB18030",
        "villages.csv",
    ),
    (
        "case.yaml unknown key",
        _write("case.yaml", "name: x\nyear: 2026\ncolour: red\n"),
        "unknown key 'colour'",
        "case.yaml:3:1",
    ),
    (
        "case.yaml wrong type",
        _write("case.yaml", "name: x\nyear: soon\n"),
        "'year'",
        "case.yaml:2:7",
    ),
    (
        "case.yaml missing key",
        _write("case.yaml", "name: x\n"),
        "missing key 'year'",
        "case.yaml:1:1",
    ),
    (
        "ragged row",
        _rename_column(
            "P01,V1,Shanxia piped water", "P01,V1,extra,Shanxia piped water", "projects.csv"
        ),
        "row has 9 cells but the header has 8",
        "projects.csv, row 2",
    ),
]


@pytest.mark.parametrize(
    ("label", "mutate", "fragment", "where"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_names_file_and_place(
    tiny: Path, label: str, mutate: Callable[[Path], None], fragment: str, where: str
) -> None:
    mutate(tiny)
    with pytest.raises(InputError) as info:
        load_case(tiny)
    assert fragment in info.value.message, str(info.value)
    assert where in str(info.value), str(info.value)


def test_extra_unknown_column_is_refused_with_a_hint(tiny: Path) -> None:
    rows = read_csv(tiny / "projects.csv")
    write_csv(
        tiny / "projects.csv", [*rows[0].keys(), "colour"], [[*r.values(), "red"] for r in rows]
    )
    with pytest.raises(InputError) as info:
        load_case(tiny)
    assert "unknown column 'colour'" in info.value.message
    assert "extra_columns" in info.value.message


def test_declared_extra_column_is_read(tiny: Path) -> None:
    rows = read_csv(tiny / "villages.csv")
    write_csv(
        tiny / "villages.csv",
        [*rows[0].keys(), "altitude"],
        [[*r.values(), 1000 + i] for i, r in enumerate(rows)],
    )
    meta = (tiny / "case.yaml").read_text(encoding="utf-8")
    (tiny / "case.yaml").write_text(
        meta + "extra_columns:\n  villages: {altitude: int}\n", encoding="utf-8"
    )
    case = load_case(tiny)
    assert case.villages[2].extra == {"altitude": 1002}


def test_gb18030_is_read_when_declared(tiny: Path) -> None:
    for name in ("villages.csv", "projects.csv"):
        text = (tiny / name).read_text(encoding="utf-8").replace("Shanxia", "山下村")
        (tiny / name).write_bytes(text.encode("gb18030"))
    for name in ("needs.csv", "funds.csv", "scores.csv"):
        (tiny / name).write_bytes((tiny / name).read_text(encoding="utf-8").encode("gb18030"))
    meta = (tiny / "case.yaml").read_text(encoding="utf-8")
    (tiny / "case.yaml").write_text(meta + "encoding: gb18030\n", encoding="utf-8")
    assert load_case(tiny).villages[0].name == "山下村"


def test_utf8_bom_from_excel_is_accepted(tiny: Path) -> None:
    path = tiny / "funds.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_case(tiny).funds[0].fund_id == "F1"


def test_missing_folder_and_file_instead_of_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_case(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="found a file"):
        load_case(tmp_path / "file")


def test_table_linked_from_outside_the_case_is_refused(tiny: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((tiny / "scores.csv").read_bytes())
    (tiny / "scores.csv").unlink()
    (tiny / "scores.csv").symlink_to(outside)
    with pytest.raises(InputError, match="outside the case folder"):
        load_case(tiny)
