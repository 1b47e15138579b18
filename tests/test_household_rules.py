"""Rules over household measures: what a rule governs, classes of households, eligibility."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from allocator import load_case, load_ruleset, rule_schema
from allocator.errors import RuleError
from allocator.io.households import household_classes
from allocator.rules.eligibility import (
    evaluate_eligibility,
    evaluate_measure_eligibility,
    household_attributes_read,
)
from tests.conftest import BASELINE
from tests.test_households import _with_households

RULE = """
ruleset: t
rules:
  - id: R1
    description: d
    reference: r
{body}
"""


def _rules(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE.format(body=body), encoding="utf-8")
    return path


def test_what_a_rule_reads_decides_what_it_governs(tmp_path: Path) -> None:
    for body, target in [
        ("    require: project.cost > 0", "projects"),
        ("    require: household.poor", "household_measures"),
        ('    when: measure.category == "relocation"\n    require: true', "household_measures"),
        ("    require: village.poor_village", "both"),
        ("    applies_to: projects\n    require: village.poor_village", "projects"),
    ]:
        rule = load_ruleset(_rules(tmp_path, body)).rules[0]
        assert rule.target == target, body


def test_a_rule_mixing_projects_and_households_is_refused_at_its_position(
    tmp_path: Path,
) -> None:
    path = _rules(tmp_path, "    require: project.cost > 0 and household.poor")
    with pytest.raises(RuleError) as info:
        load_ruleset(path)
    assert "reads both project.* and household.*" in info.value.message
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (7, 35)


def test_applies_to_must_agree_with_what_the_rule_reads(tmp_path: Path) -> None:
    path = _rules(tmp_path, "    applies_to: projects\n    require: household.poor")
    with pytest.raises(RuleError, match="applies to projects but reads household"):
        load_ruleset(path)
    path = _rules(tmp_path, "    applies_to: household_measures\n    require: project.cost > 0")
    with pytest.raises(RuleError, match="applies to household measures but reads project"):
        load_ruleset(path)


def test_household_rules_do_not_touch_project_eligibility(tiny: Path) -> None:
    case = load_case(tiny)
    rules = load_ruleset(BASELINE, rule_schema(case.meta))
    assert [r.id for r in rules.household_rules if r.target == "household_measures"] == [
        "HH-REGISTERED-POOR",
        "HH-RELOCATION-REGISTERED",
        "HH-HOUSING-REGISTERED",
    ]
    assert int(evaluate_eligibility(case, rules).eligible.sum()) == 14  # as before


def test_classes_group_identical_households_and_keep_every_household(tiny: Path) -> None:
    case = load_case(_with_households(tiny))
    register = case.households
    assert register is not None
    rules = load_ruleset(BASELINE, rule_schema(case.meta))
    read = household_attributes_read(rules)
    assert read == ["poor"]
    classes = household_classes(register, read)
    assert int(classes.count.sum()) == len(register) and len(classes) < len(register) / 5
    for k in (0, len(classes) // 2, len(classes) - 1):
        members = np.flatnonzero(classes.of_household == k)
        assert len(members) == classes.count[k]
        assert (register.village[members] == classes.village[k]).all()
        for name in classes.attributes:
            assert (getattr(register, name)[members] == classes.values[name][k]).all()
    by_id = household_classes(register, ["household_id"])
    assert len(by_id) == len(register)


def test_measures_reach_registered_poor_households_wherever_they_live(tiny: Path) -> None:
    case = load_case(_with_households(tiny))
    register = case.households
    assert register is not None
    rules = load_ruleset(BASELINE, rule_schema(case.meta))
    classes = household_classes(register, household_attributes_read(rules))
    result = evaluate_measure_eligibility(case, rules, classes)
    funds = {f.fund_id: i for i, f in enumerate(case.funds)}
    measures = {m.measure_id: i for i, m in enumerate(case.measures)}
    poor = classes.values["poor"]
    village = np.array([case.villages[v].village_id for v in classes.village])
    f1, housing = funds["F1"], measures["M01"]  # central poverty fund; house renovation
    # F1's earmark lists safe_housing: it may renovate the house of any registered poor
    # household, also in V3 and V4, which are not poor villages ...
    reach = result.eligible[f1, housing]
    assert reach[poor].all()
    assert set(village[poor & reach]) >= {"V3", "V4"}
    # ... and of no household off the register, by HH-REGISTERED-POOR.
    assert not reach[~poor].any()
    k = int(np.flatnonzero(~poor)[0])
    assert result.excluding_rule(f1, housing, k) == "HH-REGISTERED-POOR"
    # F2 (water) has no safe_housing in its earmark.
    assert result.excluding_rule(funds["F2"], housing, 0) == "EARMARK"
    # A relocation measure: no tiny fund lists relocation.
    assert not result.eligible[:, measures["M02"]].any()
