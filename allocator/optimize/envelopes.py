"""County envelopes of a region's funds, by price-directed (Dantzig-Wolfe) decomposition.

The region's funds are shared by its counties: ``sum over counties of what
county c spends from region fund r <= B_r``. Everything else is each county's
own model. Dantzig-Wolfe keeps a restricted master LP over county proposals:

    max  sum_c sum_k v_ck t_ck
    s.t. sum_c sum_k y_ckr t_ck <= B_r    (region fund r; dual lambda_r >= 0)
         sum_k t_ck = 1                   (county c)
         t >= 0

where proposal k of county c is worth v_ck and spends y_ckr from region fund r.
Given the master's prices lambda, each county solves its own model's LP
relaxation with region money charged at lambda (``price``: milliseconds, where
its MIP takes seconds) and proposes that plan. Whatever lambda is,

    sum_c max_x (v_c(x) - lambda . y_c(x)) + lambda . B

bounds the region's best value from above (a relaxation's optimum bounds the
whole-project optimum, so the bound is certified). The loop stops when the
master's value is within the requested gap of the best bound. The envelopes
are the master's money per county and fund, in whole yuan (largest
remainders, never above a budget); the caller then solves each county exactly
(whole projects, whole yuan) inside its envelopes, and the gap it reports is
that total against the bound: it includes the counties' own integrality loss.

Each county's model is built and compiled once and kept: a price round only
changes the cost of its region-fund flow columns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import highspy
import numpy as np
import numpy.typing as npt

from allocator.errors import SolverError
from allocator.i18n import msg
from allocator.io.case import Case
from allocator.ledger import split_yuan
from allocator.optimize.model import build_model
from allocator.optimize.solve import Compiled, compile_model, new_highs, solve
from allocator.rules.eligibility import evaluate_eligibility
from allocator.rules.ruleset import RuleSet
from allocator.spec import LoadedSpec
from allocator.valuation import (
    household_values,
    plan_households,
    project_values,
    village_value_factors,
)

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Proposal:
    """One county plan offered to the master: its value and its region money (model units)."""

    value: float
    money: Vector


@dataclass
class CountyModel:
    """A county's compiled model, kept across price rounds."""

    name: str
    compiled: Compiled
    base_cost: Vector
    region_columns: list[npt.NDArray[np.int64]]  # per region fund: its flow columns
    unit: int
    #: the county's performance factor in the region's value (the spec's bands, on the
    #: region's scores.csv): money moves toward counties that spend fast and well
    weight: float = 1.0


@dataclass(frozen=True)
class Priced:
    """A county's answer to prices: its best plan under them and a bound on that."""

    proposal: Proposal
    bound: float  # upper bound on max (value - prices . money), the priced objective


def county_model(
    name: str,
    case: Case,
    ruleset: RuleSet,
    spec: LoadedSpec,
    region_fund_ids: Sequence[str],
    weight: float = 1.0,
) -> CountyModel:
    """Build and compile a county's model with the region's funds among its own."""
    eligibility = evaluate_eligibility(case, ruleset)
    values = project_values(case, spec.spec.objective)
    options = plan_households(case, ruleset, spec.spec)
    hvalues = None
    if options is not None:
        factors = village_value_factors(case, spec.spec.objective)
        hvalues = household_values(case, spec.spec.objective, options, factors)
    am = build_model(case, eligibility, values, spec.spec, None, options, hvalues)
    compiled = compile_model(am)
    index = case.fund_index()
    m = am.model
    region_columns = []
    for fund_id in region_fund_ids:
        f = index[fund_id]
        variables = [m.x[ff, g] for ff, g in am.arcs if ff == f]
        variables += [m.xh[ff, h] for ff, h in am.measure_arcs if ff == f]
        chosen = compiled.mask(variables)
        region_columns.append(np.flatnonzero(chosen).astype(np.int64))
    return CountyModel(
        name,
        compiled,
        np.asarray(compiled.lp.col_cost_, dtype=np.float64).copy(),
        region_columns,
        am.unit,
        weight,
    )


