"""``category_shares``: a category's share of the money from some funds.

Spec: ``category_shares: [{category: industry, min_share: 0.3, fund_kinds:
[poverty_special]}]``: at least 30% of the money paid by special poverty
funds goes to industry (``max_share`` bounds it from above). Without
``fund_kinds`` every fund counts.

Model, per rule: with X the flows from the funds in scope and X_c those into
groups of the category, ``X_c + slack >= min_share X`` and
``X_c - slack <= max_share X``. Whole-yuan rounding may move at most a yuan
per paid (fund, project) pair, which the integer check allows.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import Ledger, yuan
from allocator.policies.base import (
    AuditView,
    Conflict,
    ModelBuilder,
    Policy,
    PolicyKey,
    SpecPath,
    StartBuilder,
)
from allocator.schemas import Identifier

Share = Annotated[float, Field(ge=0, le=1)]


class CategoryShare(BaseModel):
    """Share of money (from funds of ``fund_kinds``, or all funds) going to ``category``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    category: Identifier
    min_share: Share = 0.0
    max_share: Share = 1.0
    fund_kinds: list[Identifier] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CategoryShare:
        if self.min_share > self.max_share:
            raise ValueError(msg("min_share is larger than max_share"))
        return self

    def in_scope(self, kind: str) -> bool:
        return self.fund_kinds is None or kind in self.fund_kinds

    def scope_text(self) -> str:
        if self.fund_kinds is None:
            return "all funds"
        return "funds of kind " + "/".join(sorted(self.fund_kinds))


def _split(rule: CategoryShare, case: Case, ledger: Ledger) -> tuple[int, int, int]:
    """(money to the category, all money, paid pairs) from the rule's funds."""
    total = in_category = pairs = 0
    for (f, p), amount in ledger.by_pair.items():
        if not rule.in_scope(case.funds[f].kind):
            continue
        pairs += 1
        total += amount
        if case.projects[p].category == rule.category:
            in_category += amount
    return in_category, total, pairs


class CategoryShares(Policy[list[CategoryShare]]):
    key: ClassVar[str] = "category_shares"
    annotation: ClassVar[Any] = list[CategoryShare]
    default: ClassVar[Any] = []
    description: ClassVar[str] = "a category's minimum or maximum share of some funds' money"
    kinds: ClassVar[tuple[str, ...]] = ("category_min_share", "category_max_share")

    def categories(self, config: list[CategoryShare]) -> list[tuple[SpecPath, str]]:
        return [
            (("policies", self.key, i, "category"), rule.category) for i, rule in enumerate(config)
        ]

    def define(self, config: list[CategoryShare], model: ModelBuilder) -> None:
        case, unit = model.case, model.unit
        for i, rule in enumerate(config):
            scoped = [(f, g) for f, g in model.arcs if rule.in_scope(case.funds[f].kind)]
            if not scoped:
                continue
            reach = sum(case.funds[f].budget for f in {f for f, _ in scoped}) / unit
            total = sum(model.flow(f, g) for f, g in scoped)
            in_category = sum(
                model.flow(f, g) for f, g in scoped if model.groups[g].category == rule.category
            )
            if rule.min_share > 0:
                key = ("category_min_share", str(i))
                slack = model.slack(key, rule.min_share * reach)
                model.constrain(key, in_category + slack >= rule.min_share * total)
            if rule.max_share < 1:
                key = ("category_max_share", str(i))
                slack = model.slack(key, (1 - rule.max_share) * reach)
                model.constrain(key, in_category - slack <= rule.max_share * total)

    def check(
        self, config: list[CategoryShare], view: AuditView, waived: set[PolicyKey]
    ) -> list[str]:
        violations: list[str] = []
        for i, rule in enumerate(config):
            in_category, total, pairs = _split(rule, view.case, view.ledger)
            low, high = Fraction(rule.min_share), Fraction(rule.max_share)
            scope = rule.scope_text()
            # Rounding to whole yuan may move at most a yuan per paid pair.
            if in_category + pairs < low * total and ("category_min_share", str(i)) not in waived:
                violations.append(
                    msg(
                        (
                            "category {category} gets {value} of {value2} from {scope}, below the "
                            "minimum share {low:.0%}"
                        ),
                        category=rule.category,
                        value=yuan(in_category),
                        value2=yuan(total),
                        scope=scope,
                        low=float(low),
                    )
                )
            if in_category - pairs > high * total and ("category_max_share", str(i)) not in waived:
                violations.append(
                    msg(
                        (
                            "category {category} gets {value} of {value2} from {scope}, above the "
                            "maximum share {high:.0%}"
                        ),
                        category=rule.category,
                        value=yuan(in_category),
                        value2=yuan(total),
                        scope=scope,
                        high=float(high),
                    )
                )
        return violations

    def describe(
        self, config: list[CategoryShare], key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        kind, index = key
        rule = config[int(index)]
        side = (
            msg("below the minimum") if kind == "category_min_share" else msg("above the maximum")
        )
        return Conflict(
            f"policies.category_shares[{index}]",
            msg(
                "money to {category} is {value} {side} share",
                category=rule.category,
                value=yuan(amount * unit),
                side=side,
            ),
        )

    def instance_name(self, config: list[CategoryShare], key: PolicyKey) -> str:
        kind, index = key
        rule = config[int(index)]
        if kind == "category_min_share":
            bound = msg("minimum {share:.0%}", share=rule.min_share)
        else:
            bound = msg("maximum {share:.0%}", share=rule.max_share)
        return msg(
            ("policies.category_shares[{index}] (the {bound} share of {category} in {value})"),
            index=index,
            bound=bound,
            category=rule.category,
            value=rule.scope_text(),
        )

    def seed_start(self, config: list[CategoryShare], start: StartBuilder, stage: str) -> None:
        if stage != "after_lp":
            return
        case = start.case
        for rule in config:
            if rule.min_share <= 0:
                continue
            scoped = {f for f, fund in enumerate(case.funds) if rule.in_scope(fund.kind)}
            target = rule.min_share * sum(case.funds[f].budget / start.unit for f in scoped)
            got = 0.0
            for p in start.by_density:
                if got >= target:
                    break
                group = start.groups[start.group_of[p]]
                if case.projects[p].category == rule.category and set(group.funds) & scoped:
                    before = sum(start.left[f] for f in scoped)
                    start.fund(p, prefer=scoped)
                    got += before - sum(start.left[f] for f in scoped)

    def figures(self, config: list[CategoryShare], case: Case, ledger: Ledger) -> dict[str, int]:
        result: dict[str, int] = {}
        for i, rule in enumerate(config):
            in_category, total, _ = _split(rule, case, ledger)
            result[f"[{i}] {rule.category} from {rule.scope_text()}"] = in_category
            result[msg("[{i}] all from {value}", i=i, value=rule.scope_text())] = total
        return result


POLICY = CategoryShares()
