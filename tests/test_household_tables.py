"""The household tables are built column by column: the bytes written are those the
row-by-row builders wrote (kept here, verbatim, as the reference)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from allocator import load_case
from allocator.app.defaults import DEFAULT_MODEL, DEFAULT_RULES
from allocator.app.generate import SIZES, generate_case, multi_year_files, write_case
from allocator.optimize.pipeline import allocate
from allocator.plan import Plan
from allocator.report.household_tables import (
    household_measure_rows,
    household_outcome,
    household_rows,
)
from allocator.report.output import csv_text
from allocator.report.tables import Row
from allocator.rules.ruleset import load_ruleset, rule_schema
from allocator.spec import load_spec
from tests.conftest import ROOT


def reference_measure_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    case, options = plan.case, plan.households
    header = ["household_id", "village_id", "measure_id", "fund_id", "amount"]
    if options is None:
        return header, []
    register = options.register
    rows: list[Row] = [
        [
            str(register.ids[g.household]),
            case.villages[int(register.village[g.household])].village_id,
            case.measures[g.measure].measure_id,
            case.funds[g.fund].fund_id,
            g.amount,
        ]
        for g in plan.grants
    ]
    if case.meta.horizon is not None:
        return [*header, "year"], [[*row, case.meta.year] for row in rows]
    return header, rows


def reference_household_rows(plan: Plan) -> tuple[list[str], list[Row]]:
    case, options = plan.case, plan.households
    header = [
        "household_id",
        "village_id",
        "members",
        "exit_year",
        "measures",
        "amount",
        "reason",
        "detail",
    ]
    if options is None:
        return header, []
    register = options.register
    ledger = plan.grant_ledger
    rows: list[Row] = []
    unreached = {}
    for h in np.flatnonzero(register.poor).tolist():
        if ledger.reached(h):
            outcome = household_outcome(plan, h)
        else:
            c = int(options.classes.of_household[h])
            if c not in unreached:
                unreached[c] = household_outcome(plan, h)
            outcome = unreached[c]
        measures = ledger.measures_of.get(h, [])
        rows.append(
            [
                str(register.ids[h]),
                case.villages[int(register.village[h])].village_id,
                int(register.members[h]),
                int(register.exit_year[h]),
                ";".join(case.measures[m].measure_id for m in measures),
                sum(ledger.by_grant[(h, m)] for m in measures),
                outcome.reason,
                outcome.detail,
            ]
        )
    return header, rows


def _generated(tmp_path: Path, seed: int, years: int = 1, divide: int = 4) -> Path:
    """A generated tiny case with its register, its funds divided so that some registered
    poor households are not reached (both kinds of row are compared)."""
    files = generate_case(SIZES["tiny"], seed, with_households=True)
    funds = list(csv.reader(io.StringIO(files["funds.csv"])))
    budget = funds[0].index("budget")
    for row in funds[1:]:
        row[budget] = str(int(row[budget]) // divide)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(funds)
    files["funds.csv"] = text.getvalue()
    return write_case(multi_year_files(files, years, seed), tmp_path / "case")


def _plan(folder: Path) -> Plan:
    case = load_case(folder)
    ruleset = load_ruleset(DEFAULT_RULES, rule_schema(case.meta))
    return allocate(case, ruleset, load_spec(DEFAULT_MODEL))


@pytest.mark.parametrize(
    ("label", "case"),
    [
        ("bundled", lambda tmp: ROOT / "cases" / "tiny_households"),
        ("seed 1", lambda tmp: _generated(tmp, 1)),
        ("seed 2", lambda tmp: _generated(tmp, 2)),
        ("three years", lambda tmp: _generated(tmp, 1, years=3, divide=3)),
    ],
)
def test_household_tables_are_byte_identical_to_the_row_builders(
    tmp_path: Path, label: str, case: object
) -> None:
    plan = _plan(case(tmp_path))  # type: ignore[operator]
    assert plan.households is not None and plan.grants
    for built, reference in (
        (household_measure_rows, reference_measure_rows),
        (household_rows, reference_household_rows),
    ):
        assert csv_text(*built(plan)) == csv_text(*reference(plan))
    reasons = {row[6] for row in household_rows(plan)[1]}
    assert "reached" in reasons and len(reasons) > 1  # both kinds of row are compared
