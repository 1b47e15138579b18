"""Input shapes: the single source of truth for case files, columns and types.

No I/O here. The CSV reader derives its expected columns and cell parsers from
these models' fields, and the rule language derives its attribute types from
them, so a column added here is readable and usable in rules at once.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from allocator.i18n import msg

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\s;,]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Yuan = Annotated[int, Field(ge=0, le=10**13, description="integer yuan")]
Count = Annotated[int, Field(ge=0, le=10**9)]
#: the most years a multi-year plan may span
MAX_HORIZON = 10
Terrain = Literal["plain", "hill", "mountain", "gully", "hazard"]
FundLevel = Literal["central", "provincial", "city", "county"]
ExtraType = Literal["int", "float", "bool", "str"]
ExtraValue = int | float | bool | str

#: Need and project categories used when a case declares none: the village
#: "eight haves", infrastructure items and household standards of DOMAIN.md.
DEFAULT_CATEGORIES: tuple[str, ...] = (
    "industry",
    "cooperative",
    "school",
    "clinic",
    "nursing_home",
    "kindergarten",
    "activity_venue",
    "financial_service",
    "commerce",
    "village_appearance",
    "road",
    "drinking_water",
    "electricity",
    "broadband",
    "radio_tv",
    "irrigation",
    "farmland",
    "forestry",
    "safe_housing",
    "skills_training",
    "social_security",
    "relocation",
    "migrant_support",
)


def field_base_type(annotation: Any) -> tuple[Any, bool]:
    """A field's annotation without ``Annotated`` metadata, and whether it may be None."""
    optional = False
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        annotation = args[0]
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, optional


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ExtraColumns(_Strict):
    """Extra CSV columns a case declares, by table, usable as rule attributes."""

    villages: dict[Identifier, ExtraType] = Field(default_factory=dict)
    projects: dict[Identifier, ExtraType] = Field(default_factory=dict)
    funds: dict[Identifier, ExtraType] = Field(default_factory=dict)


class NoticeInfo(_Strict):
    """What the public notice of funded projects says beyond the plan (``case.yaml: notice``)."""

    publicity_days: Annotated[int, Field(ge=1, le=90)] = Field(
        10, description="days the notice stays posted before projects start"
    )
    complaint_channel: Text = Field(
        "the county poverty-alleviation office, or the supervision hotline 12317",
        description="where people can object or report problems",
    )
    issuer: Text | None = Field(None, description="who posts the notice")


class CaseMeta(_Strict):
    """``case.yaml``: what the case is and how its tables are to be read."""

    name: Text
    year: Annotated[int, Field(ge=1990, le=2100)]
    currency: Literal["CNY"] = "CNY"
    description: str = ""
    encoding: Literal["utf-8", "gb18030"] = Field(
        default="utf-8",
        description="encoding of the CSV files; Chinese Excel saves GBK/GB18030",
    )
    categories: list[Identifier] | None = Field(
        default=None, description="allowed need/project categories (default: DEFAULT_CATEGORIES)"
    )
    extra_columns: ExtraColumns = Field(default_factory=ExtraColumns)
    notice: NoticeInfo = Field(default_factory=NoticeInfo)
    language: Literal["en", "zh"] = Field(
        "en", description="language of what people read: terminal summary, report, notice"
    )
    horizon: list[Annotated[int, Field(ge=1990, le=2100)]] | None = Field(
        default=None,
        description="the years of a multi-year plan: consecutive, the first being 'year'",
    )

    @field_validator("horizon")
    @classmethod
    def _consecutive_from_year(
        cls, horizon: list[int] | None, info: ValidationInfo
    ) -> list[int] | None:
        if horizon is None:
            return None
        year = info.data.get("year")
        if not 1 <= len(horizon) <= MAX_HORIZON:
            raise ValueError(msg("a horizon lists 1 to {most} years", most=MAX_HORIZON))
        if year is not None and horizon[0] != year:
            raise ValueError(msg("a horizon starts with the case's year ({year})", year=year))
        if horizon != list(range(horizon[0], horizon[0] + len(horizon))):
            raise ValueError(msg("a horizon's years are consecutive"))
        return horizon

    def years(self) -> tuple[int, ...]:
        """The plan's years: the horizon, or the case's year alone."""
        return tuple(self.horizon) if self.horizon else (self.year,)

    def category_vocabulary(self) -> tuple[str, ...]:
        return tuple(self.categories) if self.categories is not None else DEFAULT_CATEGORIES


