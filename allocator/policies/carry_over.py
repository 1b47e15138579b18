"""``carry_over``: in a multi-year plan, money unspent in a year may be spent later, briefly.

Spec: ``carry_over: {max_years: 1}``: money of year t unspent at its end may be
spent in t+1 only, and then lapses (it is recovered). Without it every year's
unspent money lapses at the year's end. A year spends the money carried into
it first (oldest first), so the least money lapses.

The model holds it through eligibility: in the unrolled case
(``allocator.io.horizon``) a fund's money of year t may pay only parts paid in
years t..t+max_years (the ``MONEY-YEAR`` check, re-checked on every row by the
independent check); ``allocator.audit.years`` accounts for carried and lapsed
money per fund and year, and checks no year spends more than it has.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from allocator.policies.base import Policy


class CarryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    max_years: Annotated[int, Field(ge=0, le=5)] = 1


class CarryOver(Policy[CarryConfig]):
    key: ClassVar[str] = "carry_over"
    annotation: ClassVar[Any] = CarryConfig | None
    description: ClassVar[str] = (
        "multi-year plans: money unspent in a year may be spent in the next max_years years, "
        "then lapses"
    )
    factor_supported: ClassVar[bool] = True


def carry_years(policies: Any) -> int:
    """Years unspent money may wait (0 without ``carry_over``)."""
    config = getattr(policies, CarryOver.key, None)
    return int(config.max_years) if config else 0


POLICY = CarryOver()
