"""What a policy is: one class that holds everything one spec policy means.

A policy (``policies.<key>`` in a model spec) declares, in its own module:

* its spec schema (``annotation``, ``default``);
* its model rows and, for the infeasibility diagnosis, the elastic slack of
  each instance (:meth:`Policy.define`, through :class:`ModelBuilder`);
* its cheap pre-check in integer yuan (:meth:`Policy.precheck`);
* its independent integer check on allocation rows (:meth:`Policy.check`),
  which never reads solver numbers;
* what warm starts and rounding must respect (:meth:`Policy.seed_start`,
  :meth:`Policy.fund_order`, :meth:`Policy.repair`, :meth:`Policy.split_evenly`);
* how it explains itself: violations (:meth:`Policy.describe`), its
  instances in words for binding-policy explanations, priced by the
  optimize layer (:meth:`Policy.instance_name`), and figures for summaries
  and comparisons (:meth:`Policy.figures`).

The model, the solver and the audit live in other layers; they reach a policy
only through the registry (``allocator.policies.registry``) and hand it the
narrow views defined here, so a policy never imports Pyomo or the solver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from allocator.i18n import Text, msg
from allocator.io.case import Case
from allocator.ledger import HouseholdLedger, Ledger
from allocator.rules.household_options import HouseholdOptions

#: A policy instance: (instance kind, subject), e.g. ("floor_amount", "V012"),
#: ("village_cap", "V003"), ("category_min_share", "0"), ("must_fund", "P0042").
PolicyKey = tuple[str, str]
#: A path to a value in the model spec, e.g. ("policies", "category_shares", 0, "category").
SpecPath = tuple[str | int, ...]
C = TypeVar("C")


@dataclass(frozen=True)
class Conflict:
    """One reason the policies cannot all hold, in words a finance bureau can act on."""

    policy: str  # the spec key, e.g. "policies.poor_village_floor"
    detail: str

    def text(self) -> Text:
        """``policy: detail``, translatable."""
        return msg("{policy}: {detail}", policy=self.policy, detail=self.detail)

    def __str__(self) -> str:
        return str(self.text())


@dataclass(frozen=True)
class Group:
    """Projects sharing one eligible-fund set and category: one money flow per fund."""

    funds: tuple[int, ...]
    category: str
    projects: tuple[int, ...]


class ModelBuilder(Protocol):
    """The model under construction, as a policy sees it (money in model units)."""

    case: Case
    unit: int
    groups: list[Group]
    modelled: list[int]
    cost: dict[int, float]
    by_village: dict[int, list[int]]
    arcs: list[tuple[int, int]]
    #: registered poor households as classes (None without a register and measures)
    households: HouseholdOptions | None

    def share(self, p: int) -> Any:
        """Share of project p funded (0..1)."""

    def given(self, k: int) -> Any:
        """Households of pair k = (measure, class) given the measure (an integer count)."""

    def reached(self, c: int) -> Any:
        """Households of class c given at least one measure."""

    def selected(self, p: int) -> Any:
        """1 if project p counts as funded at all (its binary)."""

    def flow(self, f: int, g: int) -> Any:
        """Money from fund f to group g."""

    def slack(self, key: PolicyKey, largest: float) -> Any:
        """The instance's elastic slack (0 unless the model is built elastic)."""

    def constrain(self, key: PolicyKey, row: Any) -> None:
        """Add one model row that belongs to policy instance ``key``."""


class PrecheckView(Protocol):
    """What the cheap integer pre-checks may read."""

    case: Case
    eligible: npt.NDArray[np.bool_]
    fundable: npt.NDArray[np.bool_]
    #: village index -> fundable projects in it
    library: dict[int, list[int]]
    policies: Any
    households: HouseholdOptions | None

    def hold(self, projects: Sequence[int]) -> int:
        """Whole budget of every fund eligible for at least one of ``projects``."""


class AuditView(Protocol):
    """What the independent integer check may read: case, eligibility and the ledger."""

    case: Case
    eligible: npt.NDArray[np.bool_]
    fundable: npt.NDArray[np.bool_]
    ledger: Ledger
    policies: Any
    households: HouseholdOptions | None
    grants: HouseholdLedger

    def village_total(self, v: int) -> int: ...

    def village_funded(self, v: int) -> int: ...

    def fundable_library(self, v: int) -> list[int]: ...


