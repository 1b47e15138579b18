"""The rule language and rule sets: parsing, types, positions, extends, eligibility."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from allocator.errors import RuleError
from allocator.io.case import load_case
from allocator.rules.eligibility import evaluate_eligibility
from allocator.rules.ruleset import load_ruleset, rule_schema
from tests.conftest import BASELINE, TINY, VARIANT


def write_rules(folder: Path, body: str, name: str = "rules.yaml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def one_rule(require: str, when: str | None = None) -> str:
    lines = ["ruleset: t", "rules:", "  - id: R1", "    description: d", "    reference: r"]
    if when is not None:
        lines.append(f"    when: {when}")
    lines.append(f"    require: {require}")
    return "\n".join(lines) + "\n"


# require: starts at column 14 on line 6 (1-based) in one_rule()
@pytest.mark.parametrize(
    ("require", "fragment", "column"),
    [
        (
            "village.poverty_rat > 3",
            "unknown attribute 'village.poverty_rat'; did you mean village.poverty_rate?",
            14,
        ),
        ("village.poor_village and fund.colour == 1", "unknown attribute 'fund.colour'", 39),
        ("town.x == 1", "unknown entity 'town'", 14),
        ("village.terrain > 3", "'>' compares numbers, but 'village.terrain' is str", 14),
        (
            "village.exit_year <= 2026",
            "village.exit_year may be empty; write default(village.exit_year, <value>)",
            14,
        ),
        ("fund.kind == 3", "cannot compare str with int using '=='", 14),
        ("village.poverty_rate + 1", "expression must be true/false", 14),
        ("village.poor_village and 3", "'and' needs true/false operands", 39),
        ("len(fund.kind) > 1", "unknown function 'len'", 14),
        ("fund.kind.upper() == 'X'", "unknown function", 14),
        ("fund.__class__ == 1", "unknown attribute 'fund.__class__'", 14),
        ("1 == [x for x in [1]]", "not allowed", 19),
        ("fund.kind = 'water'", "syntax error", 24),
        ("village.terrain in ['hill', 3]", "list item 3 is int but the value tested is str", 42),
        ("village.terrain in fund.kind", "'in' needs a literal list", 33),
        ("default(village.exit_year, 'x') > 1", "default value is str", 41),
        ("village.poverty_rate ** 2 > 1", "not allowed", 14),
        ("village.poor_village if true else false", "not allowed", 14),
        ("fund.budget[0] > 1", "not allowed", 14),
    ],
)
def test_errors_point_at_the_token(
    tmp_path: Path, require: str, fragment: str, column: int
) -> None:
    path = write_rules(tmp_path, one_rule(require))
    with pytest.raises(RuleError) as info:
        load_ruleset(path)
    assert fragment in info.value.message, info.value.message
    loc = info.value.location
    assert loc is not None and (loc.file, loc.line, loc.column) == (path, 6, column), str(loc)


def test_positions_inside_a_folded_block(tmp_path: Path) -> None:
    body = (
        "ruleset: t\nrules:\n  - id: R1\n    description: d\n    reference: r\n"
        "    require: >\n      village.poor_village\n      or village.povrty_rate >= 3\n"
    )
    path = write_rules(tmp_path, body)
    with pytest.raises(RuleError) as info:
        load_ruleset(path)
    assert str(info.value.location).endswith("rules.yaml:8:10")


def test_over_long_and_deep_expressions_are_refused(tmp_path: Path) -> None:
    long = " or ".join(["village.poor_village"] * 120)
    with pytest.raises(RuleError, match="longer than"):
        load_ruleset(write_rules(tmp_path, one_rule(long)))
    deep = "(" * 40 + "village.poverty_rate" + " + 1)" * 40 + " > 3"
    with pytest.raises(RuleError, match="nested"):
        load_ruleset(write_rules(tmp_path, one_rule(deep)))


def test_rule_set_shape_errors(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "ruleset: t\nrules:\n  - id: R1\n    require: 'true'\n")
    with pytest.raises(RuleError, match=re.escape("missing key 'rules.0.description'")):
        load_ruleset(path)
    path = write_rules(
        tmp_path, one_rule("true").replace("reference: r", "reference: r\n    colour: red")
    )
    with pytest.raises(RuleError) as info:
        load_ruleset(path)
    assert "unknown key 'colour'" in info.value.message
    assert str(info.value.location).endswith(":6:5")


def test_extends_overrides_in_place_adds_and_removes(tmp_path: Path) -> None:
    parent = write_rules(
        tmp_path,
        (
            "ruleset: parent\nrules:\n"
            "  - {id: A, description: a, reference: r, require: 'true'}\n"
            "  - {id: B, description: b, reference: r, require: 'true'}\n"
            "  - {id: C, description: c, reference: r, require: 'true'}\n"
        ),
        "parent.yaml",
    )
    child = write_rules(
        tmp_path,
        (
            "ruleset: child\nextends: parent.yaml\nremove: [C]\nrules:\n"
            "  - {id: A, description: a2, reference: r, require: 'false'}\n"
            "  - {id: D, description: d, reference: r, require: 'true'}\n"
        ),
        "child.yaml",
    )
    rules = load_ruleset(child)
    assert [r.id for r in rules.rules] == ["A", "B", "D"]
    assert rules.rule("A").description == "a2"
    assert rules.files == (child, parent)
    assert parent.read_text(encoding="utf-8").count("id:") == 3  # parent untouched


def test_extends_errors(tmp_path: Path) -> None:
    a = write_rules(tmp_path, "ruleset: a\nextends: b.yaml\n", "a.yaml")
    write_rules(tmp_path, "ruleset: b\nextends: a.yaml\n", "b.yaml")
    with pytest.raises(RuleError, match=re.escape("cycle: a.yaml -> b.yaml -> a.yaml")):
        load_ruleset(a)
    missing = write_rules(tmp_path, "ruleset: m\nextends: gone.yaml\n", "m.yaml")
    with pytest.raises(RuleError) as info:
        load_ruleset(missing)
    assert "not found" in info.value.message and str(info.value.location).endswith("m.yaml:2:10")
    bad_remove = write_rules(tmp_path, "ruleset: r\nextends: b2.yaml\nremove: [Z]\n", "r.yaml")
    write_rules(tmp_path, "ruleset: b2\n", "b2.yaml")
    with pytest.raises(RuleError, match="cannot remove rule 'Z'"):
        load_ruleset(bad_remove)


def test_baseline_eligibility_on_the_tiny_case() -> None:
    case = load_case(TINY)
    rules = load_ruleset(BASELINE, rule_schema(case.meta))
    elig = evaluate_eligibility(case, rules)
    pairs = {
        (case.funds[f].fund_id, case.projects[p].project_id)
        for f, p in zip(*np.nonzero(elig.eligible), strict=True)
    }
    assert pairs == {
        ("F1", "P01"),
        ("F1", "P02"),
        ("F1", "P03"),
        ("F1", "P04"),
        ("F1", "P05"),
        ("F1", "P06"),
        ("F1", "P10"),
        ("F1", "P12"),
        ("F2", "P01"),
        ("F2", "P05"),
        ("F2", "P07"),
        ("F2", "P09"),
        ("F3", "P08"),
        ("F3", "P09"),
    }
    f1, p08, p09 = 0, 7, 8
    assert elig.excluding_rule(f1, p08) == "POV-TARGET"  # V4 never poor
    assert elig.excluding_rule(2, 0) == "EARMARK" or elig.excluding_rule(2, 0) == "MIGRANT-ONLY"
    assert elig.admitting_rules(2, p09) == ["EARMARK", "MIGRANT-ONLY"]
    assert elig.admitting_rules(1, p09) == ["EARMARK"]


def test_variant_changes_what_it_says() -> None:
    case = load_case(TINY)
    base = evaluate_eligibility(case, load_ruleset(BASELINE, rule_schema(case.meta)))
    variant_rules = load_ruleset(VARIANT, rule_schema(case.meta))
    assert [r.id for r in variant_rules.rules][:2] == ["POV-TARGET", "POV-LOCAL-INCIDENCE"]
    assert variant_rules.rules[-1].id == "POV-INCOME-CEILING"
    variant = evaluate_eligibility(case, variant_rules)
    # V3 (exited 2024, income 9,800) stays eligible for F1 under both.
    assert base.eligible[0, 5] and variant.eligible[0, 5]
    assert (base.eligible == variant.eligible).all()  # no village exited 4-5 years ago here


def test_case_extra_attributes_are_usable(tmp_path: Path) -> None:
    from allocator.schemas import CaseMeta, ExtraColumns

    meta = CaseMeta(name="x", year=2026, extra_columns=ExtraColumns(villages={"altitude": "int"}))
    path = write_rules(tmp_path, one_rule("village.altitude > 1500"))
    assert load_ruleset(path, rule_schema(meta)).rules[0].id == "R1"
    with pytest.raises(RuleError, match=re.escape("unknown attribute 'village.altitude'")):
        load_ruleset(path)
