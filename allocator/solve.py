"""Solving the model: Pyomo standard form -> highspy, with status checked first.

Pyomo's persistent HiGHS hand-over is slow at scale; compiling the model to a
standard-form matrix and passing it to ``highspy`` directly is several times
faster and keeps the column order we choose (which HiGHS's search depends on).
No value is read before the model status and primal solution status say a
feasible solution exists.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from allocator.errors import SolverError
from allocator.model import AllocationModel
from allocator.spec import SolverOptions
from allocator.status import SolveStatus

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class Progress:
    """A progress report: the phase under way and, while solving, the search state."""

    phase: str
    elapsed: float = 0.0
    incumbent: float | None = None
    bound: float | None = None
    gap: float | None = None


@dataclass(frozen=True)
class SolveResult:
    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    values: dict[int, float]  # id(pyomo var) -> value, only when a plan exists
    solver_seconds: float
    nodes: int
    message: str


@dataclass(frozen=True)
class Compiled:
    """The model as HiGHS's matrix, and which Pyomo variable each column is."""

    lp: highspy.HighsLp
    column_ids: list[int]  # id(pyomo var) per column
    a_csr: Any  # scipy CSR copy of the matrix, for checking starts
    row_ids: list[int]  # id(pyomo constraint) per row

    def vector(self, values: dict[int, float]) -> npt.NDArray[np.float64]:
        return np.array([values.get(i, 0.0) for i in self.column_ids], dtype=np.float64)


def compile_model(am: AllocationModel) -> Compiled:
    """Compile the Pyomo model to standard form, in the model's own column order."""
    lp, ids, a, rows = _compile(am)
    return Compiled(lp, ids, a.tocsr(), rows)


def _compile(am: AllocationModel) -> tuple[highspy.HighsLp, list[int], Any, list[int]]:
    info = LinearStandardFormCompiler().write(
        am.model, mixed_form=True, set_sense=None, column_order=am.column_order
    )
    a = info.A.tocsc()
    rhs = np.asarray(info.rhs, dtype=np.float64)
    lower = np.full(len(info.rows), -_INF)
    upper = np.full(len(info.rows), _INF)
    for i, row in enumerate(info.rows):
        if row.bound_type >= 0:
            upper[i] = rhs[i]
        if row.bound_type <= 0:
            lower[i] = rhs[i]
    columns = info.columns
    lp = highspy.HighsLp()
    lp.num_col_ = len(columns)
    lp.num_row_ = len(info.rows)
    c = info.c.toarray().ravel() if hasattr(info.c, "toarray") else np.asarray(info.c).ravel()
    lp.col_cost_ = c
    lp.offset_ = float(np.asarray(info.c_offset).ravel()[0]) if len(info.c_offset) else 0.0
    lp.col_lower_ = np.array([v.lb if v.lb is not None else -_INF for v in columns], dtype=float)
    lp.col_upper_ = np.array([v.ub if v.ub is not None else _INF for v in columns], dtype=float)
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.a_matrix_.num_col_ = len(columns)
    lp.a_matrix_.num_row_ = len(info.rows)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [
        highspy.HighsVarType.kInteger
        if v.is_integer() or v.is_binary()
        else highspy.HighsVarType.kContinuous
        for v in columns
    ]
    return lp, [id(v) for v in columns], a, [id(r.constraint) for r in info.rows]


_scheduler_threads: list[int] = []


def _configure(h: highspy.Highs, options: SolverOptions) -> None:
    # HiGHS's thread pool is global and keeps the size it was first started
    # with; a run asking for another size must reset it, or HiGHS refuses to run.
    if _scheduler_threads and _scheduler_threads[0] != options.threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [options.threads]
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("time_limit", float(options.time_limit))
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("threads", int(options.threads))
    # Tight tolerances: with money in 10k-yuan units and coefficients spanning
    # 1e-4..1e3, HiGHS's defaults let a share of -1e-6 on a large project "pay"
    # for small ones. Whatever slips through is caught by the independent check.
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("mip_feasibility_tolerance", 1e-9)


@dataclass(frozen=True)
class Relaxed:
    """The LP relaxation's solution and its row duals (``id(constraint) -> |dual|``).

    A budget row's dual is the price of money in that fund: the value 10,000
    more yuan would buy at the margin, where projects compete for it.
    """

    values: dict[int, float]
    duals: dict[int, float]
    objective: float | None = None  # the LP bound on the MIP's objective


def solve_relaxation(compiled: Compiled, options: SolverOptions) -> Relaxed | None:
    """The LP relaxation (integrality dropped), or None if it is not optimal."""
    h = _new_highs()
    _configure(h, options)
    lp = compiled.lp
    integrality = lp.integrality_
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * lp.num_col_
    try:
        h.passModel(lp)
    finally:
        lp.integrality_ = integrality
    _run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = h.getSolution()
    return Relaxed(
        dict(zip(compiled.column_ids, solution.col_value, strict=True)),
        {row: abs(float(d)) for row, d in zip(compiled.row_ids, solution.row_dual, strict=True)},
        float(h.getInfo().objective_function_value),
    )


