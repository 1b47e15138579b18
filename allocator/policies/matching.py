"""``matching``: local governments co-finance what higher-level funds pay for.

"Require cities and counties to provide supporting funds": in every project
that receives money from the ``paid_by`` funds, funds of the ``match_levels``
pay at least ``min_ratio`` times that amount. Spec::

    matching:
      - paid_by: {kind: poverty_special, level: central}
        match_levels: [city, county]
        min_ratio: 0.2

A fund selected by ``paid_by`` never counts as its own match, even if its
level is listed.

Model, per rule and per group g whose funds include a paid-by fund (A) and
with M the match-level funds of the group:
``sum_{f in M} x[f, g] + slack >= min_ratio x sum_{f in A} x[f, g]``.
This is exact in the grouped formulation: every project of a group may be paid
by every fund of the group, so splitting each fund's flow among the group's
projects in proportion to their amounts gives every project exactly the
group's ratio (rounding splits such groups proportionally, see
``split_evenly``). The integer check allows a yuan per allocation row of the
project for whole-yuan rounding, as the category shares do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import Ledger, yuan
from allocator.policies.base import (
    AuditView,
    Conflict,
    Group,
    ModelBuilder,
    Policy,
    PolicyKey,
    PrecheckView,
    ids,
)
from allocator.schemas import Fund, FundLevel, Identifier


class FundSelector(BaseModel):
    """Which funds a rule is about: by kind, by level, or both."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: Identifier | None = None
    level: FundLevel | None = None

    @model_validator(mode="after")
    def _something(self) -> FundSelector:
        if self.kind is None and self.level is None:
            raise ValueError(msg("paid_by needs a kind, a level, or both"))
        return self

    def selects(self, fund: Fund) -> bool:
        return (self.kind is None or fund.kind == self.kind) and (
            self.level is None or fund.level == self.level
        )

    def text(self) -> str:
        return " ".join(x for x in (self.level, self.kind) if x) + " funds"


class MatchingRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    paid_by: FundSelector
    match_levels: Annotated[list[FundLevel], Field(min_length=1)]
    min_ratio: Annotated[float, Field(gt=0, le=100)]

    def paid(self, fund: Fund) -> bool:
        return self.paid_by.selects(fund)

    def matches(self, fund: Fund) -> bool:
        return fund.level in self.match_levels and not self.paid(fund)

    def text(self) -> str:
        return msg(
            "{min_ratio:.0%} {match_levels} matching of {value} money",
            min_ratio=self.min_ratio,
            match_levels="/".join(self.match_levels),
            value=self.paid_by.text(),
        )


def _split(rule: MatchingRule, case: Case, ledger: Ledger) -> dict[int, tuple[int, int]]:
    """Project -> (money from paid-by funds, money from match-level funds), where paid > 0."""
    paid: dict[int, int] = defaultdict(int)
    matched: dict[int, int] = defaultdict(int)
    for (f, p), amount in ledger.by_pair.items():
        fund = case.funds[f]
        if rule.paid(fund):
            paid[p] += amount
        elif rule.matches(fund):
            matched[p] += amount
    return {p: (amount, matched.get(p, 0)) for p, amount in paid.items()}


