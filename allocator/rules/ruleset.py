"""Rule sets: YAML files of eligibility rules, with ``extends`` for variants.

A rule set file::

    ruleset: baseline
    description: Eligibility practice of DOMAIN.md
    rules:
      - id: POV-01
        description: Poverty funds pay in poor villages and villages exited <= 3 years
        reference: "Central special fund measures, art. 7"
        when: fund.kind == "poverty_special"          # which pairs the rule governs
        require: village.poor_village or ...          # what those pairs must satisfy

A pair (fund, project) is eligible when the fund's earmark lists the project's
category and every rule whose ``when`` holds for the pair has its ``require``
hold too. A variant names ``extends: ../baseline.yaml``; its rules replace
parent rules of the same id (in place) or are appended, and ``remove`` drops
parent rules by id. The parent file is never changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from allocator.errors import Location, RuleError
from allocator.i18n import msg
from allocator.io.case import validation_error_to_input_error
from allocator.io.yamlsafe import LocatedYaml, load_yaml
from allocator.rules.language import (
    AttrType,
    Node,
    Schema,
    Type,
    first_uses,
    make_locator,
    parse_expression,
)
from allocator.schemas import CaseMeta, Fund, Household, Measure, Project, Village, field_base_type

RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
MAX_EXTENDS_DEPTH = 10
EARMARK = "EARMARK"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


#: What a rule governs: (fund, project) pairs, (fund, household measure) pairs, or both.
Target = Literal["projects", "household_measures", "both"]
#: Entities that only household measures have, and the one only projects have.
HOUSEHOLD_ENTITIES = ("household", "measure")
PROJECT_ENTITY = "project"


class RuleSpec(_Strict):
    id: RuleId
    description: Annotated[str, StringConstraints(min_length=1)]
    reference: Annotated[str, StringConstraints(min_length=1)]
    when: str | None = None
    require: str
    applies_to: Literal["projects", "household_measures"] | None = Field(
        None,
        description="what the rule governs; by default what it reads: project.* -> "
        "projects, household.* or measure.* -> household measures, neither -> both",
    )

    @field_validator("when", "require", mode="before")
    @classmethod
    def _bool_is_an_expression(cls, value: object) -> object:
        # YAML reads a bare `true` as a boolean; as a rule it means the expression "true".
        if isinstance(value, bool):
            return "true" if value else "false"
        return value


class RuleSetFile(_Strict):
    ruleset: RuleId
    description: str = ""
    extends: str | None = None
    rules: list[RuleSpec] = Field(default_factory=list)
    remove: list[RuleId] = Field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """A compiled rule: its texts for people, its typed trees for evaluators."""

    id: str
    description: str
    reference: str
    when_text: str | None
    require_text: str
    when: Node | None
    require: Node
    source: Location
    target: Target = "both"

    @property
    def for_projects(self) -> bool:
        return self.target in ("projects", "both")

    @property
    def for_household_measures(self) -> bool:
        return self.target in ("household_measures", "both")


@dataclass(frozen=True)
class RuleSet:
    """An ordered, compiled rule set and the files it was assembled from."""

    id: str
    description: str
    rules: tuple[Rule, ...]
    files: tuple[Path, ...]
    digest: str

    @property
    def project_rules(self) -> tuple[Rule, ...]:
        """The rules that govern (fund, project) pairs, in order."""
        return tuple(r for r in self.rules if r.for_projects)

    @property
    def household_rules(self) -> tuple[Rule, ...]:
        """The rules that govern (fund, household measure) pairs, in order."""
        return tuple(r for r in self.rules if r.for_household_measures)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


_SCALARS: dict[object, Type] = {int: Type.INT, float: Type.FLOAT, bool: Type.BOOL, str: Type.STR}


def _attr_type(annotation: object) -> AttrType | None:
    annotation, optional = field_base_type(annotation)
    if get_origin(annotation) is Literal:
        return AttrType(Type.STR, optional)
    kind = _SCALARS.get(annotation)
    return None if kind is None else AttrType(kind, optional)


def _model_attrs(model: type[BaseModel], extras: Mapping[str, str]) -> dict[str, AttrType]:
    attrs: dict[str, AttrType] = {}
    for name, info in model.model_fields.items():
        attr = _attr_type(info.annotation)
        if attr is not None and name != "extra":
            attrs[name] = attr
    for name, kind in extras.items():
        attrs[name] = AttrType(Type(kind))
    return attrs


def rule_schema(meta: CaseMeta | None = None) -> Schema:
    """Attributes visible to rules, derived from the input schemas (plus declared extras)."""
    extras = meta.extra_columns if meta is not None else None
    return {
        "fund": _model_attrs(Fund, extras.funds if extras else {}),
        "project": _model_attrs(Project, extras.projects if extras else {}),
        "village": _model_attrs(Village, extras.villages if extras else {}),
        "household": _model_attrs(Household, {}),
        "measure": _model_attrs(Measure, {}),
        "case": {"year": AttrType(Type.INT), "name": AttrType(Type.STR)},
    }


def _parse_file(path: Path) -> tuple[RuleSetFile, LocatedYaml]:
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise RuleError(
            msg("a rule set file must be a mapping with 'ruleset' and 'rules'"), doc.location(())
        )
    try:
        return RuleSetFile.model_validate(doc.data), doc
    except ValidationError as exc:
        err = validation_error_to_input_error(exc, doc)
        raise RuleError(err.message, err.location) from None


def _expression(doc: LocatedYaml, key: tuple[str | int, ...], text: str, schema: Schema) -> Node:
    node = doc.nodes[key]
    locate = make_locator(doc.text, node.start_mark.index, node.end_mark.index, text, doc.path)
    return parse_expression(text, schema, locate)


def _target(doc: LocatedYaml, i: int, rule: RuleSpec) -> Target:
    """What a rule governs, from what it reads (or its ``applies_to``), refusing mixtures."""
    uses: dict[str, tuple[str, int]] = {}  # entity -> (where: "when"/"require", offset)
    for where, text in (("when", rule.when), ("require", rule.require)):
        if text is None:
            continue
        for entity, offset in first_uses(text).items():
            uses.setdefault(entity, (where, offset))

    def at(entity: str) -> Location:
        where, offset = uses[entity]
        node = doc.nodes[("rules", i, where)]
        text = rule.when if where == "when" else rule.require
        locate = make_locator(
            doc.text, node.start_mark.index, node.end_mark.index, text or "", doc.path
        )
        return locate(offset)

    household = [e for e in HOUSEHOLD_ENTITIES if e in uses]
    reads_project = PROJECT_ENTITY in uses
    if household and reads_project:
        first = min(household, key=lambda e: uses[e])
        raise RuleError(
            msg(
                (
                    "rule '{id}' reads both project.* and {first}.*: a rule governs "
                    "village projects or household measures, not both; split it in two"
                ),
                id=rule.id,
                first=first,
            ),
            at(first),
        )
    if rule.applies_to == "projects" and household:
        raise RuleError(
            msg(
                "rule '{id}' applies to projects but reads {household}.*",
                id=rule.id,
                household=household[0],
            ),
            at(household[0]),
        )
    if rule.applies_to == "household_measures" and reads_project:
        raise RuleError(
            msg("rule '{id}' applies to household measures but reads project.*", id=rule.id),
            at(PROJECT_ENTITY),
        )
    if rule.applies_to is not None:
        return rule.applies_to
    if reads_project:
        return "projects"
    return "household_measures" if household else "both"


def load_ruleset(path: Path | str, schema: Schema | None = None) -> RuleSet:
    """Load, assemble (``extends``/``remove``) and type-check a rule set file."""
    schema = schema or rule_schema()
    path = Path(path)
    chain: list[tuple[RuleSetFile, LocatedYaml]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(str(p.name) for p in [*seen, resolved])
            raise RuleError(
                msg("rule sets extend each other in a cycle: {cycle}", cycle=cycle),
                chain[-1][1].location(("extends",)),
            )
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise RuleError(
                msg(
                    "'extends' chain is longer than {MAX_EXTENDS_DEPTH} files",
                    MAX_EXTENDS_DEPTH=MAX_EXTENDS_DEPTH,
                ),
                chain[-1][1].location(("extends",)),
            )
        if not current.exists():
            where = chain[-1][1].location(("extends",)) if chain else Location(current)
            raise RuleError(msg("rule set file not found: {current}", current=current), where)
        seen.append(resolved)
        spec, doc = _parse_file(current)
        chain.append((spec, doc))
        current = (current.parent / spec.extends) if spec.extends else None

    ordered: dict[str, Rule] = {}
    for spec, doc in reversed(chain):  # root first, the named file last
        for rule_id in spec.remove:
            if rule_id not in ordered:
                index = spec.remove.index(rule_id)
                raise RuleError(
                    msg(
                        "cannot remove rule '{rule_id}': no parent rule has that id",
                        rule_id=rule_id,
                    ),
                    doc.location(("remove", index)),
                )
            del ordered[rule_id]
        ids_here: set[str] = set()
        for i, rule in enumerate(spec.rules):
            if rule.id in ids_here:
                raise RuleError(
                    msg("rule id '{id}' appears twice in this file", id=rule.id),
                    doc.location(("rules", i, "id")),
                )
            ids_here.add(rule.id)
            when = (
                _expression(doc, ("rules", i, "when"), rule.when, schema)
                if rule.when is not None
                else None
            )
            require = _expression(doc, ("rules", i, "require"), rule.require, schema)
            ordered[rule.id] = Rule(
                rule.id,
                rule.description,
                rule.reference,
                rule.when,
                rule.require,
                when,
                require,
                doc.location(("rules", i)),
                _target(doc, i, rule),
            )
    digest = hashlib.sha256()
    for _, doc in chain:
        digest.update(doc.text.encode("utf-8"))
    head = chain[0][0]
    return RuleSet(
        id=head.ruleset,
        description=head.description,
        rules=tuple(ordered.values()),
        files=tuple(doc.path for _, doc in chain),
        digest=digest.hexdigest(),
    )
