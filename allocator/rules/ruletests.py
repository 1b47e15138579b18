"""Rule-set tests as data: small YAML cases with the eligibility they must give.

A test file (``*.test.yaml``)::

    ruleset: ../baseline.yaml          # relative to the test file
    description: Poverty funds follow the exit-without-losing-policy window
    year: 2026
    villages:                          # only what matters; the rest gets defaults
      - {village_id: A, poor_village: false, exit_year: 2024}
    projects:
      - {project_id: P1, village_id: A, category: road}
    funds:
      - {fund_id: F1, kind: poverty_special, level: central, categories: [road]}
    expect:
      - {fund: F1, project: P1, eligible: true, by: [EARMARK, POV-TARGET]}
      - {fund: F2, project: P1, eligible: false, by: EARMARK}

``by`` is, for an eligible pair, the checks that admitted it (the earmark and
every rule that governed it); for an excluded pair, the first check that
excluded it. Both evaluators (vectorized and scalar) must give the expected
answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from allocator.errors import InputError
from allocator.i18n import msg, validation_text
from allocator.io.case import Case, validation_error_to_input_error
from allocator.io.yamlsafe import load_yaml
from allocator.rules.eligibility import evaluate_eligibility
from allocator.rules.ruleset import load_ruleset, rule_schema
from allocator.rules.scalar import excluding_check, scalar_eligibility
from allocator.schemas import CaseMeta, Fund, Project, Village

VILLAGE_DEFAULTS: dict[str, Any] = {
    "name": "test village",
    "township": "T",
    "population": 1000,
    "households": 300,
    "poor_households": 30,
    "poor_population": 100,
    "poverty_rate": 10.0,
    "per_capita_income": 6000,
    "poor_village": False,
    "exit_year": None,
    "terrain": "plain",
    "migrant_village": False,
}
PROJECT_DEFAULTS: dict[str, Any] = {
    "name": "test project",
    "cost": 100_000,
    "households": 10,
    "poor_households": 2,
    "divisible": False,
}
FUND_DEFAULTS: dict[str, Any] = {"name": "test fund", "budget": 1_000_000}


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    fund: str
    project: str
    eligible: bool
    by: str | list[str]


class RuleTestFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    ruleset: str
    description: str = ""
    year: int = 2026
    villages: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    funds: list[dict[str, Any]]
    expect: list[Expectation] = Field(min_length=1)


@dataclass(frozen=True)
class Outcome:
    file: Path
    index: int
    passed: bool
    message: str


def _build(data: RuleTestFile, path: Path) -> Case:
    def make(
        model: type[BaseModel], defaults: dict[str, Any], rows: list[dict[str, Any]], key: str
    ) -> list[Any]:
        items = []
        for i, row in enumerate(rows):
            try:
                items.append(model.model_validate({**defaults, **row}))
            except ValidationError as exc:
                first = exc.errors()[0]
                raise InputError(
                    msg(
                        "{key}[{i}]: {loc}: {msg}",
                        key=key,
                        i=i,
                        loc=".".join(map(str, first["loc"])),
                        msg=validation_text(first),
                    ),
                    None,
                ) from None
        return items

    funds = [{**f, "categories": tuple(f.get("categories", []))} for f in data.funds]
    return Case(
        folder=path.parent,
        meta=CaseMeta(name=path.stem, year=data.year),
        villages=tuple(make(Village, VILLAGE_DEFAULTS, data.villages, "villages")),
        needs=(),
        projects=tuple(make(Project, PROJECT_DEFAULTS, data.projects, "projects")),
        funds=tuple(make(Fund, FUND_DEFAULTS, funds, "funds")),
        scores=(),
    )


def run_file(path: Path) -> list[Outcome]:
    """Run one test file; every expectation checked with both evaluators."""
    doc = load_yaml(path)
    try:
        data = RuleTestFile.model_validate(doc.data)
    except ValidationError as exc:
        raise validation_error_to_input_error(exc, doc) from None
    try:
        case = _build(data, path)
    except InputError as exc:
        raise InputError(exc.message, doc.location(())) from None
    ruleset = load_ruleset(path.parent / data.ruleset, rule_schema(case.meta))
    vector = evaluate_eligibility(case, ruleset)
    scalar = scalar_eligibility(case, ruleset)
    funds, projects = case.fund_index(), case.project_index()
    outcomes = []
    for i, exp in enumerate(data.expect):
        where = f"expect[{i}] {exp.fund} -> {exp.project}"
        if exp.fund not in funds or exp.project not in projects:
            outcomes.append(
                Outcome(path, i, False, msg("{where}: unknown fund or project", where=where))
            )
            continue
        f, p = funds[exp.fund], projects[exp.project]
        got = bool(vector.eligible[f, p])
        if got != bool(scalar[f, p]):
            outcomes.append(
                Outcome(
                    path,
                    i,
                    False,
                    msg(
                        (
                            "{where}: the vectorized and scalar evaluators disagree (please report "
                            "this)"
                        ),
                        where=where,
                    ),
                )
            )
            continue
        if exp.eligible:
            by = vector.admitting_rules(f, p)
            expected = exp.by if isinstance(exp.by, list) else [exp.by]
        else:
            by = [vector.excluding_rule(f, p) or "", excluding_check(case, ruleset, f, p) or ""]
            expected = [exp.by if isinstance(exp.by, str) else ",".join(exp.by)] * 2
        if got != exp.eligible:
            verdict = (
                "eligible" if got else msg("excluded by {value}", value=vector.excluding_rule(f, p))
            )
            outcomes.append(
                Outcome(
                    path,
                    i,
                    False,
                    f"{where}: expected "
                    f"{'eligible' if exp.eligible else 'excluded'}, got {verdict}",
                )
            )
        elif by != expected:
            outcomes.append(
                Outcome(
                    path,
                    i,
                    False,
                    msg(
                        "{where}: expected by {expected}, got {by}",
                        where=where,
                        expected=expected,
                        by=by,
                    ),
                )
            )
        else:
            outcomes.append(Outcome(path, i, True, f"{where}: ok"))
    return outcomes


def discover(paths: list[Path]) -> list[Path]:
    """Test files under the given files and folders (``*.test.yaml``), sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(path.rglob("*.test.yaml"))
        elif path.is_file():
            found.add(path)
        else:
            raise InputError(msg("no such file or folder: {path}", path=path))
    return sorted(found)