class Matching(Policy[list[MatchingRule]]):
    key: ClassVar[str] = "matching"
    annotation: ClassVar[Any] = list[MatchingRule]
    default: ClassVar[Any] = []
    description: ClassVar[str] = (
        "funds of the match levels pay at least min_ratio times what the paid-by funds pay, "
        "in every project"
    )
    kinds: ClassVar[tuple[str, ...]] = ("matching",)

    def define(self, config: list[MatchingRule], model: ModelBuilder) -> None:
        case = model.case
        for i, rule in enumerate(config):
            for g, group in enumerate(model.groups):
                paid = [f for f in group.funds if rule.paid(case.funds[f])]
                if not paid:
                    continue
                match = [f for f in group.funds if rule.matches(case.funds[f])]
                reach = min(
                    sum(case.funds[f].budget for f in paid) / model.unit,
                    sum(model.cost[p] for p in group.projects),
                )
                key = ("matching", f"{i}:{case.projects[group.projects[0]].project_id}")
                matched = sum(model.flow(f, g) for f in match)
                slack = model.slack(key, rule.min_ratio * reach)
                owed = rule.min_ratio * sum(model.flow(f, g) for f in paid)
                model.constrain(key, matched + slack >= owed)

    def precheck(self, config: list[MatchingRule], view: PrecheckView) -> list[Conflict]:
        must = set(getattr(view.policies, "must_fund_categories", []) or [])
        if not must:
            return []
        case = view.case
        conflicts = []
        for i, rule in enumerate(config):
            stuck = []
            for p, project in enumerate(case.projects):
                if project.category not in must or not view.fundable[p]:
                    continue
                eligible = [f for f in range(len(case.funds)) if view.eligible[f, p]]
                if all(rule.paid(case.funds[f]) for f in eligible):
                    stuck.append(project.project_id)
            if stuck:
                conflicts.append(
                    Conflict(
                        f"policies.matching[{i}] + policies.must_fund_categories",
                        msg(
                            (
                                "{n_stuck} must-fund project(s) can be paid only by {value}, "
                                "which need {match_levels} matching, and no {match_levels} fund "
                                "may pay for them: {value2}"
                            ),
                            n_stuck=len(stuck),
                            value=rule.paid_by.text(),
                            match_levels="/".join(rule.match_levels),
                            value2=ids(stuck),
                        ),
                    )
                )
        return conflicts

    def check(
        self, config: list[MatchingRule], view: AuditView, waived: set[PolicyKey]
    ) -> list[str]:
        case = view.case
        violations: list[str] = []
        waived_rules = {key[1].split(":", 1)[0] for key in waived if key[0] == "matching"}
        for i, rule in enumerate(config):
            if str(i) in waived_rules:
                continue
            ratio = Fraction(rule.min_ratio)
            for p, (paid, matched) in sorted(_split(rule, case, view.ledger).items()):
                # Whole-yuan rounding may move at most a yuan per allocation row of the project.
                tolerance = view.ledger.rows_of_project.get(p, 0)
                if matched + tolerance < ratio * paid:
                    needed = -(-ratio.numerator * paid // ratio.denominator)
                    violations.append(
                        msg(
                            (
                                "project {project_id} gets {value} from {value2} but only "
                                "{value3} of {match_levels} matching (needs at least {value4}: "
                                "policies.matching[{i}])"
                            ),
                            project_id=case.projects[p].project_id,
                            value=yuan(paid),
                            value2=rule.paid_by.text(),
                            value3=yuan(matched),
                            match_levels="/".join(rule.match_levels),
                            value4=yuan(needed),
                            i=i,
                        )
                    )
        return violations

    def describe(
        self, config: list[MatchingRule], key: PolicyKey, amount: float, unit: int, case: Case
    ) -> Conflict:
        index, project_id = key[1].split(":", 1)
        rule = config[int(index)]
        return Conflict(
            f"policies.matching[{index}]",
            msg(
                "projects grouped with {project_id} lack {value} of the {value2}",
                project_id=project_id,
                value=yuan(amount * unit),
                value2=rule.text(),
            ),
        )

    def instance_name(self, config: list[MatchingRule], key: PolicyKey) -> str:
        index, project_id = key[1].split(":", 1)
        return msg(
            (
                "policies.matching[{index}] (the {value}, for the projects grouped "
                "with {project_id})"
            ),
            index=index,
            value=config[int(index)].text(),
            project_id=project_id,
        )

    def fund_order(
        self, config: list[MatchingRule], case: Case, funds: Sequence[int]
    ) -> dict[int, int]:
        # A start draws match-level money first and paid-by money last, so it
        # stays matched as long as it can.
        rank: dict[int, int] = defaultdict(int)
        for rule in config:
            for f in funds:
                fund = case.funds[f]
                rank[f] += -1 if rule.matches(fund) else 1 if rule.paid(fund) else 0
        return dict(rank)

    def split_evenly(self, config: list[MatchingRule], case: Case, group: Group) -> bool:
        return any(rule.paid(case.funds[f]) for rule in config for f in group.funds)

    def figures(self, config: list[MatchingRule], case: Case, ledger: Ledger) -> dict[str, int]:
        result: dict[str, int] = {}
        for i, rule in enumerate(config):
            split = _split(rule, case, ledger)
            result[msg("[{i}] paid by {value}", i=i, value=rule.paid_by.text())] = sum(
                a for a, _ in split.values()
            )
            result[
                msg(
                    "[{i}] matched by {match_levels} funds",
                    i=i,
                    match_levels="/".join(rule.match_levels),
                )
            ] = sum(m for _, m in split.values())
        return result


POLICY = Matching()