def price(
    model: CountyModel,
    prices: Vector,
    spec: LoadedSpec,
    time_limit: float,
    whole: bool = False,
) -> Priced:
    """The county's best plan when region money costs ``prices`` (value per model unit):
    with projects divisible (its LP relaxation), or, with ``whole``, its MIP (slower;
    its dual bound gives a tighter bound on the region)."""
    cost = model.weight * model.base_cost
    for r, columns in enumerate(model.region_columns):
        cost[columns] -= prices[r]
    model.compiled.lp.col_cost_ = cost
    try:
        options = spec.spec.solver.model_copy(update={"time_limit": max(time_limit, 0.01)})
        relaxed = None if whole else model.compiled.integer
        result = solve(model.compiled, options, continuous=relaxed)
    finally:
        model.compiled.lp.col_cost_ = model.base_cost
    if result.point is None or result.objective is None:
        raise SolverError(
            msg(
                "county {county}: no plan under the region's prices ({status})",
                county=model.name,
                status=result.status.value,
            )
        )
    x = result.point.x
    money = np.array([float(x[c].sum()) for c in model.region_columns])
    value = result.objective + float(prices @ money)
    bound = result.bound if result.bound is not None else result.objective
    return Priced(Proposal(value, money), max(bound, result.objective))


@dataclass
class Master:
    """The restricted master LP's columns: county plans, starting with 'no plan at all'."""

    counties: list[str]
    budgets: Vector  # region fund budgets, model units
    proposals: dict[str, list[Proposal]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        zero = Proposal(0.0, np.zeros(len(self.budgets)))
        for name in self.counties:
            self.proposals.setdefault(name, [zero])

    def add(self, county: str, proposal: Proposal) -> bool:
        """Add a plan unless the county already offered the same one."""
        for known in self.proposals[county]:
            if math.isclose(known.value, proposal.value, rel_tol=1e-12, abs_tol=1e-9) and (
                np.allclose(known.money, proposal.money, rtol=1e-12, atol=1e-9)
            ):
                return False
        self.proposals[county].append(proposal)
        return True

    def solve(self) -> tuple[float, Vector, dict[str, Vector]]:
        """Value, region prices (duals) and each county's proposal weights."""
        fund_rows, county_rows = len(self.budgets), len(self.counties)
        costs: list[float] = []
        starts, index, values = [0], [], []
        for c, name in enumerate(self.counties):
            for proposal in self.proposals[name]:
                costs.append(proposal.value)
                for r in np.flatnonzero(proposal.money):
                    index.append(int(r))
                    values.append(float(proposal.money[r]))
                index.append(fund_rows + c)
                values.append(1.0)
                starts.append(len(index))
        lp = highspy.HighsLp()
        lp.num_col_ = len(costs)
        lp.num_row_ = fund_rows + county_rows
        lp.col_cost_ = np.array(costs)
        lp.col_lower_ = np.zeros(len(costs))
        lp.col_upper_ = np.full(len(costs), highspy.kHighsInf)
        free = np.full(fund_rows, -highspy.kHighsInf)
        lp.row_lower_ = np.concatenate([free, np.ones(county_rows)])
        lp.row_upper_ = np.concatenate([self.budgets, np.ones(county_rows)])
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values)
        h = new_highs()
        h.setOptionValue("threads", 1)
        h.passModel(lp)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SolverError(
                msg(
                    "the envelope master LP ended {status}",
                    status=h.modelStatusToString(h.getModelStatus()),
                )
            )
        solution = h.getSolution()
        weights = np.asarray(solution.col_value)
        duals = np.abs(np.asarray(solution.row_dual)[:fund_rows])
        by_county: dict[str, Vector] = {}
        at = 0
        for name in self.counties:
            n = len(self.proposals[name])
            by_county[name] = weights[at : at + n]
            at += n
        return float(h.getInfo().objective_function_value), duals, by_county

    def money(self, weights: dict[str, Vector]) -> dict[str, Vector]:
        """Each county's region money (model units) under the plan weights."""
        return {
            name: sum(
                (w * p.money for w, p in zip(weights[name], self.proposals[name], strict=True)),
                np.zeros(len(self.budgets)),
            )
            for name in self.counties
        }


