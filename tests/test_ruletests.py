"""Rule-set tests as data: the shipped ones pass; wrong expectations are reported."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from allocator.cli import app
from allocator.rules.ruletests import discover, run_file
from tests.conftest import ROOT

runner = CliRunner()


def test_shipped_rule_set_tests_pass() -> None:
    files = discover([ROOT / "rules"])
    assert {f.name for f in files} == {"baseline.test.yaml", "exit_window_5y.test.yaml"}
    outcomes = [o for f in files for o in run_file(f)]
    assert len(outcomes) >= 19 and all(o.passed for o in outcomes), [
        o.message for o in outcomes if not o.passed
    ]
    result = runner.invoke(app, ["test", str(ROOT / "rules")])
    assert result.exit_code == 0 and "0 failed" in result.output


def test_wrong_expectations_fail_with_the_reason(tmp_path: Path) -> None:
    test = tmp_path / "wrong.test.yaml"
    test.write_text(
        f"ruleset: {ROOT / 'rules' / 'baseline.yaml'}\n"
        "villages: [{village_id: A, poor_village: false}]\n"
        "projects: [{project_id: P, village_id: A, category: road}]\n"
        "funds: [{fund_id: F, kind: poverty_special, level: central, categories: [road]}]\n"
        "expect:\n"
        "  - {fund: F, project: P, eligible: true, by: [EARMARK, POV-TARGET]}\n"
        "  - {fund: F, project: P, eligible: false, by: EARMARK}\n"
        "  - {fund: F, project: P, eligible: false, by: POV-TARGET}\n",
        encoding="utf-8",
    )
    outcomes = run_file(test)
    assert [o.passed for o in outcomes] == [False, False, True]
    assert "expected eligible, got excluded by POV-TARGET" in outcomes[0].message
    assert "expected by ['EARMARK', 'EARMARK'], got ['POV-TARGET', 'POV-TARGET']" in (
        outcomes[1].message
    )
    result = runner.invoke(app, ["test", str(test)])
    assert result.exit_code == 1 and "1 passed, 2 failed" in result.output


def test_malformed_test_file_is_an_input_error(tmp_path: Path) -> None:
    test = tmp_path / "bad.test.yaml"
    test.write_text(
        "ruleset: x.yaml\nvillages: []\nprojects: []\nfunds: []\n"
        "expect: [{fund: F, project: P, eligible: true, by: EARMARK}]\n"
        "colour: red\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["test", str(test)])
    assert result.exit_code == 2 and "unknown key 'colour'" in result.output