class StartBuilder(Protocol):
    """A warm start being built by the optimize layer (money in model units)."""

    case: Case
    unit: int
    by_density: list[int]
    floor_order: list[int]
    groups: list[Group]
    group_of: dict[int, int]
    left: dict[int, float]
    #: projects (parts) funded so far
    funded: set[int]

    households: HouseholdOptions | None

    def fund(self, p: int, prefer: set[int] | None = None) -> float:
        """Fund project p as far as money and every policy allow; return the amount."""

    def give(self, k: int, count: int) -> int:
        """Give pair k's measure to up to ``count`` more households of its class, as far as
        money and its quota allow; return how many got it."""

    def given(self, k: int) -> int: ...

    def spent(self, village_id: str) -> float: ...

    def count(self, village_id: str) -> int: ...


class RoundingView(Protocol):
    """Integer project amounts being made from a solution, before money is routed."""

    case: Case
    policies: Any
    amounts: dict[int, int]
    density: dict[int, float]
    exempt: set[PolicyKey]


class Policy(Generic[C]):
    """Base of every policy; each hook's default is "this policy has nothing to say"."""

    #: the key under ``policies:`` in a model spec
    key: ClassVar[str]
    #: the spec schema: the field's type and default
    annotation: ClassVar[Any]
    default: ClassVar[Any] = None
    description: ClassVar[str] = ""
    #: instance kinds this policy creates (the first element of a PolicyKey)
    kinds: ClassVar[tuple[str, ...]] = ()
    #: whether the factor method honours it
    factor_supported: ClassVar[bool] = False

    def config(self, policies: Any) -> C | None:
        """This policy's configuration in a spec's ``policies``, or None when it is off."""
        value = getattr(policies, self.key, None)
        return value if value else None

    def categories(self, config: C) -> list[tuple[SpecPath, str]]:
        """Categories the spec names for this policy (checked against the case)."""
        return []

    def selections(self, config: C, model: ModelBuilder) -> set[int]:
        """Divisible projects that need a "funded at all" binary for this policy."""
        return set()

    def define(self, config: C, model: ModelBuilder) -> None:
        """Add the policy's rows (each instance with its elastic slack)."""

    def precheck(self, config: C, view: PrecheckView) -> list[Conflict]:
        """Impossibilities plain arithmetic proves, before any solve."""
        return []

    def check(self, config: C, view: AuditView, waived: set[PolicyKey]) -> list[str]:
        """Every violation in the integer ledger (waived instances excepted)."""
        return []

    def describe(self, config: C, key: PolicyKey, amount: float, unit: int, case: Case) -> Conflict:
        """Words for one violated instance (``amount`` in model units)."""
        return Conflict(
            f"policies.{self.key}", msg("{key} violated by {amount:g}", key=key[1], amount=amount)
        )

    def instance_name(self, config: C, key: PolicyKey) -> str:
        """The instance in words, e.g. "the village cap of V003"."""
        return f"policies.{self.key} ({key[1]})"

    def seed_start(self, config: C, start: StartBuilder, stage: str) -> None:
        """Fund what this policy requires in a warm start (stage "first" or "after_lp")."""

    def start_limit(self, config: C, start: StartBuilder, p: int, room: float) -> float:
        """The most a warm start may give project p under this policy (model units)."""
        return room

    def fund_order(self, config: C, case: Case, funds: Sequence[int]) -> dict[int, int]:
        """Rank of each fund when a start draws on several (lower first); {} = no opinion."""
        return {}

    def repair(self, config: C, view: RoundingView) -> None:
        """Trim integer amounts the solver's tolerance left a few yuan outside the policy."""

    def split_evenly(self, config: C, case: Case, group: Group) -> bool:
        """Whether a group's money must reach its projects in equal proportions per fund."""
        return False

    def figures(self, config: C, case: Case, ledger: Ledger) -> dict[str, int]:
        """Whole-yuan figures for summary.json and comparisons (e.g. money matched)."""
        return {}

    def shortfalls(self, config: C, view: PrecheckView) -> list[str]:
        """What the policy asks for but no plan can give (no project, no eligible measure):
        named for people, left out of the model rather than made infeasible."""
        return []


def by_village(case: Case, projects: Iterable[int]) -> dict[int, list[int]]:
    """Village index -> the given projects in it, in the order given."""
    village_of = case.project_villages
    library: dict[int, list[int]] = {}
    for p in projects:
        library.setdefault(village_of[p], []).append(p)
    return library


def least_selected_share(cost: int, min_share: float) -> float:
    """Smallest share a divisible project gets once funded: the minimum share, >= 1 yuan."""
    return min(1.0, max(min_share, 1.0 / cost))


def ids(items: list[str], limit: int = 5) -> str:
    """``A, B, C and 4 more``."""
    shown = ", ".join(items[:limit])
    return shown + (
        msg(" and {n_items} more", n_items=len(items) - limit) if len(items) > limit else ""
    )