@dataclass(frozen=True)
class Envelopes:
    """The decomposition's outcome: whole-yuan envelopes and how good they are."""

    amounts: dict[str, dict[str, int]]  # county -> region fund -> yuan
    master_value: float  # the master's value: proposals mixed, projects divisible
    bound: float  # certified upper bound on the region's value
    rounds: int
    round_seconds: list[float]
    prices: Vector  # the final prices, value per model unit of each region fund


class Named(Protocol):
    """A county as the envelope search sees it: a name and its money unit."""

    @property
    def name(self) -> str: ...

    @property
    def unit(self) -> int: ...


def find_envelopes(
    models: Sequence[Named],
    fund_ids: Sequence[str],
    budgets_yuan: Sequence[int],
    gap: float,
    time_limit: float,
    price_all: Callable[[Vector, float], list[Priced]],
    max_rounds: int = 500,
) -> Envelopes:
    """Price rounds until the master is within ``gap`` of the bound (or time runs out).

    ``price_all(prices, seconds)`` answers every county's pricing problem, in
    ``models`` order (locally, or on workers that keep the models loaded).
    """
    unit = models[0].unit if models else 1
    budgets = np.array(budgets_yuan, dtype=np.float64) / unit
    names = [m.name for m in models]
    master = Master(names, budgets)
    prices = np.zeros(len(fund_ids))
    best_bound = math.inf
    value, weights = 0.0, {n: np.array([1.0]) for n in names}
    started = time.perf_counter()
    round_seconds: list[float] = []
    for _ in range(max_rounds):
        t = time.perf_counter()
        answers = price_all(prices, max(time_limit - (t - started), 0.01))
        bound = sum(a.bound for a in answers) + float(prices @ budgets)
        best_bound = min(best_bound, bound)
        added = False
        for name, answer in zip(names, answers, strict=True):
            added |= master.add(name, answer.proposal)
        value, prices, weights = master.solve()
        round_seconds.append(time.perf_counter() - t)
        if best_bound - value <= gap * max(abs(best_bound), 1e-12) or not added:
            break
        if time.perf_counter() - started > time_limit:
            break
    money = master.money(weights)
    amounts = whole_yuan(
        {n: money[n] * unit for n in names}, list(fund_ids), [int(b) for b in budgets_yuan]
    )
    return Envelopes(
        amounts, value, max(best_bound, value), len(round_seconds), round_seconds, prices
    )


def tighter_bound(
    answers: Sequence[Priced], prices: Vector, budgets_yuan: Sequence[int], unit: int
) -> float:
    """The Lagrangian bound from whole-project (MIP) answers at ``prices``."""
    budgets = np.array(budgets_yuan, dtype=np.float64) / unit
    return sum(a.bound for a in answers) + float(prices @ budgets)


def whole_yuan(
    money: dict[str, Vector], fund_ids: list[str], budgets: list[int]
) -> dict[str, dict[str, int]]:
    """Envelopes in whole yuan: each fund's whole budget in proportion to the money the
    master gives each county (so each gets at least that, up to a yuan).

    The master leaves money unspent where the relaxations value it at nothing
    more; whole projects can still use it, and more envelope never lowers a
    county's plan, so none of a budget is held back.
    """
    names = sorted(money)
    result: dict[str, dict[str, int]] = {n: {} for n in names}
    for r, fund_id in enumerate(fund_ids):
        wanted = [max(0.0, float(money[n][r])) for n in names]
        for n, amount in zip(names, split_yuan(budgets[r], wanted), strict=True):
            result[n][fund_id] = amount
    return result