def solve_restricted(
    compiled: Compiled,
    options: SolverOptions,
    free: set[int],
    start: dict[int, float],
    target: float,
    node_limit: int = 1000,
) -> dict[int, float] | None:
    """Solve the MIP with every integer column outside ``free`` fixed at ``start``.

    Stops at the first plan worth ``target`` (HiGHS's objective target) or after
    ``node_limit`` nodes: a work limit, not a clock, so the result is the same
    on any machine. Returns a full solution (feasible for the whole model), or
    None if none was found.
    """
    lp = compiled.lp
    x = compiled.vector(start)
    integer = np.array([t != highspy.HighsVarType.kContinuous for t in lp.integrality_])
    keep = integer & ~np.array([i in free for i in compiled.column_ids])
    saved = (lp.col_lower_, lp.col_upper_)
    lp.col_lower_ = np.where(keep, np.round(x), np.asarray(lp.col_lower_))
    lp.col_upper_ = np.where(keep, np.round(x), np.asarray(lp.col_upper_))
    h = _new_highs()
    _configure(h, options)
    h.setOptionValue("objective_target", float(target))
    h.setOptionValue("mip_max_nodes", int(node_limit))
    try:
        h.passModel(lp)
    finally:
        lp.col_lower_, lp.col_upper_ = saved
    initial = highspy.HighsSolution()
    initial.col_value = x.tolist()
    initial.value_valid = True
    h.setSolution(initial)
    _run(h)
    if h.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return None
    return dict(zip(compiled.column_ids, h.getSolution().col_value, strict=True))


def start_value(compiled: Compiled, start: dict[int, float], tol: float = 1e-9) -> float | None:
    """Objective of a start if it satisfies every bound, row and integrality; else None."""
    lp = compiled.lp
    x = compiled.vector(start)
    lower, upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    if np.any(x < lower - tol) or np.any(x > upper + tol):
        return None
    integer = np.array([t != highspy.HighsVarType.kContinuous for t in lp.integrality_])
    if np.any(np.abs(x[integer] - np.round(x[integer])) > tol):
        return None
    activity = compiled.a_csr @ x
    row_scale = 1.0 + np.abs(activity)
    if np.any(activity < np.asarray(lp.row_lower_) - tol * row_scale) or np.any(
        activity > np.asarray(lp.row_upper_) + tol * row_scale
    ):
        return None
    return float(np.dot(np.asarray(lp.col_cost_), x))


def solve(
    compiled: Compiled,
    options: SolverOptions,
    progress: Callable[[Progress], None] | None = None,
    starts: list[dict[int, float]] | None = None,
) -> SolveResult:
    """Solve with HiGHS; map its outcome to :class:`SolveStatus` before reading values.

    Of ``starts`` (``id(var) -> value``), the best feasible one is offered to
    HiGHS as a first incumbent.
    """
    column_ids = compiled.column_ids
    lp = compiled.lp
    if not column_ids:
        # No project has an eligible fund: the only plan is the empty one.
        return SolveResult(
            SolveStatus.OPTIMAL, 0.0, 0.0, 0.0, {}, 0.0, 0, "no fundable project: the plan is empty"
        )
    h = _new_highs()
    _configure(h, options)
    if progress is not None:
        _attach_progress(h, progress)
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS refused the model (internal error building it)")
    scored = [
        (value, i)
        for i, st in enumerate(starts or [])
        if (value := start_value(compiled, st)) is not None
    ]
    if scored:
        best = (starts or [])[max(scored)[1]]
        initial = highspy.HighsSolution()
        initial.col_value = compiled.vector(best).tolist()
        initial.value_valid = True
        h.setSolution(initial)
    t0 = time.perf_counter()
    run_status = _run(h)
    solver_seconds = time.perf_counter() - t0
    model_status = h.getModelStatus()
    info = h.getInfo()
    message = h.modelStatusToString(model_status)
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    nodes = int(getattr(info, "mip_node_count", 0) or 0)
    kind = map_status(run_status == highspy.HighsStatus.kError, model_status, feasible)

    if not kind.has_plan:
        return SolveResult(kind, None, None, None, {}, solver_seconds, nodes, message)

    solution = h.getSolution()
    col_values: npt.NDArray[np.float64] = np.asarray(solution.col_value, dtype=np.float64)
    if len(col_values) != len(column_ids) or not np.all(np.isfinite(col_values)):
        raise SolverError("HiGHS reported a solution with missing or non-finite values")
    objective = float(info.objective_function_value)
    is_mip = any(t != highspy.HighsVarType.kContinuous for t in lp.integrality_)
    # Stopped before any bound was proven, HiGHS reports an infinite bound and gap:
    # these are "unknown", never numbers.
    bound = _finite(info.mip_dual_bound) if is_mip else objective
    gap = _finite(info.mip_gap) if is_mip else 0.0
    values = dict(zip(column_ids, col_values.tolist(), strict=True))
    return SolveResult(kind, objective, bound, gap, values, solver_seconds, nodes, message)


