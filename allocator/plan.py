"""Data-only plan types: a plan, its model statistics, progress reports.

Nothing here imports Pyomo, highspy or SciPy, so reports, explanations and
tools embedding allocator can hold and read plans without the solver stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from allocator.io.case import Case
from allocator.ledger import Allocation, Grant, HouseholdLedger, Ledger
from allocator.need_overlap import Overlap, need_overlaps, overlap_shares, overlap_value
from allocator.policies.base import Conflict, PolicyKey
from allocator.rules.eligibility import Eligibility
from allocator.rules.household_options import HouseholdOptions
from allocator.rules.ruleset import RuleSet
from allocator.spec import LoadedSpec
from allocator.status import SolveStatus
from allocator.valuation import ProjectValue


@dataclass(frozen=True)
class Progress:
    """A progress report: the phase under way and, while solving, the search state."""

    phase: str
    elapsed: float = 0.0
    incumbent: float | None = None
    bound: float | None = None
    gap: float | None = None


@dataclass(frozen=True)
class ModelStats:
    projects_modelled: int
    groups: int
    flow_variables: int
    eligible_pairs: int
    binaries: int
    rows: int


@dataclass(frozen=True)
class Binding:
    """A policy instance that holds money back, and what relaxing it is worth.

    ``price`` is the value 10,000 more yuan of room in the instance would buy
    (the dual of its row in the LP with the plan's selection fixed).
    """

    key: PolicyKey
    policy: str  # the spec key, e.g. "policies.category_shares"
    text: str  # the instance in words
    price: float


@dataclass
class Plan:
    """A solved, rounded and independently checked allocation."""

    case: Case
    ruleset: RuleSet
    spec: LoadedSpec
    eligibility: Eligibility
    values: list[ProjectValue]
    status: SolveStatus
    objective: float
    bound: float | None
    gap: float | None
    allocations: list[Allocation]
    stats: ModelStats
    solver_message: str
    timings: dict[str, float] = field(default_factory=dict)
    #: policy instances this plan violates (only with --relax), worded
    violated: list[Conflict] = field(default_factory=list)
    #: fund index -> marginal value of 10,000 more yuan in it (LP dual)
    marginal_value: dict[int, float] = field(default_factory=dict)
    #: fund index -> the binding policy instance that keeps its money idle
    fund_binding: dict[int, Binding] = field(default_factory=dict)
    #: project index -> the binding policy instance that holds it back
    project_binding: dict[int, Binding] = field(default_factory=dict)
    #: every binding policy instance
    binding: list[Binding] = field(default_factory=list)
    #: warnings for people (e.g. projects covering no listed need)
    warnings: list[str] = field(default_factory=list)
    #: registered poor households as the model saw them (None without a register)
    households: HouseholdOptions | None = None
    #: household measure rows (household, measure, fund, whole yuan)
    grants: list[Grant] = field(default_factory=list)
    #: value of the households reached and standards made safe by ``grants``
    household_value: float = 0.0
    #: value the overlaps of shared needs take back, for a plan folded from one over
    #: several years (whose overlaps are weighed by start year); None: from this plan's
    shared_need_value: float | None = None
    #: the case's need overlaps when the solve has them already (else ``overlaps`` computes)
    known_overlaps: list[Overlap] | None = field(default=None, repr=False)

    @cached_property
    def grant_ledger(self) -> HouseholdLedger:
        """The household measure rows' integer sums."""
        return HouseholdLedger.of(self.grants)

    @cached_property
    def ledger(self) -> Ledger:
        """The allocation rows' integer sums (a plan's rows never change once made)."""
        return Ledger.of(self.allocations)

    def project_totals(self) -> dict[int, int]:
        return dict(self.ledger.by_project)

    @cached_property
    def overlaps(self) -> list[Overlap]:
        """Households several funded projects of one need would count twice (need_overlap)."""
        if self.known_overlaps is not None:
            return self.known_overlaps
        return need_overlaps(self.case, self.spec.spec.objective, self.values)

    def overlap_shares(self) -> list[float]:
        """Each overlap's share of "all funded" in this plan (``overlaps`` order)."""
        return overlap_shares(self.case, self.overlaps, self.ledger.by_project)

    def overlap_value(self) -> float:
        """The value the plan's shared needs take back (negative): each household once."""
        if self.shared_need_value is not None:
            return self.shared_need_value
        return overlap_value(self.case, self.overlaps, self.ledger.by_project)

    def fund_totals(self) -> dict[int, int]:
        """Money spent per fund: projects and household measures together."""
        totals = dict(self.ledger.by_fund)
        for f, amount in self.grant_ledger.by_fund.items():
            totals[f] = totals.get(f, 0) + amount
        return totals

    def fund_spent(self, f: int) -> int:
        """Money spent from fund f (projects and household measures)."""
        return self.ledger.fund(f) + self.grant_ledger.fund(f)
