"""Multi-year plans: the hand-worked three-year case, money by year, bad input, conflicts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.audit.years import YearAllocation, check_years, fund_accounts
from allocator.cli import app
from allocator.io.case import load_case
from tests.conftest import BASELINE, DEFAULT_SPEC, ROOT, read_csv, starts_over_budget, write_csv

TINY_YEARS = ROOT / "cases" / "tiny_years"
SPEC = TINY_YEARS / "model.yaml"
PROJECT_COLUMNS = ("project_id", "village_id", "name", "category", "cost", "households")
PROJECT_COLUMNS += ("poor_households", "divisible")


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    target = tmp_path / "tiny_years"
    shutil.copytree(TINY_YEARS, target)
    return target


def _run(case: Path, out: Path, spec: Path = SPEC) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", str(case), "--model", str(spec), "--out", str(out)])
    return result.exit_code, result.output


def _edit(path: Path, column: str, key: tuple[str, str], value: str) -> None:
    """Set ``column`` in the row whose ``key[0]`` column is ``key[1]``."""
    rows = read_csv(path)
    for row in rows:
        if row[key[0]] == key[1]:
            row[column] = value
    write_csv(path, list(rows[0]), [list(r.values()) for r in rows])


def _budgets(case: Path, changes: dict[tuple[str, int], int]) -> None:
    rows = read_csv(case / "budgets.csv")
    for row in rows:
        row["budget"] = str(changes.get((row["fund_id"], int(row["year"])), row["budget"]))
    write_csv(case / "budgets.csv", list(rows[0]), [list(r.values()) for r in rows])


def test_the_hand_worked_three_year_case_is_planned_exactly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run(TINY_YEARS, out)
    assert code == 0, output
    rows = read_csv(out / "allocations.csv")
    assert list(rows[0]) == ["project_id", "village_id", "fund_id", "amount", "year"]
    assert [(r["project_id"], r["fund_id"], int(r["amount"]), int(r["year"])) for r in rows] == [
        ("P1", "F1", 200_000, 2026),  # the two-year road: 200,000 a year
        ("P1", "F1", 200_000, 2027),
        ("P2", "F2", 150_000, 2026),
        ("P3", "F1", 100_000, 2028),  # pushed to 2028 by the hold-harmless floor
        ("P4", "F1", 60_000, 2026),  # Dongpo keeps at least its 50,000 a year
        ("P4", "F1", 60_000, 2027),
    ]
    funds = read_csv(out / "funds.csv")
    accounts = [
        (
            f["fund_id"],
            int(f["year"]),
            int(f["budget"]),
            int(f["carried_in"]),
            int(f["spent"]),
            int(f["carried_out"]),
            int(f["lapsed"]),
        )
        for f in funds
    ]
    assert accounts == [
        ("F1", 2026, 400_000, 0, 260_000, 140_000, 0),
        ("F1", 2027, 150_000, 140_000, 260_000, 30_000, 0),  # the carried money spent first
        ("F1", 2028, 100_000, 30_000, 100_000, 30_000, 0),
        ("F2", 2026, 200_000, 0, 150_000, 50_000, 0),
        ("F2", 2027, 0, 50_000, 0, 0, 50_000),  # water money nobody can use lapses
        ("F2", 2028, 0, 0, 0, 0, 0),
    ]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(188.0)  # 100 + 60 + 30 x 0.8 + 4
    assert [y["lapsed"] for y in summary["years"]] == [0, 50_000, 0]
    assert [y["spent"] for y in summary["years"]] == [410_000, 260_000, 100_000]
    assert "Plan by year" in output
    projects = {r["project_id"]: int(r["allocated"]) for r in read_csv(out / "projects.csv")}
    assert projects == {"P1": 400_000, "P2": 150_000, "P3": 100_000, "P4": 120_000}
    villages = [
        (r["village_id"], int(r["year"]), int(r["projects_funded"]), int(r["allocated"]))
        for r in read_csv(out / "villages.csv")
    ]
    assert villages == [
        ("V1", 2026, 1, 200_000),
        ("V1", 2027, 1, 200_000),
        ("V1", 2028, 0, 0),
        ("V2", 2026, 1, 150_000),
        ("V2", 2027, 0, 0),
        ("V2", 2028, 1, 100_000),
        ("V3", 2026, 1, 60_000),
        ("V3", 2027, 1, 60_000),
        ("V3", 2028, 0, 0),
    ]


def test_without_the_hold_harmless_floor_the_cooperative_comes_a_year_earlier(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "model.yaml"
    text = SPEC.read_text(encoding="utf-8")
    spec.write_text(
        "\n".join(line for line in text.splitlines() if "post_exit_support" not in line) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = _run(TINY_YEARS, out, spec)
    assert code == 0, output
    rows = [
        (r["project_id"], int(r["amount"]), int(r["year"]))
        for r in read_csv(out / "allocations.csv")
    ]
    assert ("P3", 100_000, 2027) in rows
    # Dongpo's tea garden shrinks to 5/12 (25,000 a year) below its 50,000 of before.
    assert ("P4", 25_000, 2026) in rows and ("P4", 25_000, 2027) in rows
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["objective"] == pytest.approx(100 + 60 + 27 + 4 * 5 / 12, abs=1e-3)


def test_same_inputs_give_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert _run(TINY_YEARS, first)[0] == 0
    assert _run(TINY_YEARS, second)[0] == 0
    for path in sorted(first.iterdir()):
        if path.name != "timings.json" and path.is_file():
            assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_a_continuing_project_is_funded_first_in_its_years(case_dir: Path, tmp_path: Path) -> None:
    # P3 was started before the horizon: its remaining 100,000 is due in 2026.
    _edit(case_dir / "projects.csv", "continuing", ("project_id", "P3"), "true")
    _edit(case_dir / "projects.csv", "earliest_year", ("project_id", "P3"), "")
    _budgets(case_dir, {("F1", 2027): 250_000})
    out = tmp_path / "out"
    code, output = _run(case_dir, out)
    assert code == 0, output
    rows = [(r["project_id"], int(r["year"])) for r in read_csv(out / "allocations.csv")]
    assert ("P3", 2026) in rows


def _short_of_support(case: Path, tmp_path: Path) -> Path:
    """Without carry-over and with 50,000 in 2027, Dongpo cannot get 60,000 that year (a
    floor of 1.2 x its 50,000 before exit): the spec that asks it."""
    _budgets(case, {("F1", 2027): 50_000})
    spec = tmp_path / "model.yaml"
    spec.write_text(
        SPEC.read_text(encoding="utf-8")
        .replace("  carry_over: {max_years: 1}\n", "")
        .replace("min_ratio: 1.0", "min_ratio: 1.2"),
        encoding="utf-8",
    )
    return spec


def test_a_floor_no_money_can_meet_names_the_village_and_year(
    case_dir: Path, tmp_path: Path
) -> None:
    spec = _short_of_support(case_dir, tmp_path)
    code, output = _run(case_dir, tmp_path / "out", spec)
    assert code == 3, output
    assert "V3" in output and "2027" in output and "support before exit" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("file", "column", "key", "value", "expected"),
    [
        ("budgets.csv", "year", ("fund_id", "F2"), "2029", "budgets.csv, row 5, column 'year'"),
        ("projects.csv", "duration", ("project_id", "P2"), "4", "column 'duration'"),
        ("projects.csv", "earliest_year", ("project_id", "P3"), "2028", None),
        ("history.csv", "village_id", ("year", "2022"), "V9", "column 'village_id'"),
        ("budgets.csv", "fund_id", ("year", "2028"), "F7", "column 'fund_id'"),
    ],
)
def test_bad_multi_year_input_names_file_row_and_column(
    case_dir: Path,
    tmp_path: Path,
    file: str,
    column: str,
    key: tuple[str, str],
    value: str,
    expected: str | None,
) -> None:
    _edit(case_dir / file, column, key, value)
    if file == "projects.csv" and column == "earliest_year":
        _edit(case_dir / file, "latest_year", key, "2027")
        expected = "projects.csv, row 4, column 'latest_year'"
    code, output = _run(case_dir, tmp_path / "out")
    assert code == 2, output
    assert expected is not None and expected in " ".join(output.split())
    assert file in output


def test_a_horizon_must_be_consecutive_from_the_case_year(case_dir: Path, tmp_path: Path) -> None:
    path = case_dir / "case.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("[2026, 2027, 2028]", "[2026, 2028]"),
        encoding="utf-8",
    )
    code, output = _run(case_dir, tmp_path / "out")
    assert code == 2
    assert "case.yaml:3" in output and "consecutive" in output


def test_budgets_need_a_horizon(case_dir: Path, tmp_path: Path) -> None:
    path = case_dir / "case.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("horizon: [2026, 2027, 2028]\n", ""),
        encoding="utf-8",
    )
    for name in ("history.csv",):
        (case_dir / name).unlink()
    write_csv(
        case_dir / "projects.csv",
        [*PROJECT_COLUMNS],
        [["P1", "V1", "Road", "road", 100, 10, 1, "false"]],
    )
    code, output = _run(case_dir, tmp_path / "out")
    assert code == 2
    assert "budgets.csv" in output and "horizon" in output


def test_fund_accounts_spend_the_oldest_money_first_and_balance() -> None:
    case = load_case(TINY_YEARS)
    rows = [
        YearAllocation(0, 0, 2026, 100_000),
        YearAllocation(0, 0, 2027, 450_000),  # 300,000 carried + 150,000 of 2027
        YearAllocation(1, 0, 2028, 100_000),
    ]
    accounts = fund_accounts(case, rows, carry_years=1)
    f1 = [a for a in accounts if a.fund == 0]
    assert [(a.carried_in, a.spent, a.carried_out, a.lapsed) for a in f1] == [
        (0, 100_000, 300_000, 0),
        (300_000, 450_000, 0, 0),
        (0, 100_000, 0, 0),
    ]
    for a in accounts:
        assert a.budget + a.carried_in == a.spent + a.carried_out + a.lapsed
    assert check_years(case, rows, carry_years=1) == []
    # Without carry-over the same spending is 300,000 over in 2027.
    violations = check_years(case, rows, carry_years=0)
    assert len(violations) == 1 and "F1" in violations[0] and "2027" in violations[0]
    assert "300,000" in violations[0]


def test_money_of_a_later_year_never_pays_an_earlier_one() -> None:
    case = load_case(TINY_YEARS)
    rows = [YearAllocation(0, 1, 2026, 250_000)]  # F2 has 200,000 in 2026, more never comes
    violations = check_years(case, rows, carry_years=2)
    assert len(violations) == 1 and "F2" in violations[0] and "50,000 yuan over" in violations[0]


def test_an_exit_deadline_no_money_can_meet_names_the_village_and_year(
    case_dir: Path, tmp_path: Path
) -> None:
    # Shangping exits in 2027; its two-year road must start in 2026, which has 150,000.
    _budgets(case_dir, {("F1", 2026): 150_000})
    code, output = _run(case_dir, tmp_path / "out")
    assert code == 3, output
    text = " ".join(output.split())
    assert "V1, exiting in 2027, cannot have its road standard met by then" in text


def test_verify_accepts_the_plan_and_finds_what_a_hand_edit_breaks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(TINY_YEARS, out)[0] == 0
    runner = CliRunner()
    verify = ["verify", str(TINY_YEARS), str(out), "--model", str(SPEC)]
    result = runner.invoke(app, verify)
    assert result.exit_code == 0, result.output
    assert "6 allocation rows, 770,000 yuan" in result.output
    rows = read_csv(out / "allocations.csv")
    for row in rows:
        if (row["project_id"], row["year"]) == ("P1", "2027"):
            row["year"] = "2028"  # the road's second year moved past its start's years
        elif (row["project_id"], row["year"]) == ("P4", "2027"):
            row["amount"] = "40000"  # below Dongpo's 50,000 of before
        elif row["project_id"] == "P2":
            row["amount"] = "250000"  # more than the water fund has in 2026
    write_csv(out / "allocations.csv", list(rows[0]), [list(r.values()) for r in rows])
    result = runner.invoke(app, verify)
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    for expected in (
        "fund F2 spends 250,000 yuan in 2026 but has 200,000 yuan",
        "project P1 is paid in 2028, which is no year of a 2-year start in 2026",
        "village V3 receives 40,000 yuan in 2027, below its support before exit of 50,000",
        "exiting poor village V1 has no funded road project",
    ):
        assert expected in text, expected


def test_verify_wants_the_year_of_every_row(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(TINY_YEARS, out)[0] == 0
    rows = read_csv(out / "allocations.csv")
    write_csv(
        out / "allocations.csv",
        ["project_id", "village_id", "fund_id", "amount"],
        [[r["project_id"], r["village_id"], r["fund_id"], r["amount"]] for r in rows],
    )
    result = CliRunner().invoke(app, ["verify", str(TINY_YEARS), str(out), "--model", str(SPEC)])
    assert result.exit_code == 2
    assert "missing column year" in result.output


def _next_years(tmp_path: Path) -> Path:
    """The tiny case a year on: 2027-2029, 2027's money including what 2026 left."""
    case = tmp_path / "tiny_years_2027"
    shutil.copytree(TINY_YEARS, case)
    meta = case / "case.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8")
        .replace("year: 2026", "year: 2027")
        .replace("[2026, 2027, 2028]", "[2027, 2028, 2029]"),
        encoding="utf-8",
    )
    write_csv(
        case / "budgets.csv",
        ["fund_id", "year", "budget"],
        [["F1", 2027, 290_000], ["F1", 2028, 100_000], ["F1", 2029, 100_000]],
    )
    _edit(case / "projects.csv", "latest_year", ("project_id", "P4"), "")
    needs = [r for r in read_csv(case / "needs.csv") if r["need"] != "drinking_water"]
    write_csv(case / "needs.csv", list(needs[0]), [list(r.values()) for r in needs])
    return case