def canonical_flows(
    compiled: Compiled, result: SolveResult, flow_cost: dict[int, float], options: SolverOptions
) -> dict[int, float]:
    """Re-route money with the selection fixed, so equal-value splits never depend on the solver.

    Every column not in ``flow_cost`` (project shares, selections) is fixed at
    its solved value; the flows are re-optimized to minimize
    ``sum flow_cost x`` under the same budgets, balances and shares. Returns the
    solution with canonical flows (the original one if the LP is not optimal).
    """
    lp = compiled.lp
    x = compiled.vector(result.values)
    lower, upper = np.array(lp.col_lower_), np.array(lp.col_upper_)
    integer = np.array([t != highspy.HighsVarType.kContinuous for t in lp.integrality_])
    x = np.where(integer, np.round(x), np.clip(x, lower, upper))
    is_flow = np.array([i in flow_cost for i in compiled.column_ids])
    saved = (lp.col_lower_, lp.col_upper_, lp.col_cost_, lp.integrality_, lp.sense_)
    lp.col_lower_ = np.where(is_flow, lower, x)
    lp.col_upper_ = np.where(is_flow, upper, x)
    lp.col_cost_ = np.array([flow_cost.get(i, 0.0) for i in compiled.column_ids])
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * lp.num_col_
    lp.sense_ = highspy.ObjSense.kMinimize
    h = _new_highs()
    _configure(h, options)
    try:
        h.passModel(lp)
    finally:
        lp.col_lower_, lp.col_upper_, lp.col_cost_, lp.integrality_, lp.sense_ = saved
    _run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return result.values
    return dict(zip(compiled.column_ids, h.getSolution().col_value, strict=True))


_STOPPED_EARLY = {
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kSolutionLimit,
    highspy.HighsModelStatus.kInterrupt,
}
_INFEASIBLE = {
    highspy.HighsModelStatus.kInfeasible,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
}


def map_status(run_failed: bool, model_status: object, primal_feasible: bool) -> SolveStatus:
    """Translate HiGHS's run status, model status and primal solution status.

    Optimal needs a feasible primal solution too (HiGHS has reported 'optimal'
    without one); a run stopped early is TIME_LIMIT only with a feasible
    incumbent; anything unexpected is ERROR, never a plan.
    """
    if run_failed:
        return SolveStatus.ERROR
    if model_status == highspy.HighsModelStatus.kOptimal:
        return SolveStatus.OPTIMAL if primal_feasible else SolveStatus.ERROR
    if model_status in _INFEASIBLE:
        return SolveStatus.INFEASIBLE
    if model_status in _STOPPED_EARLY:
        return SolveStatus.TIME_LIMIT if primal_feasible else SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR


def _run(h: highspy.Highs) -> object:
    """Run HiGHS so that Ctrl-C cancels it cleanly, then re-raise KeyboardInterrupt.

    ``Highs.run()`` blocks in C++ where Python cannot deliver the interrupt; the
    solve runs in HiGHS's own thread and this one waits, ready to cancel. An
    interrupted solve never becomes a plan (HiGHS would call it a feasible stop).
    """
    h.HandleUserInterrupt = True
    h.startSolve()
    interrupted = False
    while True:
        try:
            done, status = h.wait(0.1)
        except KeyboardInterrupt:
            interrupted = True
            h.cancelSolve()  # type: ignore[no-untyped-call]
            continue
        if done:
            break
    if interrupted:
        raise KeyboardInterrupt
    return status


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance: the library prints nothing (HiGHS's C++ banner included)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def _attach_progress(h: highspy.Highs, progress: Callable[[Progress], None]) -> None:
    """Forward HiGHS's MIP logging callbacks as :class:`Progress` reports."""
    started = time.perf_counter()
    last = [0.0]

    def on_mip(event: object) -> None:
        now = time.perf_counter() - started
        if now - last[0] < 0.5:
            return
        last[0] = now
        data = getattr(event, "data_out", None)
        if data is None:
            return
        incumbent = getattr(data, "objective_function_value", None)
        bound = getattr(data, "mip_dual_bound", None)
        gap = getattr(data, "mip_gap", None)
        progress(Progress("solve", now, _finite(incumbent), _finite(bound), _finite(gap)))

    try:
        h.cbMipInterrupt.subscribe(on_mip)
    except AttributeError:  # older highspy without the callback API: no progress, still solves
        return


def _finite(value: object) -> float | None:
    if isinstance(value, int | float) and np.isfinite(value) and abs(value) < 1e30:
        return float(value)
    return None
