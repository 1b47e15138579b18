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
    handover_seconds: float
    nodes: int
    message: str


def _compile(am: AllocationModel) -> tuple[highspy.HighsLp, list[int]]:
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
    return lp, [id(v) for v in columns]


def solve(
    am: AllocationModel,
    options: SolverOptions,
    progress: Callable[[Progress], None] | None = None,
    start: dict[int, float] | None = None,
) -> SolveResult:
    """Solve with HiGHS; map its outcome to :class:`SolveStatus` before reading values.

    ``start`` (``id(var) -> value``) is offered to HiGHS as a first incumbent.
    """
    started = time.perf_counter()
    if not am.column_order:
        # No project has an eligible fund: the only plan is the empty one.
        return SolveResult(
            SolveStatus.OPTIMAL,
            0.0,
            0.0,
            0.0,
            {},
            0.0,
            0.0,
            0,
            "no fundable project: the plan is empty",
        )
    lp, column_ids = _compile(am)
    handover = time.perf_counter() - started

    h = _new_highs()
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("time_limit", float(options.time_limit))
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("threads", int(options.threads))
    # Tight tolerances: with money in 10k-yuan units and coefficients spanning
    # 1e-4..1e3, HiGHS's defaults let a share of -1e-6 on a large project "pay"
    # for small ones. Whatever slips through is caught by the independent check.
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("mip_feasibility_tolerance", 1e-9)
    if progress is not None:
        _attach_progress(h, progress)
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS refused the model (internal error building it)")
    if start is not None:
        initial = highspy.HighsSolution()
        initial.col_value = [start.get(i, 0.0) for i in column_ids]
        initial.value_valid = True
        h.setSolution(initial)  # HiGHS verifies it and ignores an infeasible start
    t0 = time.perf_counter()
    run_status = h.run()
    solver_seconds = time.perf_counter() - t0
    model_status = h.getModelStatus()
    info = h.getInfo()
    message = h.modelStatusToString(model_status)
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    nodes = int(getattr(info, "mip_node_count", 0) or 0)

    if run_status == highspy.HighsStatus.kError:
        kind = SolveStatus.ERROR
    elif model_status == highspy.HighsModelStatus.kOptimal:
        kind = SolveStatus.OPTIMAL if feasible else SolveStatus.ERROR
    elif model_status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        kind = SolveStatus.INFEASIBLE
    elif model_status in (
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kSolutionLimit,
        highspy.HighsModelStatus.kInterrupt,
    ):
        kind = SolveStatus.TIME_LIMIT if feasible else SolveStatus.NO_SOLUTION
    else:
        kind = SolveStatus.ERROR

    if not kind.has_plan:
        return SolveResult(kind, None, None, None, {}, solver_seconds, handover, nodes, message)

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
    return SolveResult(
        kind, objective, bound, gap, values, solver_seconds, handover, nodes, message
    )


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