def test_a_rolling_re_plan_keeps_the_started_projects_money_and_years(tmp_path: Path) -> None:
    first = tmp_path / "plan_2026"
    assert _run(TINY_YEARS, first)[0] == 0
    case = _next_years(tmp_path)
    second = tmp_path / "plan_2027"
    result = CliRunner().invoke(
        app,
        ["run", str(case), "--model", str(SPEC), "--out", str(second), "--previous", str(first)],
    )
    assert result.exit_code == 0, result.output
    rows = [
        (r["project_id"], r["fund_id"], int(r["amount"]), int(r["year"]))
        for r in read_csv(second / "allocations.csv")
    ]
    # Started in 2026: the road and the tea garden keep their 2027 money from F1; the
    # water project is finished; the cooperative (planned for 2028) is decided again.
    assert ("P1", "F1", 200_000, 2027) in rows
    assert ("P4", "F1", 60_000, 2027) in rows
    assert not any(r[0] == "P2" for r in rows)
    assert [r for r in rows if r[0] == "P3"] == [("P3", "F1", 100_000, 2028)]
    verify = ["verify", str(case), str(second), "--model", str(SPEC)]
    result = CliRunner().invoke(app, [*verify, "--previous", str(first)])
    assert result.exit_code == 0, result.output
    # Moving committed money is caught.
    table = read_csv(second / "allocations.csv")
    for row in table:
        if row["project_id"] == "P1":
            row["amount"] = "150000"
    write_csv(second / "allocations.csv", list(table[0]), [list(r.values()) for r in table])
    result = CliRunner().invoke(app, [*verify, "--previous", str(first)])
    assert result.exit_code == 1
    assert "P1" in result.output


