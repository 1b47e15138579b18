"""Every policy a model spec can declare, in the order the engine applies them.

The spec loader, the model builder, the pre-checks, the integer check,
``verify``, warm starts, rounding, explanations and ``compare`` all iterate
over :data:`POLICIES`; adding a policy is a new module and one line here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from allocator.policies import (
    carry_over,
    category_shares,
    divisible_min_share,
    exit_standards,
    guarantees,
    household_floor,
    matching,
    must_fund,
    poor_village_floor,
    post_exit_support,
    project_years,
    village_cap,
)
from allocator.policies.base import Policy, PolicyKey

POLICIES: tuple[Policy[Any], ...] = (
    project_years.POLICY,
    carry_over.POLICY,
    divisible_min_share.POLICY,
    must_fund.POLICY,
    poor_village_floor.POLICY,
    village_cap.POLICY,
    post_exit_support.POLICY,
    category_shares.POLICY,
    matching.POLICY,
    household_floor.POLICY,
    guarantees.POLICY,
    exit_standards.POLICY,
)


def active(policies: Any) -> Iterator[tuple[Policy[Any], Any]]:
    """(policy, its configuration) for every policy a spec's ``policies`` turns on."""
    for policy in POLICIES:
        config = policy.config(policies)
        if config is not None:
            yield policy, config


def owner(key: PolicyKey) -> Policy[Any]:
    """The policy a policy instance belongs to."""
    for policy in POLICIES:
        if key[0] in policy.kinds:
            return policy
    raise KeyError(key)
