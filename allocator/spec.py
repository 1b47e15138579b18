"""Model specs (``models/*.yaml``): the objective, the policies and solver options.

Every policy is optional; a spec that declares none maximizes need-coverage
value under budgets, earmarks and eligibility alone.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from allocator.errors import Location, SpecError
from allocator.i18n import msg
from allocator.io.case import validation_error_to_input_error
from allocator.io.yamlsafe import LocatedYaml, load_yaml
from allocator.policies.registry import POLICIES, active
from allocator.schemas import Identifier

Weight = Annotated[float, Field(ge=0, le=1e6)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PerformanceBand(_Strict):
    min_score: Annotated[float, Field(ge=0, le=100)]
    factor: Weight


class Performance(_Strict):
    """Value multiplier by village performance score: the first band whose min_score is met."""

    bands: list[PerformanceBand] = Field(
        default_factory=lambda: [
            PerformanceBand(min_score=90, factor=1.2),
            PerformanceBand(min_score=60, factor=1.0),
            PerformanceBand(min_score=0, factor=0.8),
        ]
    )
    missing_score_factor: Weight = 1.0

    @model_validator(mode="after")
    def _bands_descending(self) -> Performance:
        scores = [b.min_score for b in self.bands]
        if scores != sorted(scores, reverse=True):
            raise ValueError(
                msg("performance bands must be listed from the highest min_score down")
            )
        return self

    def factor(self, score: float | None) -> float:
        if score is None:
            return self.missing_score_factor
        for band in self.bands:
            if score >= band.min_score:
                return band.factor
        return self.missing_score_factor


class Priority(_Strict):
    exit_this_year: Weight = Field(1.0, description="multiplier for villages exiting in case.year")
    categories: dict[Identifier, Weight] = Field(
        default_factory=dict,
        description="multiplier by project category (e.g. drinking water, safe housing)",
    )


class HouseholdObjective(_Strict):
    """What household measures are worth (times the exit-year and performance factors)."""

    reached_weight: Weight = Field(
        2.0, description="value of each registered poor household given at least one measure"
    )
    standard_weight: Weight = Field(
        1.0, description="value of each unsafe house or water supply a measure makes safe"
    )


class Objective(_Strict):
    household_weight: Weight = 1.0
    poor_household_weight: Weight = 2.0
    need_weights: dict[Identifier, Weight] = Field(default_factory=dict)
    default_need_weight: Weight = 1.0
    unlisted_need_factor: Weight = Field(
        0.0, description="value multiplier for projects whose category the village did not list"
    )
    performance: Performance = Field(default_factory=Performance)
    priority: Priority = Field(default_factory=Priority)
    households: HouseholdObjective = Field(default_factory=HouseholdObjective)
    year_weights: list[Weight] | None = Field(
        None,
        description="multi-year plans: value multiplier by start year, first year first "
        "(e.g. [1.0, 0.9, 0.8]: coverage earlier is worth more); later years repeat the last",
    )


def _policies_model() -> type[BaseModel]:
    """The ``policies:`` section, one optional field per registered policy."""
    fields: dict[str, Any] = {
        policy.key: (
            policy.annotation,
            Field(default=policy.default, description=policy.description),
        )
        for policy in POLICIES
    }
    return create_model(
        "Policies", __config__=ConfigDict(extra="forbid", frozen=True, strict=True), **fields
    )


#: The ``policies:`` section of a spec (fields come from ``allocator.policies.registry``).
Policies: Any = _policies_model()


class SolverOptions(_Strict):
    mip_gap: Annotated[float, Field(ge=0, le=1)] = 1e-4
    time_limit: Annotated[float, Field(gt=0, le=86400)] = 300.0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    threads: Annotated[int, Field(ge=1, le=64)] = 1
    money_unit: Annotated[int, Field(ge=1, le=10**6)] = Field(
        10_000, description="yuan per model unit: the solver works in scaled money"
    )
    formulation: Literal["grouped", "per_pair"] = Field(
        "grouped",
        description="grouped: one money flow per (fund, group of projects with the same "
        "eligible funds and category); per_pair: one per eligible (fund, project) pair "
        "(the textbook model, kept for benchmarks)",
    )


FactorName = Literal["poor_population", "poor_villages", "income_gap", "population"]


def _default_factor_weights() -> dict[FactorName, float]:
    return {"poor_population": 0.7, "poor_villages": 0.2, "income_gap": 0.1}


class FactorMethod(_Strict):
    """The status-quo factor formula: envelopes by weighted factors, then a greedy fill."""

    unit: Literal["village", "township"] = Field(
        "village", description="who gets an envelope per fund: each village or each township"
    )
    weights: dict[FactorName, Weight] = Field(default_factory=_default_factor_weights)
    income_reference: Annotated[int, Field(ge=0)] = Field(
        10_000, description="income gap = max(0, reference - per_capita_income) x population"
    )
    performance_adjustment: bool = Field(
        True, description="multiply shares by the objective's performance factor"
    )
    reallocate_leftover: bool = Field(
        True,
        description="pool envelope money no project in the unit could use and fill the "
        "county-wide list by the same priority (the bureau's manual adjustment)",
    )

    @model_validator(mode="after")
    def _some_weight(self) -> FactorMethod:
        if not any(w > 0 for w in self.weights.values()):
            raise ValueError(msg("at least one factor weight must be positive"))
        return self


class ModelSpec(_Strict):
    """A model spec: objective, policies and solver options."""

    spec: Identifier
    description: str = ""
    method: Literal["optimize", "factor"] = Field(
        "optimize", description="optimize: the MIP; factor: the status-quo factor formula"
    )
    objective: Objective = Field(default_factory=Objective)
    policies: Policies = Field(default_factory=lambda: Policies())
    solver: SolverOptions = Field(default_factory=SolverOptions)
    factor: FactorMethod = Field(default_factory=FactorMethod)

    @model_validator(mode="after")
    def _factor_policies(self) -> ModelSpec:
        unsupported = [p.key for p, _ in active(self.policies) if not p.factor_supported]
        if self.method == "factor" and unsupported:
            raise ValueError(
                msg(
                    "the factor method does not enforce {unsupported}; remove them from this spec",
                    unsupported=", ".join(unsupported),
                )
            )
        return self


@dataclass(frozen=True)
class LoadedSpec:
    """A model spec with the file it came from (for messages and summary.json)."""

    spec: ModelSpec
    path: Path
    digest: str
    doc: LocatedYaml

    def location(self, *key: str | int) -> Location:
        return self.doc.location(tuple(key))


def load_spec(path: Path | str) -> LoadedSpec:
    """Load and validate a model spec file."""
    path = Path(path)
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise SpecError(
            msg("a model spec must be a mapping with 'spec', 'objective', ..."), doc.location(())
        )
    try:
        spec = ModelSpec.model_validate(doc.data)
    except ValidationError as exc:
        err = validation_error_to_input_error(exc, doc)
        raise SpecError(err.message, err.location) from None
    return LoadedSpec(spec, path, hashlib.sha256(doc.text.encode("utf-8")).hexdigest(), doc)


def check_spec_against_case(loaded: LoadedSpec, vocabulary: tuple[str, ...]) -> None:
    """Categories named in the spec must exist in the case's vocabulary (typos are errors)."""
    known = set(vocabulary)
    spec = loaded.spec
    named: list[tuple[tuple[str | int, ...], str]] = []
    named += [(("objective", "need_weights", c), c) for c in spec.objective.need_weights]
    named += [
        (("objective", "priority", "categories", c), c) for c in spec.objective.priority.categories
    ]
    for policy, config in active(spec.policies):
        named += policy.categories(config)
    for key, category in named:
        if category not in known:
            close = difflib.get_close_matches(category, sorted(known), n=1)
            hint = msg("; did you mean '{name}'?", name=close[0]) if close else ""
            raise SpecError(
                msg(
                    "unknown category '{category}' (not in the case's categories){hint}",
                    category=category,
                    hint=hint,
                ),
                loaded.doc.key_location(key)
                if isinstance(key[-1], str) and key[-2] != "category"
                else loaded.doc.location(key),
            )
