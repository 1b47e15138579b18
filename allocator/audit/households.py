"""Independent integer checks of household measure rows (``household_measures.csv``).

Like the project checks they re-add every amount from the rows and test them
against the case and the rules directly: a measure is given whole (the row
amounts of one household and measure add up to its cost for that household),
only to a registered poor household, by funds eligible for it, within the
measure's quota.
"""

from __future__ import annotations

from collections.abc import Sequence

from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import Grant, HouseholdLedger, yuan
from allocator.rules.household_options import HouseholdOptions


def grant_cost(case: Case, household: int, measure: int) -> int:
    """What measure ``measure`` costs for one household of the register."""
    register = case.households
    assert register is not None
    item = case.measures[measure]
    return item.cost_per_household + item.cost_per_member * int(register.members[household])


def _name(case: Case, household: int, measure: int) -> str:
    register = case.households
    assert register is not None
    return f"{register.ids[household]}/{case.measures[measure].measure_id}"


def check_grant_rows(case: Case, grants: Sequence[Grant]) -> list[str]:
    """Every row is a positive whole number of yuan for a registered poor household."""
    register = case.households
    violations: list[str] = []
    for g in grants:
        if not isinstance(g.amount, int) or g.amount <= 0:
            violations.append(
                msg(
                    "{value}/{fund_id}: amount {amount!r} is not a positive whole number of yuan",
                    value=_name(case, g.household, g.measure),
                    fund_id=case.funds[g.fund].fund_id,
                    amount=g.amount,
                )
            )
        if register is not None and not register.poor[g.household]:
            violations.append(
                msg(
                    "household {ids} gets measure {measure_id} but is not on the poverty register",
                    ids=register.ids[g.household],
                    measure_id=case.measures[g.measure].measure_id,
                )
            )
    return violations


def check_grant_costs(case: Case, ledger: HouseholdLedger) -> list[str]:
    """A measure is given whole or not at all: its rows add up to its cost for the household."""
    violations: list[str] = []
    for (h, m), total in sorted(ledger.by_grant.items()):
        cost = grant_cost(case, h, m)
        if total != cost:
            violations.append(
                msg(
                    (
                        "{value} is paid {value2} but costs {value3} for this household (a "
                        "measure is given whole or not at all)"
                    ),
                    value=_name(case, h, m),
                    value2=yuan(total),
                    value3=yuan(cost),
                )
            )
    return violations


def check_grant_eligibility(
    case: Case, options: HouseholdOptions, ledger: HouseholdLedger
) -> list[str]:
    """Every paying fund may pay the measure for the household (earmark and rules)."""
    case_ids = options.register.ids
    eligible = options.eligibility.eligible
    of = options.classes.of_household
    violations: list[str] = []
    for (h, m), funds in sorted(ledger.funds_of_grant.items()):
        c = int(of[h])
        for f in sorted(set(funds)):
            if c < 0 or not eligible[f, m, c]:
                violations.append(
                    msg(
                        (
                            "fund {fund_id} pays measure {measure_id} for household {case_ids} but "
                            "it is not eligible"
                        ),
                        fund_id=case.funds[f].fund_id,
                        measure_id=options.measures[m].measure_id,
                        case_ids=case_ids[h],
                    )
                )
    return violations


def check_quotas(case: Case, ledger: HouseholdLedger) -> list[str]:
    """No measure goes to more households than its quota."""
    return [
        msg(
            ("measure {measure_id} goes to {count:,} households, above its quota of {quota:,}"),
            measure_id=case.measures[m].measure_id,
            count=count,
            quota=case.measures[m].quota,
        )
        for m, count in sorted(ledger.households_of.items())
        if case.measures[m].quota is not None and count > (case.measures[m].quota or 0)
    ]
