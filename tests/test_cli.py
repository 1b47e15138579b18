"""The command line end to end: outputs, exit codes, messages, determinism, atomicity."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import DEFAULT_SPEC, TINY, read_csv, write_csv
from tests.test_case_loading import BAD_INPUTS

runner = CliRunner()
PLAN_FILES = {
    "allocations.csv",
    "funds.csv",
    "projects.csv",
    "villages.csv",
    "unmet_needs.csv",
    "summary.json",
    "timings.json",
    "report.html",
}


def run_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_run_writes_the_expected_plan(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text = run_cli("run", str(TINY), "--out", str(out))
    assert code == 0, text
    assert "status optimal" in text and "Budget used per fund" in text
    assert "Top unmet needs" in text and str(out) in text
    assert {p.name for p in out.iterdir()} == PLAN_FILES
    expected = yaml.safe_load((TINY / "expected.yaml").read_text(encoding="utf-8"))
    per_project: dict[str, int] = {}
    for r in read_csv(out / "allocations.csv"):
        per_project[r["project_id"]] = per_project.get(r["project_id"], 0) + int(r["amount"])
    assert per_project == expected["project_amounts"]
    funds = {r["fund_id"]: r for r in read_csv(out / "funds.csv")}
    assert int(funds["F2"]["unused"]) == 50_000
    unmet = read_csv(out / "unmet_needs.csv")
    assert {(u["village_id"], u["need"], u["reason"]) for u in unmet} >= {
        ("V5", "relocation", "no_eligible_fund"),
        ("V4", "road", "funds_too_small"),
        ("V3", "irrigation", "budget_exhausted"),
    }
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["totals"]["allocated"] == 1_750_000
    assert summary["inputs"]["ruleset"]["id"] == "baseline"
    assert set(json.loads((out / "timings.json").read_text())) >= {
        "load",
        "rules",
        "build",
        "solve",
        "round",
        "check",
        "write",
    }


def test_json_output_is_parseable(tmp_path: Path) -> None:
    code, text = run_cli("run", str(TINY), "--out", str(tmp_path / "o"), "--json")
    assert code == 0
    assert json.loads(text)["objective"] == pytest.approx(1197.0)


def _plan_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.name != "timings.json"}


def test_same_inputs_give_byte_identical_outputs(tmp_path: Path) -> None:
    assert run_cli("run", str(TINY), "--out", str(tmp_path / "a"))[0] == 0
    assert run_cli("run", str(TINY), "--out", str(tmp_path / "b"))[0] == 0
    assert _plan_bytes(tmp_path / "a") == _plan_bytes(tmp_path / "b")


def test_shuffled_rows_give_the_same_plan(tiny: Path, tmp_path: Path) -> None:
    for name in ("villages.csv", "projects.csv", "funds.csv", "needs.csv", "scores.csv"):
        rows = read_csv(tiny / name)
        random.Random(name).shuffle(rows)
        write_csv(tiny / name, list(rows[0].keys()), [list(r.values()) for r in rows])
    assert run_cli("run", str(TINY), "--out", str(tmp_path / "a"))[0] == 0
    assert run_cli("run", str(tiny), "--out", str(tmp_path / "b"))[0] == 0
    a, b = _plan_bytes(tmp_path / "a"), _plan_bytes(tmp_path / "b")
    for name in a:
        if name != "summary.json":  # its input file hashes differ, as they should
            assert a[name] == b[name], name
    sa, sb = (json.loads(x["summary.json"]) for x in (a, b))
    sa["inputs"]["case_files"] = sb["inputs"]["case_files"] = None
    sa["case"]["folder"] = sb["case"]["folder"] = None
    assert sa == sb


def test_check_validates_without_solving(tmp_path: Path) -> None:
    code, text = run_cli("check", str(TINY))
    assert code == 0, text
    assert "valid" in text and "14 of 36" in text and not (tmp_path / "out").exists()


def test_invalid_input_exits_2_with_location_and_no_traceback(tiny: Path, tmp_path: Path) -> None:
    (tiny / "projects.csv").write_text(
        (tiny / "projects.csv").read_text(encoding="utf-8").replace("300000", "300000.5", 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, text = run_cli("run", str(tiny), "--out", str(out))
    assert code == 2
    assert "projects.csv, row 2, column 'cost'" in text and "no decimals" in text
    assert "Traceback" not in text
    assert not out.exists()


def test_rule_error_exits_2_pointing_at_the_rule(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "ruleset: r\nrules:\n  - id: A\n    description: a\n    reference: r\n"
        "    require: village.poor_vilage\n",
        encoding="utf-8",
    )
    code, text = run_cli("check", str(TINY), "--rules", str(rules))
    assert code == 2
    assert "r.yaml:6:14" in text and "did you mean village.poor_village?" in text


def test_infeasible_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        DEFAULT_SPEC.read_text(encoding="utf-8").replace(
            "  divisible_min_share: 0.25\n",
            "  divisible_min_share: 0.25\n  must_fund_categories: [relocation]\n",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, text = run_cli("run", str(TINY), "--model", str(spec), "--out", str(out))
    assert code == 3, text
    assert "P11" in text and not out.exists()


def test_output_path_that_is_a_file_or_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("keep me")
    code, text = run_cli("run", str(TINY), "--out", str(target))
    assert code == 2 and "is a file" in text and target.read_text() == "keep me"
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("keep me too")
    code, text = run_cli("run", str(TINY), "--out", str(foreign))
    assert code == 2 and "not written by allocator" in text
    assert [p.name for p in foreign.iterdir()] == ["thesis.docx"]


def test_rerun_replaces_an_earlier_output_completely(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("run", str(TINY), "--out", str(out))[0] == 0
    (out / "stale.csv").write_text("old")
    assert run_cli("run", str(TINY), "--out", str(out))[0] == 0
    assert {p.name for p in out.iterdir()} == PLAN_FILES
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_missing_case_folder(tmp_path: Path) -> None:
    code, text = run_cli("run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"))
    assert code == 2 and "case folder does not exist" in text


def test_generate_is_seeded_and_loadable(tmp_path: Path) -> None:
    assert run_cli("generate", str(tmp_path / "a"), "--size", "tiny", "--seed", "5")[0] == 0
    assert run_cli("generate", str(tmp_path / "b"), "--size", "tiny", "--seed", "5")[0] == 0
    assert run_cli("generate", str(tmp_path / "c"), "--size", "tiny", "--seed", "6")[0] == 0
    a, b, c = ({p.name: p.read_bytes() for p in (tmp_path / x).iterdir()} for x in "abc")
    assert a == b and a != c
    code, text = run_cli("check", str(tmp_path / "a"))
    assert code == 0, text
    code, text = run_cli("generate", str(tmp_path / "d"), "--size", "galaxy")
    assert code == 2 and "unknown size" in text


def test_console_script_runs_as_a_program(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "allocator",
            "run",
            str(TINY),
            "--out",
            str(tmp_path / "o"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("optimal: plan written to")
    assert "Running HiGHS" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("label", "mutate", "fragment", "where"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_every_bad_input_exits_2_with_one_message_and_writes_nothing(
    tiny: Path, tmp_path: Path, label: str, mutate: Any, fragment: str, where: str
) -> None:
    mutate(tiny)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tiny), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert fragment in result.output and where in result.output
    assert result.output.count("error:") == 1 and "Traceback" not in result.output
    assert not out.exists()


SPEC_ERRORS = [
    ("unknown key", "spec: x\ncolour: red\n", "unknown key 'colour'", "spec.yaml:2:1"),
    ("wrong type", "spec: x\nsolver:\n  mip_gap: lots\n", "'solver.mip_gap'", "spec.yaml:3:12"),
    (
        "out of range",
        "spec: x\npolicies:\n  divisible_min_share: 1.5\n",
        "less than or equal to 1",
        "spec.yaml:3:24",
    ),
    (
        "min above max",
        "spec: x\npolicies:\n  category_shares:\n    - {category: industry, "
        "min_share: 0.8, max_share: 0.5}\n",
        "min_share is larger than max_share",
        "spec.yaml:4:7",
    ),
    (
        "unknown category",
        "spec: x\npolicies:\n  must_fund_categories: [drinking_watr]\n",
        "unknown category 'drinking_watr'",
        "spec.yaml:3:26",
    ),
    ("duplicate key", "spec: x\nspec: y\n", "duplicate key 'spec'", "spec.yaml:2:1"),
    ("alias", "spec: &a x\ndescription: *a\n", "anchors", "spec.yaml:1:7"),
    ("not a mapping", "- a\n- b\n", "must be a mapping", "spec.yaml:1:1"),
]


@pytest.mark.parametrize(
    ("label", "text", "fragment", "where"), SPEC_ERRORS, ids=[s[0] for s in SPEC_ERRORS]
)
def test_bad_model_spec_is_located(
    tmp_path: Path, label: str, text: str, fragment: str, where: str
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    code, output = run_cli("check", str(TINY), "--model", str(spec))
    assert code == 2, output
    assert fragment in output and where in output, output


def test_input_files_are_never_modified(tiny: Path, tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in tiny.iterdir()}
    assert run_cli("run", str(tiny), "--out", str(tmp_path / "out"))[0] == 0
    assert {p.name: p.read_bytes() for p in tiny.iterdir()} == before


def test_a_failed_write_leaves_the_earlier_output_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run_cli("run", str(TINY), "--out", str(out))[0] == 0
    before = _plan_bytes(out)
    import allocator.report.output as output

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", broken_fsync)
    code, text = run_cli("run", str(TINY), "--out", str(out))
    assert code == 2 and "No space left on device" in text
    assert _plan_bytes(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


RULE_ERRORS = [
    ("unknown attribute", "require: village.poverty_rat > 3", "unknown attribute", ":6:14"),
    ("type error", "require: village.terrain > 3", "compares numbers", ":6:14"),
    ("unknown function", "require: len(fund.kind) > 1", "unknown function 'len'", ":6:14"),
    ("syntax", "require: fund.kind = 'x'", "syntax error", ":6:24"),
    ("empty value", "require: village.exit_year < 2020", "may be empty", ":6:14"),
]


@pytest.mark.parametrize(
    ("label", "line", "fragment", "where"), RULE_ERRORS, ids=[r[0] for r in RULE_ERRORS]
)
def test_rule_errors_through_the_cli(
    tmp_path: Path, label: str, line: str, fragment: str, where: str
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f"ruleset: r\nrules:\n  - id: A\n    description: a\n    reference: r\n    {line}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, text = run_cli("run", str(TINY), "--rules", str(rules), "--out", str(out))
    assert code == 2 and fragment in text and f"rules.yaml{where}" in text
    assert text.count("error:") == 1 and "Traceback" not in text and not out.exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    code, text = run_cli("run", str(tmp_path / "missing"), "--out", str(tmp_path / "o"), "--debug")
    assert code == 2 and "Traceback" in text and "case folder does not exist" in text


def test_progress_reports_every_phase(tmp_path: Path) -> None:
    from allocator import Progress, run

    events: list[Progress] = []
    run(TINY, tmp_path / "out", progress=events.append)
    phases = [e.phase for e in events]
    for phase in ("load", "rules", "build", "start", "solve", "round", "write"):
        assert phase in phases
    assert phases.index("load") < phases.index("solve") < phases.index("write")


def test_outputs_get_the_users_usual_permissions(tmp_path: Path) -> None:
    """A plan folder and a workbook are made through private temporary files, then
    published: they must end up readable as any file the user saves (umask 022 here)."""
    import os

    old = os.umask(0o022)
    try:
        assert run_cli("run", str(TINY), "--out", str(tmp_path / "o"), "-q")[0] == 0
        assert run_cli("template", str(tmp_path / "t.xlsx"))[0] == 0
    finally:
        os.umask(old)
    assert (tmp_path / "o").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "t.xlsx").stat().st_mode & 0o777 == 0o644