def test_re_planning_needs_a_multi_year_plan_before_it(tmp_path: Path) -> None:
    first = tmp_path / "plan_2026"
    assert _run(TINY_YEARS, first)[0] == 0
    again = ["run", str(TINY_YEARS), "--model", str(SPEC), "--out", str(tmp_path / "again")]
    result = CliRunner().invoke(app, [*again, "--previous", str(first)])
    assert result.exit_code == 2
    assert "not before this plan's first year" in " ".join(result.output.split())


def test_compare_shows_money_moved_between_years(tmp_path: Path) -> None:
    loose = tmp_path / "no_floor.yaml"
    loose.write_text(
        "\n".join(
            line
            for line in SPEC.read_text(encoding="utf-8").splitlines()
            if "post_exit_support" not in line
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "cmp"
    scenarios = ["-s", f"floor={BASELINE},{SPEC}", "-s", f"no_floor={BASELINE},{loose}"]
    result = CliRunner().invoke(app, ["compare", str(TINY_YEARS), *scenarios, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = {
        (int(r["year"]), r["fund_id"]): (
            int(r["floor"]),
            int(r["no_floor"]),
            int(r["change_no_floor"]),
        )
        for r in read_csv(out / "compare_years.csv")
    }
    # Without the floor the cooperative moves from 2028 to 2027 and the tea garden shrinks.
    assert rows[(2027, "F1")] == (260_000, 325_000, 65_000)
    assert rows[(2028, "F1")] == (100_000, 0, -100_000)
    assert rows[(2026, "F1")] == (260_000, 225_000, -35_000)
    funds = {r["fund_id"]: r for r in read_csv(out / "compare_funds.csv")}
    assert int(funds["F1"]["floor"]) == 620_000  # all years together
    summary = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    moved = summary["scenarios"][1]["money_moved"]
    assert moved["year"] == 100_000


def test_explain_shows_a_project_and_a_fund_year_by_year(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(TINY_YEARS, out)[0] == 0
    base = ["explain", str(TINY_YEARS), str(out), "--model", str(SPEC)]
    result = CliRunner().invoke(app, [*base, "--project", "P1"])
    assert result.exit_code == 0, result.output
    assert "F1: eligible (EARMARK, POV-TARGET); pays 400,000 yuan" in result.output
    assert "2026: 200,000 yuan from F1" in result.output
    assert "2027: 200,000 yuan from F1" in result.output
    result = CliRunner().invoke(app, [*base, "--fund", "F2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["budget"] == "200000"
    assert data["summary"]["unused"] == "50000"  # lapsed in 2027
    lapsed = [(r["year"], r["lapsed"]) for r in data["by_year"]]
    assert lapsed == [("2026", "0"), ("2027", "50000"), ("2028", "0")]


def test_households_over_a_horizon_get_their_measures_by_their_exit_year(
    tmp_path: Path,
) -> None:
    # The hand-worked household case over 2026-2027: the 2027 exits (H13, H21) now fall
    # in the plan, so the household floor asks a measure for them as well; measures are
    # given in the plan's first year, from that year's money.
    case = tmp_path / "households_2026_2027"
    shutil.copytree(ROOT / "cases" / "tiny_households", case)
    meta = case / "case.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "year: 2026\n", "year: 2026\nhorizon: [2026, 2027]\n"
        ),
        encoding="utf-8",
    )
    write_csv(
        case / "budgets.csv",
        ["fund_id", "year", "budget"],
        [["F1", 2026, 40_000], ["F1", 2027, 30_000], ["F2", 2026, 10_000]],
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "--out", str(out)])
    assert result.exit_code == 0, result.output
    measures = read_csv(out / "household_measures.csv")
    assert list(measures[0]) == [
        "household_id",
        "village_id",
        "measure_id",
        "fund_id",
        "amount",
        "year",
    ]
    assert {r["year"] for r in measures} == {"2026"}
    reached = {r["household_id"] for r in measures}
    assert {"H11", "H12", "H13", "H21", "H22"} <= reached  # every exit by 2027
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["households"]["exiting"] == 5
    assert summary["households"]["exiting_reached"] == 5
    spent_2026 = sum(int(r["amount"]) for r in measures) + sum(
        int(r["amount"]) for r in read_csv(out / "allocations.csv") if r["year"] == "2026"
    )
    assert spent_2026 == summary["years"][0]["spent"]  # measures count in 2026's money
    verify = CliRunner().invoke(app, ["verify", str(case), str(out)])
    assert verify.exit_code == 0, verify.output
    for row in measures:
        if row["household_id"] == "H13":
            row["measure_id"] = "M3"  # an industry subsidy the water fund may not pay
    write_csv(
        out / "household_measures.csv", list(measures[0]), [list(r.values()) for r in measures]
    )
    verify = CliRunner().invoke(app, ["verify", str(case), str(out)])
    assert verify.exit_code == 1
    assert "H13" in verify.output


def test_relax_writes_the_best_plan_that_breaks_the_fewest_floors(
    case_dir: Path, tmp_path: Path
) -> None:
    spec = _short_of_support(case_dir, tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", str(case_dir), "--model", str(spec), "--out", str(out), "--relax"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["relaxed"] is True
    assert any("V3" in text and "2027" in text for text in summary["relaxed_policies"])
    for account in read_csv(out / "funds.csv"):  # budgets are never relaxed
        assert int(account["spent"]) <= int(account["budget"]) + int(account["carried_in"])


def test_a_multi_year_case_as_one_workbook_plans_the_same(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "tiny_years.xlsx"
    runner = CliRunner()
    assert runner.invoke(app, ["convert", str(TINY_YEARS), str(book)]).exit_code == 0
    from_folder, from_book = tmp_path / "folder", tmp_path / "book"
    assert _run(TINY_YEARS, from_folder)[0] == 0
    code, output = _run(book, from_book)
    assert code == 0, output
    for name in ("allocations.csv", "funds.csv", "villages.csv"):
        assert (from_book / name).read_bytes() == (from_folder / name).read_bytes(), name
    # A budget year outside the horizon is named by its sheet and cell.
    workbook = load_workbook(book)
    sheet = workbook["budgets"]
    sheet["B5"] = 2031
    workbook.save(book)
    code, output = _run(book, tmp_path / "bad")
    assert code == 2
    assert "budgets!B5" in output and "outside the horizon" in " ".join(output.split())


def test_a_continuing_project_no_money_can_pay_is_named(case_dir: Path, tmp_path: Path) -> None:
    # P3 is continuing (its 100,000 due in 2026) but F1 has 50,000 in 2026.
    _edit(case_dir / "projects.csv", "continuing", ("project_id", "P3"), "true")
    _edit(case_dir / "projects.csv", "earliest_year", ("project_id", "P3"), "")
    _budgets(case_dir, {("F1", 2026): 50_000})
    spec = tmp_path / "model.yaml"
    text = SPEC.read_text(encoding="utf-8")
    spec.write_text(
        "\n".join(
            line
            for line in text.splitlines()
            if "post_exit_support" not in line and "exit_standards" not in line
        )
        + "\n",
        encoding="utf-8",
    )
    code, output = _run(case_dir, tmp_path / "out", spec)
    assert code == 3, output
    text = " ".join(output.split())
    assert "P3" in text and "continuing" in text


def test_a_multi_year_run_over_http_writes_the_bytes_the_cli_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.service_support import auth, file_bytes, service_client, start, upload, wait

    cli_out = tmp_path / "cli"
    assert _run(TINY_YEARS, cli_out)[0] == 0
    spec = SPEC.read_text(encoding="utf-8")
    with service_client(tmp_path / "data", monkeypatch) as client:
        case_id = upload(client, "county-a", TINY_YEARS)
        job_id = start(client, "county-a", "/v1/runs", {"case_id": case_id, "model_yaml": spec})
        job = wait(client, "county-a", job_id)
        assert job["state"] == "done", job
        listed = client.get(f"/v1/jobs/{job_id}/files", headers=auth("county-a")).json()
        for name in ("allocations.csv", "funds.csv", "villages.csv"):
            assert name in {f["name"] for f in listed}
            assert file_bytes(client, "county-a", job_id, name) == (cli_out / name).read_bytes()


def test_a_continuing_project_no_fund_may_pay_is_refused_before_solving(
    case_dir: Path, tmp_path: Path
) -> None:
    # P3 continuing, and irrigation: no fund's earmark lists it.
    _edit(case_dir / "projects.csv", "continuing", ("project_id", "P3"), "true")
    _edit(case_dir / "projects.csv", "earliest_year", ("project_id", "P3"), "")
    _edit(case_dir / "projects.csv", "category", ("project_id", "P3"), "irrigation")
    code, output = _run(case_dir, tmp_path / "out")
    assert code == 3, output
    text = " ".join(output.split())
    assert "1 continuing project(s) cannot be paid in their years" in text and "P3" in text
    assert "internal error" not in text
    out = tmp_path / "relaxed"
    result = CliRunner().invoke(
        app, ["run", str(case_dir), "--model", str(SPEC), "--out", str(out), "--relax"]
    )
    assert result.exit_code == 0, result.output
    assert not any(r["project_id"] == "P3" for r in read_csv(out / "allocations.csv"))


def test_the_lp_led_start_of_a_three_year_county_is_a_plan(tmp_path: Path) -> None:
    """Generated three-year county (seed 1, no register): the LP-led start satisfies
    every row. It broke two: filling money the LP had left idle broke the industry
    share, and a two-year project was started where its second year's money had run
    out, so its parts were funded unevenly. Its value is 2.6e-3 below the LP bound."""
    from allocator import load_ruleset, load_spec, rule_schema
    from allocator.app.generate import SIZES, generate_case, multi_year_files, write_case
    from allocator.io.horizon import unroll
    from allocator.optimize.model import build_model
    from allocator.optimize.solve import compile_model, solve_relaxation, start_value
    from allocator.optimize.warmstart import lp_guided_start
    from allocator.policies.carry_over import carry_years
    from allocator.rules.eligibility import evaluate_eligibility
    from allocator.valuation import project_values

    files = multi_year_files(generate_case(SIZES["county"], 1), 3, 1)
    spec = load_spec(DEFAULT_SPEC).spec
    case = unroll(
        load_case(write_case(files, tmp_path / "c")),
        carry_years(spec.policies),
        spec.objective.year_weights,
    )
    eligibility = evaluate_eligibility(case, load_ruleset(BASELINE, rule_schema(case.meta)))
    values = project_values(case, spec.objective)
    am = build_model(case, eligibility, values, spec)
    compiled = compile_model(am)
    relaxed = solve_relaxation(compiled, spec.solver)
    value = start_value(lp_guided_start(case, am, compiled, values, spec, relaxed))
    assert value is not None and relaxed.objective is not None
    assert (relaxed.objective - value) / relaxed.objective < 5e-3


def test_relax_and_fix_finds_the_first_plan_when_no_start_holds_every_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the three-year province with its register both starts broke the industry
    share and no re-routing repaired them; relax-and-fix, which was only run from a
    feasible start, then never ran, and no plan was found in 300 s. It needs no
    feasible start: here every start funds everything (over budget), and relax-and-fix
    still finds the plan, which passes the independent check."""

    from allocator import load_ruleset, load_spec, rule_schema
    from allocator.app.generate import SIZES, generate_case, multi_year_files, write_case
    from allocator.app.years import allocate_years
    from allocator.optimize import pipeline
    from allocator.optimize.solve import Point, start_value

    starts_over_budget(monkeypatch)
    staged: list[object] = []
    plan_year_by_year = pipeline._plan_year_by_year

    def spy(*args: object, **kwargs: object) -> object:
        point = plan_year_by_year(*args, **kwargs)  # type: ignore[arg-type]
        staged.append(point)
        return point

    monkeypatch.setattr(pipeline, "_plan_year_by_year", spy)
    files = multi_year_files(generate_case(SIZES["tiny"], 1), 3, 1)
    case = load_case(write_case(files, tmp_path / "c"))
    spec = load_spec(DEFAULT_SPEC)
    years = allocate_years(case, load_ruleset(BASELINE, rule_schema(case.meta)), spec)
    assert len(staged) == 1 and isinstance(staged[0], Point)
    assert start_value(staged[0]) is not None
    assert years.unrolled.status.has_plan and years.unrolled.allocations
