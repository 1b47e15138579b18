"""A case as one workbook: lossless conversion, the same plan, Chinese headers, cell errors."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from allocator import load_case
from allocator.cli import app
from allocator.io.workbook import ALIASES
from tests.conftest import ROOT, TINY

COUNTY = ROOT / "cases" / "county"
TABLES = ("villages", "needs", "projects", "funds", "scores")
PLAN = ("allocations.csv", "funds.csv", "projects.csv", "villages.csv", "unmet_needs.csv")
runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def to_workbook(folder: Path, target: Path) -> Path:
    code, output = cli("convert", str(folder), str(target))
    assert code == 0, output
    return target


def test_the_county_survives_csv_workbook_csv_byte_for_byte(tmp_path: Path) -> None:
    book = to_workbook(COUNTY, tmp_path / "county.xlsx")
    back = tmp_path / "back"
    assert cli("convert", str(book), str(back))[0] == 0
    for table in TABLES:
        assert (back / f"{table}.csv").read_bytes() == (COUNTY / f"{table}.csv").read_bytes()
    assert load_case(back).meta == load_case(COUNTY).meta


def test_a_run_on_the_workbook_writes_the_same_plan(tmp_path: Path) -> None:
    book = to_workbook(COUNTY, tmp_path / "county.xlsx")
    assert cli("run", str(book), "--out", str(tmp_path / "a"), "-q")[0] == 0
    assert cli("run", str(COUNTY), "--out", str(tmp_path / "b"), "-q")[0] == 0
    for name in PLAN:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def _chinese_headers(book: openpyxl.Workbook) -> None:
    for table in TABLES:
        reverse: dict[str, str] = {}
        for header, column in ALIASES[table].items():
            reverse.setdefault(column, header)
        sheet = book[table]
        for cell in sheet[1]:
            cell.value = reverse.get(str(cell.value), cell.value)


def test_chinese_headers_and_names_run(tmp_path: Path) -> None:
    path = to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(path)
    _chinese_headers(book)
    assert book["projects"]["E1"].value == "资金规模"
    book["villages"]["B2"] = "山下村"
    book["projects"]["C3"] = "山下村花椒合作社"
    book["case"]["B2"] = "小县（手算）"
    book.save(path)
    out = tmp_path / "out"
    code, output = cli("run", str(path), "--out", str(out), "-q")
    assert code == 0, output
    baseline = tmp_path / "baseline"
    assert cli("run", str(TINY), "--out", str(baseline), "-q")[0] == 0
    assert (out / "allocations.csv").read_bytes() == (baseline / "allocations.csv").read_bytes()
    assert "小县（手算）" in (out / "summary.json").read_text(encoding="utf-8")


def test_a_province_maps_its_own_headers_in_a_columns_sheet(tmp_path: Path) -> None:
    path = to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(path)
    book["funds"]["E1"] = "年度资金总额"
    columns = book.create_sheet("columns")
    columns.append(["table", "header", "column"])
    columns.append(["funds", "年度资金总额", "budget"])
    book.save(path)
    assert cli("check", str(path))[0] == 0


def _edited(tmp_path: Path, edit: object) -> Path:
    path = to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(path)
    edit(book)  # type: ignore[operator]
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("label", "edit", "where", "fragment"),
    [
        (
            "decimal money",
            lambda b: b["projects"].__setitem__("E4", 12.5),
            "projects!E4",
            "expected a whole number (integer yuan, no decimals), found '12.5'",
        ),
        (
            "missing value",
            lambda b: b["villages"].__setitem__("D3", None),
            "villages!D3",
            "value is missing",
        ),
        (
            "date in a number cell",
            lambda b: b["funds"].__setitem__("E2", datetime.date(2026, 3, 1)),
            "funds!E2",
            "found '2026-03-01",
        ),
        (
            "unknown header",
            lambda b: b["projects"].__setitem__("H1", "divisable"),
            "projects!1:1",
            "missing required column 'divisible' (found 'divisable': misspelt?)",
        ),
        (
            "unknown village",
            lambda b: b["needs"].__setitem__("A3", "V9"),
            "needs!A3",
            "unknown village 'V9'",
        ),
        (
            "bad year in the case sheet",
            lambda b: b["case"].__setitem__("B3", "next year"),
            "case!B3",
            "year",
        ),
        (
            "hidden table sheet",
            lambda b: setattr(b["scores"], "sheet_state", "hidden"),
            "scores",
            "sheet 'scores' is hidden",
        ),
    ],
)
def test_a_bad_cell_is_refused_naming_sheet_and_cell(
    tmp_path: Path, label: str, edit: object, where: str, fragment: str
) -> None:
    path = _edited(tmp_path, edit)
    code, output = cli("check", str(path))
    assert code == 2, output
    assert f"{path}: {where}" in output, output
    assert fragment in output
    assert "Traceback" not in output


def test_merged_cells_get_a_hint(tmp_path: Path) -> None:
    def merge(book: openpyxl.Workbook) -> None:
        book["villages"].merge_cells("C2:C3")  # township of V1 and V2 in one cell

    path = _edited(tmp_path, merge)
    code, output = cli("check", str(path))
    assert code == 2
    assert "villages!C3: value is missing (the cell is part of merged cells C2:C3" in output


def test_a_whole_number_stored_as_a_decimal_is_fine(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda b: b["funds"].__setitem__("E2", 1_000_000.0))
    assert cli("check", str(path))[0] == 0


def test_excel_csv_adds_a_byte_order_mark_and_nothing_else(tmp_path: Path) -> None:
    assert cli("run", str(TINY), "--out", str(tmp_path / "plain"), "-q")[0] == 0
    assert cli("run", str(TINY), "--out", str(tmp_path / "bom"), "-q", "--excel-csv")[0] == 0
    for name in PLAN:
        marked = (tmp_path / "bom" / name).read_bytes()
        assert marked.startswith(b"\xef\xbb\xbf")
        assert marked[3:] == (tmp_path / "plain" / name).read_bytes()
    assert cli("verify", str(TINY), str(tmp_path / "bom"))[0] == 0
    code, output = cli("explain", str(TINY), str(tmp_path / "bom"), "--fund", "F2")
    assert code == 0 and "unused 50,000 yuan" in output


def test_a_filled_template_runs(tmp_path: Path) -> None:
    import csv

    from allocator.app.convert import TABLE_MODELS, _typed
    from allocator.schemas import field_base_type

    path = tmp_path / "template.xlsx"
    code, output = cli("template", str(path))
    assert code == 0, output
    book = openpyxl.load_workbook(path)
    assert book["lists"].sheet_state == "hidden" and "instructions" in book.sheetnames
    rules = {str(v.sqref): v.formula1 for v in book["villages"].data_validations.dataValidation}
    assert rules["L2:L5000"] == '"plain,hill,mountain,gully,hazard"'
    book["case"]["B2"], book["case"]["B3"] = "From the template", 2026
    for table in TABLES:
        with open(TINY / f"{table}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        sheet = book[table]
        header = [c.value for c in sheet[1]]
        model = TABLE_MODELS[table]
        for row in rows[1:]:
            record = dict(zip(rows[0], row, strict=True))
            sheet.append(
                [
                    _typed(record.get(h, ""), field_base_type(model.model_fields[h].annotation)[0])
                    for h in header
                ]
            )
    book.save(path)
    out, baseline = tmp_path / "out", tmp_path / "baseline"
    code, output = cli("run", str(path), "--out", str(out), "-q")
    assert code == 0, output
    assert cli("run", str(TINY), "--out", str(baseline), "-q")[0] == 0
    assert (out / "allocations.csv").read_bytes() == (baseline / "allocations.csv").read_bytes()


def test_the_plan_as_a_workbook(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert cli("run", str(TINY), "--out", str(tmp_path / name), "-q", "--xlsx")[0] == 0
    first, second = (tmp_path / n / "plan.xlsx" for n in ("a", "b"))
    assert first.read_bytes() == second.read_bytes()  # the same plan, the same bytes
    book = openpyxl.load_workbook(first)
    assert book.sheetnames == [
        "summary",
        "funds",
        "fund_by_township",
        "allocations",
        "projects",
        "villages",
        "unmet_needs",
    ]
    funds = book["funds"]
    # Column titles for people ("fund", not "fund_id"); verify maps them back.
    assert [c.value for c in funds[1]][:7] == [
        "fund", "name", "kind", "level", "budget", "allocated", "unused"
    ]  # fmt: skip
    assert funds["E2"].value == 1_000_000 and funds["E2"].number_format == "#,##0"
    assert funds.freeze_panes == "A2" and funds.auto_filter.ref
    townships = book["fund_by_township"]
    total = next(row for row in townships.iter_rows(values_only=True) if row[0] == "total")
    assert total[-1] == 1_750_000  # every yuan of the plan, by fund and township


def test_verify_accepts_a_plan_workbook_edited_by_hand(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("run", str(TINY), "--out", str(out), "-q", "--xlsx")[0] == 0
    code, output = cli("verify", str(TINY), str(out / "plan.xlsx"))
    assert code == 0 and "valid: 6 allocation rows, 1,750,000 yuan" in output
    book = openpyxl.load_workbook(out / "plan.xlsx")
    sheet = book["allocations"]
    sheet["D2"] = sheet["D2"].value + 1  # one yuan more for the first row's project
    sheet["D3"] = 12.5
    book.save(tmp_path / "edited.xlsx")
    code, output = cli("verify", str(TINY), str(tmp_path / "edited.xlsx"))
    assert code == 1
    assert "row 3: amount '12.5' is not a whole number of yuan" in output
    assert "more than its cost" in output