class Village(_Strict):
    """One administrative village (``villages.csv``)."""

    village_id: Identifier
    name: Text
    township: Text
    population: Count
    households: Count
    poor_households: Count
    poor_population: Count
    poverty_rate: Annotated[float, Field(ge=0, le=100, description="percent of population poor")]
    per_capita_income: Yuan
    poor_village: bool
    exit_year: Annotated[int, Field(ge=1990, le=2100)] | None = None
    terrain: Terrain
    migrant_village: bool
    extra: dict[str, ExtraValue] = Field(default_factory=dict)


class Need(_Strict):
    """One unmet standard of a village (``needs.csv``)."""

    village_id: Identifier
    need: Identifier
    households: Count


class Project(_Strict):
    """One project of the county library (``projects.csv``)."""

    project_id: Identifier
    village_id: Identifier
    name: Text
    category: Identifier
    cost: Annotated[int, Field(gt=0, le=10**12, description="integer yuan")]
    households: Count
    poor_households: Count
    divisible: bool
    duration: Annotated[int, Field(ge=1, le=MAX_HORIZON)] = Field(
        1, description="years the project takes (multi-year plans; cost spread evenly)"
    )
    earliest_year: Annotated[int, Field(ge=1990, le=2100)] | None = Field(
        None, description="first year it may start (preparatory work done)"
    )
    latest_year: Annotated[int, Field(ge=1990, le=2100)] | None = Field(
        None, description="last year it may start"
    )
    continuing: bool = Field(
        False,
        description="started before the horizon: its remaining cost (cost) is funded first, "
        "from the horizon's first year on",
    )
    extra: dict[str, ExtraValue] = Field(default_factory=dict)


class Fund(_Strict):
    """One fund source (``funds.csv``); ``categories`` is its earmark."""

    fund_id: Identifier
    name: Text
    kind: Identifier
    level: FundLevel
    budget: Yuan
    categories: tuple[Identifier, ...]
    extra: dict[str, ExtraValue] = Field(default_factory=dict)


class Budget(_Strict):
    """A fund's money in one year of the horizon (``budgets.csv``, optional)."""

    fund_id: Identifier
    year: Annotated[int, Field(ge=1990, le=2100)]
    budget: Yuan


class PastAmount(_Strict):
    """Money a village received in a past year (``history.csv``, optional)."""

    village_id: Identifier
    year: Annotated[int, Field(ge=1990, le=2100)]
    amount: Yuan


class Score(_Strict):
    """A village's performance evaluation (``scores.csv``), 0-100."""

    village_id: Identifier
    score: Annotated[float, Field(ge=0, le=100)]


#: Main causes of poverty the register records (``households.csv`` column ``cause``).
Cause = Literal[
    "illness",
    "disability",
    "schooling",
    "disaster",
    "lack_of_labour",
    "lack_of_skills",
    "lack_of_funds",
    "lack_of_land",
    "lack_of_water",
    "other",
]
#: Household standards a measure can close ("two no-worries, three guarantees").
HouseholdStandard = Literal["safe_housing", "safe_water"]


class Household(_Strict):
    """One household (``households.csv``, optional): the poverty register's file and card."""

    household_id: Identifier
    village_id: Identifier
    members: Annotated[int, Field(ge=1, le=100)]
    poor: bool = Field(description="on the poverty register")
    exit_year: Annotated[int, Field(ge=1990, le=2100)] | None = Field(
        None, description="year it exits or exited the register; empty if never registered"
    )
    cause: Cause | None = Field(None, description="main cause of poverty (registered households)")
    safe_housing: bool
    safe_water: bool
    income: Yuan = Field(description="per capita, yuan a year")
    labour: Count = Field(description="able workers")


class Measure(_Strict):
    """A household measure the county offers (``measures.csv``, optional).

    A household's cost is cost_per_household + cost_per_member x members; a
    measure is given to a household whole or not at all.
    """

    measure_id: Identifier
    name: Text
    category: Identifier
    cost_per_household: Yuan
    cost_per_member: Yuan
    quota: Count | None = Field(None, description="most households this year (empty: no limit)")
    closes: HouseholdStandard | None = Field(None, description="the standard the measure fixes")


class RegionMeta(_Strict):
    """``region.yaml``: a province or city whose own funds are split among its counties."""

    name: Text
    year: Annotated[int, Field(ge=1990, le=2100)]
    currency: Literal["CNY"] = "CNY"
    description: str = ""
    members: list[Text] | None = Field(
        default=None,
        description="the county case folders, relative to the region folder "
        "(default: every subfolder holding a case.yaml)",
    )


class CountyScore(_Strict):
    """A county's performance evaluation in a region (the region's ``scores.csv``), 0-100."""

    county: Text
    score: Annotated[float, Field(ge=0, le=100)]
