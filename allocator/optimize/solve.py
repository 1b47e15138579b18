"""Solving the model: Pyomo standard form -> highspy, with status checked first.

Pyomo's persistent HiGHS hand-over is slow at scale; compiling the model to a
standard-form matrix and passing it to ``highspy`` directly is several times
faster and keeps the column order we choose (which HiGHS's search depends on).

Every HiGHS call (LP relaxation, margin sub-MIP, final MIP, canonical-flow LP,
fixed-selection LP) returns a :class:`SolveResult`; values and duals are read
through it (``value(var)``, ``dual(row)``) and only once its status says a
solution exists. Column and row numbers never leave this module.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from allocator.errors import SolverError
from allocator.i18n import msg
from allocator.optimize.model import AllocationModel
from allocator.plan import Progress
from allocator.spec import SolverOptions
from allocator.status import SolveStatus

_INF = highspy.kHighsInf


class Deadline:
    """One time limit for every HiGHS call of a run, counted from the first of them.

    The final MIP stops ``reserve`` seconds early (10% of the limit, at most
    1 s): HiGHS overruns its limits, and rounding, the check and the short LPs
    after it (canonical flows, binding prices) must fit in what is left.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.reserve = min(1.0, 0.1 * seconds)
        self.started: float | None = None

    def left(self) -> float:
        """Seconds left (the clock starts at the first call); never below 0.01."""
        if self.started is None:
            self.started = time.perf_counter()
        return max(0.01, self.started + self.seconds - time.perf_counter())

    def elapsed(self) -> float:
        """Seconds since the first HiGHS call (0 before it)."""
        return 0.0 if self.started is None else time.perf_counter() - self.started

    def options(
        self, options: SolverOptions, *, reserve: float = 0.0, at_least: float = 0.0
    ) -> SolverOptions:
        """``options`` with the time limit cut to what is left (less ``reserve``),
        but never below ``at_least`` (for short LPs whose result a plan needs)."""
        left = max(0.01, self.left() - reserve, at_least)
        return options.model_copy(update={"time_limit": left})


@dataclass(frozen=True)
class Compiled:
    """The model as HiGHS's matrix, and which Pyomo variable (row) each column (row) is."""

    lp: highspy.HighsLp
    column_of: dict[int, int]  # id(pyomo var) -> column
    row_of: dict[int, int]  # id(pyomo constraint) -> row
    a_csr: Any  # scipy CSR copy of the matrix, for checking starts
    integer: npt.NDArray[np.bool_]
    derived: DerivedColumns | None = None

    @property
    def columns(self) -> int:
        return int(self.lp.num_col_)

    def point(self) -> Point:
        """A value for every column, all zero."""
        return Point(self, np.zeros(self.columns))

    def mask(self, variables: Iterable[Any]) -> npt.NDArray[np.bool_]:
        """Columns of ``variables`` (those the compiler kept)."""
        chosen = np.zeros(self.columns, dtype=bool)
        for var in variables:
            column = self.column_of.get(id(var))
            if column is not None:
                chosen[column] = True
        return chosen


@dataclass(frozen=True)
class DerivedColumns:
    """Columns a start sets from its shares: each need overlap's share of "all funded"
    (``allocator.need_overlap``), so a start that funds both of a pair stays feasible."""

    column: npt.NDArray[np.int64]
    #: every term's members' share columns, one after another
    starts: npt.NDArray[np.int64]
    #: where each member's columns begin in ``starts``; where each term's members begin
    member_offsets: npt.NDArray[np.int64]
    term_offsets: npt.NDArray[np.int64]
    sizes: npt.NDArray[np.int64]  # members per term
    takes_back: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, am: AllocationModel, column_of: dict[int, int]) -> DerivedColumns | None:
        if not am.overlap_terms:
            return None
        s = am.model.s
        members = [member for _, o in am.overlap_terms for member in o.members]
        member_sizes = np.array([len(member) for member in members], dtype=np.int64)
        sizes = np.array([len(o.members) for _, o in am.overlap_terms], dtype=np.int64)
        return cls(
            np.array([column_of[id(t)] for t, _ in am.overlap_terms], dtype=np.int64),
            np.array([column_of[id(s[p])] for member in members for p in member], dtype=np.int64),
            np.concatenate(([0], np.cumsum(member_sizes)[:-1])).astype(np.int64),
            np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64),
            sizes,
            np.array([o.value <= 0 for _, o in am.overlap_terms], dtype=bool),
        )

    def fill(self, x: npt.NDArray[np.float64]) -> None:
        members = np.clip(np.add.reduceat(x[self.starts], self.member_offsets), 0.0, 1.0)
        taken = np.add.reduceat(members, self.term_offsets) - (self.sizes - 1)
        least = np.minimum.reduceat(members, self.term_offsets)
        x[self.column] = np.where(self.takes_back, np.maximum(0.0, taken), least)


class Point:
    """One value per column of a compiled model, read and written by Pyomo variable."""

    def __init__(self, compiled: Compiled, x: npt.NDArray[np.float64]) -> None:
        self.compiled = compiled
        self.x = x

    def __getitem__(self, var: Any) -> float:
        column = self.compiled.column_of.get(id(var))
        return 0.0 if column is None else float(self.x[column])

    def __setitem__(self, var: Any, value: float) -> None:
        column = self.compiled.column_of.get(id(var))
        if column is not None:
            self.x[column] = value


@dataclass(frozen=True)
class Held:
    """Integer columns a solve holds at given values (a restriction of the model)."""

    columns: npt.NDArray[np.bool_]
    values: npt.NDArray[np.float64]  # one per column of the model; read where held


@dataclass(frozen=True)
class SolveResult:
    """What one HiGHS call returned: status first; values and duals only through it."""

    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    point: Point | None  # only when a solution exists
    solver_seconds: float
    nodes: int
    message: str
    row_duals: npt.NDArray[np.float64] | None = None

    def value(self, var: Any) -> float:
        """The variable's value in this solution (0 for a variable in no row)."""
        if self.point is None:
            raise ValueError(msg("no solution to read ({value})", value=self.status.value))
        return self.point[var]

    def dual(self, row: Any) -> float:
        """The row's dual in an LP solve (0 for a row the compiler dropped)."""
        if self.row_duals is None or self.point is None:
            raise ValueError(msg("this solve has no duals"))
        index = self.point.compiled.row_of.get(id(row))
        return 0.0 if index is None else float(self.row_duals[index])


def compile_model(am: AllocationModel) -> Compiled:
    """Compile the Pyomo model to standard form, in the model's own column order."""
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
    integer = np.array([v.is_integer() or v.is_binary() for v in columns], dtype=bool)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer
    ]
    column_of = {id(v): i for i, v in enumerate(columns)}
    return Compiled(
        lp,
        column_of,
        {id(r.constraint): i for i, r in enumerate(info.rows)},
        a.tocsr(),
        integer,
        DerivedColumns.of(am, column_of),
    )


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


class PendingLP:
    """An LP HiGHS is solving in its own thread while Python does other work.

    highspy runs one started solve per process at a time (its locks are shared by
    every instance): no other HiGHS call may start before ``result()`` is read.
    """

    def __init__(self, compiled: Compiled, h: highspy.Highs) -> None:
        self.compiled = compiled
        self.h: highspy.Highs | None = h
        self.started = time.perf_counter()
        _start(h)

    def result(self) -> SolveResult:
        """Wait for HiGHS (Ctrl-C cancels it, as in every solve) and read its answer.

        The HiGHS instance (a copy of the model and its factorization: about 100 MB at
        province size) is let go once read, not kept as long as this object lives.
        """
        h = self.h
        if h is None:
            raise RuntimeError(msg("this LP's result was already read"))
        _wait(h)
        self.h = None
        return _lp_result(self.compiled, h, time.perf_counter() - self.started)

    def cancel(self) -> None:
        """Stop HiGHS and wait for it (the work meanwhile failed): the next solve may start."""
        if self.h is not None:
            self.h.cancelSolve()  # type: ignore[no-untyped-call]
            self.h.wait()
            _free(self.h)
            self.h = None


def start_relaxation(compiled: Compiled, options: SolverOptions) -> PendingLP:
    """Start the LP relaxation in HiGHS's thread; ``result()`` waits for it."""
    return _start_lp(compiled, options)


def _start_lp(
    compiled: Compiled,
    options: SolverOptions,
    *,
    lower: npt.NDArray[np.float64] | None = None,
    upper: npt.NDArray[np.float64] | None = None,
    cost: npt.NDArray[np.float64] | None = None,
    minimize: bool = False,
) -> PendingLP:
    """The LP over the compiled rows (integrality dropped), with columns re-bounded or
    re-costed, started in HiGHS's thread."""
    lp = compiled.lp
    saved = _saved(lp)
    if lower is not None:
        lp.col_lower_ = lower
    if upper is not None:
        lp.col_upper_ = upper
    if cost is not None:
        lp.col_cost_ = cost
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * lp.num_col_
    if minimize:
        lp.sense_ = highspy.ObjSense.kMinimize
    h = new_highs()
    _configure(h, options)
    try:
        h.passModel(lp)
    finally:
        lp.col_lower_, lp.col_upper_, lp.col_cost_, lp.integrality_, lp.sense_ = saved
    return PendingLP(compiled, h)


def _lp_result(compiled: Compiled, h: highspy.Highs, seconds: float) -> SolveResult:
    """An LP's outcome, its status mapped before any value is read; HiGHS's copy of the
    model is freed once read."""
    try:
        return _read_lp(compiled, h, seconds)
    finally:
        _free(h)


def _free(h: highspy.Highs) -> None:
    """Free an instance's model and solver data now.

    A highspy instance refers to itself through the callbacks it subscribes (its
    interrupt handler is one), so only Python's cycle collector would destroy it:
    ``clear()`` alone left a province LP's solver data (60-90 MB) until the next full
    collection. Without its callbacks the instance is destroyed when let go.
    """
    h.clear()
    h.clearCallbacks()  # type: ignore[no-untyped-call]


def _read_lp(compiled: Compiled, h: highspy.Highs, seconds: float) -> SolveResult:
    model_status = h.getModelStatus()
    message = h.modelStatusToString(model_status)
    if model_status != highspy.HighsModelStatus.kOptimal:
        kind = map_status(False, model_status, False)
        return SolveResult(kind, None, None, None, None, seconds, 0, message)
    solution = h.getSolution()
    objective = float(h.getInfo().objective_function_value)
    return SolveResult(
        SolveStatus.OPTIMAL,
        objective,
        objective,
        0.0,
        Point(compiled, np.asarray(solution.col_value, dtype=np.float64)),
        seconds,
        0,
        message,
        np.asarray(solution.row_dual, dtype=np.float64),
    )


def _saved(lp: highspy.HighsLp) -> tuple[Any, Any, Any, Any, Any]:
    """Copies of the fields a solve changes, to put back afterwards.

    Copies, not references: highspy returns ``col_cost_`` as a numpy view of
    the C++ vector, which points at freed memory once the field is replaced;
    restoring such a view wrote garbage costs into the model (seen as later
    LPs reported "optimal" with an infinite objective, or failed).
    """
    return (
        np.array(lp.col_lower_, dtype=np.float64),
        np.array(lp.col_upper_, dtype=np.float64),
        np.array(lp.col_cost_, dtype=np.float64),
        list(lp.integrality_),
        lp.sense_,
    )


def solve_relaxation(compiled: Compiled, options: SolverOptions) -> SolveResult:
    """The LP relaxation: its objective bounds every plan; its duals price each row."""
    return start_relaxation(compiled, options).result()


def _fixed(compiled: Compiled, point: Point, free: npt.NDArray[np.bool_]) -> tuple[Any, Any]:
    """Column bounds with every column outside ``free`` fixed at ``point`` (integers rounded)."""
    lp = compiled.lp
    lower, upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    x = np.where(compiled.integer, np.round(point.x), np.clip(point.x, lower, upper))
    return np.where(free, lower, x), np.where(free, upper, x)


def solve_fixed_selection(compiled: Compiled, point: Point, options: SolverOptions) -> SolveResult:
    """The LP with every integer column fixed at ``point``: its duals price each policy row."""
    lower, upper = _fixed(compiled, point, ~compiled.integer)
    return _start_lp(compiled, options, lower=lower, upper=upper).result()


def same_selection(solved: Sequence[SolveResult], point: Point) -> SolveResult | None:
    """Of LPs solved with a selection fixed, the one whose selection is ``point``'s."""
    integer = point.compiled.integer
    wanted = np.round(point.x[integer])
    for lp in solved:
        if (
            lp.point is not None
            and lp.point.compiled is point.compiled
            and np.array_equal(np.round(lp.point.x[integer]), wanted)
        ):
            return lp
    return None


def solve_restricted(
    compiled: Compiled,
    options: SolverOptions,
    free: Sequence[Any],
    start: Point,
    target: float,
    node_limit: int = 1000,
) -> tuple[Point, float] | None:
    """Solve the MIP with every integer column outside ``free`` fixed at ``start``.

    Stops at the first plan worth ``target`` (HiGHS's objective target) or after
    ``node_limit`` nodes: a work limit, not a clock, so the result is the same
    on any machine. Returns a full solution (feasible for the whole model) and
    the restricted problem's bound, or None if none was found.
    """
    lp = compiled.lp
    keep = compiled.integer & ~compiled.mask(free)
    x = start.x
    saved = (np.array(lp.col_lower_, dtype=np.float64), np.array(lp.col_upper_, dtype=np.float64))
    lp.col_lower_ = np.where(keep, np.round(x), np.asarray(lp.col_lower_))
    lp.col_upper_ = np.where(keep, np.round(x), np.asarray(lp.col_upper_))
    h = new_highs()
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
    try:
        _run(h)
        info = h.getInfo()
        if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return None
        point = Point(compiled, np.asarray(h.getSolution().col_value, dtype=np.float64))
        return point, float(info.mip_dual_bound)
    finally:
        _free(h)


def solve_in_stages(
    compiled: Compiled,
    options: SolverOptions,
    start: Point,
    stages: Sequence[npt.NDArray[np.bool_]],
    node_limit: int = 200,
) -> Point | None:
    """Relax-and-fix from ``start``: stage k solves the MIP with the integer columns of
    ``stages[k]`` integer, those of later stages continuous and those of earlier stages
    fixed where stage k - 1 left them (integer columns in no stage stay integer).

    Each stage starts from the last one's plan and stops at ``node_limit`` nodes (a work
    limit, not a clock: the same plan on any machine). Returns the last stage's plan, a
    plan of the whole model, or None if a stage found none.
    """
    lp = compiled.lp
    saved = (np.array(lp.col_lower_, dtype=np.float64), np.array(lp.col_upper_, dtype=np.float64))
    point = start
    try:
        for k, now in enumerate(stages):
            later = np.zeros(compiled.columns, dtype=bool)
            for mask in stages[k + 1 :]:
                later |= mask
            h = new_highs()
            _configure(h, options)
            h.setOptionValue("mip_max_nodes", int(node_limit))
            h.passModel(lp)
            relaxed = np.flatnonzero(later & compiled.integer).astype(np.int32)
            if len(relaxed):
                kinds = np.array([highspy.HighsVarType.kContinuous] * len(relaxed))
                h.changeColsIntegrality(len(relaxed), relaxed, kinds)
            initial = highspy.HighsSolution()
            initial.col_value = point.x.tolist()
            initial.value_valid = True
            h.setSolution(initial)
            try:
                _run(h)
                info = h.getInfo()
                if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
                    return None
                x = np.asarray(h.getSolution().col_value, dtype=np.float64)
            finally:
                _free(h)
            point = Point(compiled, x)
            fix = now & compiled.integer
            lp.col_lower_ = np.where(fix, np.round(x), np.asarray(lp.col_lower_))
            lp.col_upper_ = np.where(fix, np.round(x), np.asarray(lp.col_upper_))
    finally:
        lp.col_lower_, lp.col_upper_ = saved
    return point


def start_value(start: Point, tol: float = 1e-9) -> float | None:
    """Objective of a start if it satisfies every bound, row and integrality; else None.

    Columns that follow from the shares (``DerivedColumns``) are set first."""
    compiled = start.compiled
    if compiled.derived is not None:
        compiled.derived.fill(start.x)
    lp = compiled.lp
    x = start.x
    lower, upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    if np.any(x < lower - tol) or np.any(x > upper + tol):
        return None
    integer = compiled.integer
    if np.any(np.abs(x[integer] - np.round(x[integer])) > tol):
        return None
    activity = compiled.a_csr @ x
    # Relative to the row's terms: a balance of thousands of flows sums to ~0 with
    # rounding noise proportional to its terms, not to its (zero) activity.
    row_scale = 1.0 + abs(compiled.a_csr) @ np.abs(x)
    if np.any(activity < np.asarray(lp.row_lower_) - tol * row_scale) or np.any(
        activity > np.asarray(lp.row_upper_) + tol * row_scale
    ):
        return None
    return float(np.dot(np.asarray(lp.col_cost_), x))


def start_objective(start: Point) -> float:
    """A start's objective, feasible or not (to rank starts before repairing them); the
    columns that follow from its shares (``DerivedColumns``) are set first."""
    if start.compiled.derived is not None:
        start.compiled.derived.fill(start.x)
    return float(np.dot(np.asarray(start.compiled.lp.col_cost_), start.x))


def best_start(starts: Sequence[Point]) -> tuple[float, Point] | None:
    """The feasible start of highest value (the latest among equals), or None."""
    scored = [(value, i) for i, st in enumerate(starts) if (value := start_value(st)) is not None]
    if not scored:
        return None
    value, index = max(scored)
    return value, starts[index]


def solve(
    compiled: Compiled,
    options: SolverOptions,
    progress: Callable[[Progress], None] | None = None,
    starts: Sequence[Point] = (),
    continuous: npt.NDArray[np.bool_] | None = None,
    fixed: Held | None = None,
) -> SolveResult:
    """Solve the MIP with HiGHS; map its outcome to :class:`SolveStatus` before reading values.

    Of ``starts``, the best feasible one is offered to HiGHS as a first incumbent.
    Columns marked ``continuous`` are solved without their integrality (a
    partial relaxation: its plan is a guide, not a plan). Integer columns ``fixed``
    holds are held at its values (a restriction: the bound HiGHS reports is then the
    restricted problem's, not a bound on every plan).
    """
    lp = compiled.lp
    if not compiled.columns:
        # No project has an eligible fund: the only plan is the empty one.
        return SolveResult(
            SolveStatus.OPTIMAL,
            0.0,
            0.0,
            0.0,
            compiled.point(),
            0.0,
            0,
            "no fundable project: the plan is empty",
        )
    h = new_highs()
    _configure(h, options)
    if progress is not None:
        _attach_progress(h, progress)
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolverError(msg("HiGHS refused the model (internal error building it)"))
    if continuous is not None and continuous.any():
        relaxed = np.flatnonzero(continuous & compiled.integer).astype(np.int32)
        kinds = np.array([highspy.HighsVarType.kContinuous] * len(relaxed))
        h.changeColsIntegrality(len(relaxed), relaxed, kinds)
    chosen = best_start(starts)
    if fixed is not None:
        held = np.flatnonzero(fixed.columns & compiled.integer).astype(np.int32)
        values = np.round(fixed.values[held])
        h.changeColsBounds(len(held), held, values, values)
    if chosen is not None:
        initial = highspy.HighsSolution()
        initial.col_value = chosen[1].x.tolist()
        initial.value_valid = True
        h.setSolution(initial)
    t0 = time.perf_counter()
    try:
        run_status = _run(h)
        return _read_mip(compiled, h, run_status, time.perf_counter() - t0, chosen)
    finally:
        _free(h)


def _read_mip(
    compiled: Compiled,
    h: highspy.Highs,
    run_status: object,
    solver_seconds: float,
    chosen: tuple[float, Point] | None,
) -> SolveResult:
    """A MIP's outcome, its status mapped before any value is read."""
    model_status = h.getModelStatus()
    info = h.getInfo()
    message = h.modelStatusToString(model_status)
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    nodes = int(getattr(info, "mip_node_count", 0) or 0)
    kind = map_status(run_status == highspy.HighsStatus.kError, model_status, feasible)

    if kind == SolveStatus.NO_SOLUTION and chosen is not None:
        # Stopped before HiGHS took up the start: the start is still a checked plan.
        value, start = chosen
        return SolveResult(
            SolveStatus.TIME_LIMIT,
            value,
            None,
            None,
            start,
            solver_seconds,
            nodes,
            msg("{message}; the best warm start is the incumbent", message=message),
        )
    if not kind.has_plan:
        return SolveResult(kind, None, None, None, None, solver_seconds, nodes, message)

    solution = h.getSolution()
    col_values: npt.NDArray[np.float64] = np.asarray(solution.col_value, dtype=np.float64)
    if len(col_values) != compiled.columns or not np.all(np.isfinite(col_values)):
        raise SolverError(msg("HiGHS reported a solution with missing or non-finite values"))
    objective = float(info.objective_function_value)
    is_mip = bool(compiled.integer.any())
    # Stopped before any bound was proven, HiGHS reports an infinite bound and gap:
    # these are "unknown", never numbers.
    bound = _finite(info.mip_dual_bound) if is_mip else objective
    gap = _finite(info.mip_gap) if is_mip else 0.0
    point = Point(compiled, col_values)
    return SolveResult(kind, objective, bound, gap, point, solver_seconds, nodes, message)


def canonical_flows(
    result: SolveResult, flow_cost: Sequence[tuple[Any, float]], options: SolverOptions
) -> SolveResult:
    """Re-route money with the selection fixed, so equal-value splits never depend on the solver.

    Every column not in ``flow_cost`` (project shares, selections) is fixed at
    its solved value; the flows are re-optimized to minimize ``sum cost x``
    under the same budgets, balances and policy rows. Returns ``result`` with
    the canonical flows (unchanged if that LP is not solved to optimality).
    """
    if result.point is None:
        return result
    compiled = result.point.compiled
    is_flow = compiled.mask(var for var, _ in flow_cost)
    cost = np.zeros(compiled.columns)
    for var, c in flow_cost:
        column = compiled.column_of.get(id(var))
        if column is not None:
            cost[column] = c
    lower, upper = _fixed(compiled, result.point, is_flow)
    routed = _start_lp(
        compiled, options, lower=lower, upper=upper, cost=cost, minimize=True
    ).result()
    if routed.point is None:
        return result
    return replace(result, point=routed.point)


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
    _start(h)
    return _wait(h)


def _start(h: highspy.Highs) -> None:
    h.HandleUserInterrupt = True
    h.startSolve()


def _wait(h: highspy.Highs) -> object:
    """Wait for a started solve; Ctrl-C cancels it, then KeyboardInterrupt is re-raised."""
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


def new_highs() -> highspy.Highs:
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


@dataclass(frozen=True)
class Pressure:
    """For each column, the tagged row whose dual weighs on it most, and by how much.

    Built from an LP solve's duals: the pressure of row r on column j is
    ``|dual_r x a_rj|``, the value the row's bound costs that column per unit.
    """

    compiled: Compiled
    tags: Sequence[Any]
    best_tag: npt.NDArray[np.int64]  # per column: index into tags, or -1
    best: npt.NDArray[np.float64]  # per column: the pressure of that row

    def on(self, var: Any) -> tuple[Any, float] | None:
        """The heaviest tagged row on ``var`` and its pressure, or None."""
        column = self.compiled.column_of.get(id(var))
        if column is None or self.best_tag[column] < 0 or self.best[column] <= 0:
            return None
        return self.tags[int(self.best_tag[column])], float(self.best[column])


def pressure(result: SolveResult, tagged: Sequence[tuple[Any, Any]], tol: float = 1e-9) -> Pressure:
    """The :class:`Pressure` of the tagged rows (row, tag) in an LP ``result``."""
    from scipy import sparse

    if result.point is None or result.row_duals is None:
        raise ValueError(msg("pressure needs an LP solution with duals"))
    compiled = result.point.compiled
    rows = compiled.a_csr.shape[0]
    weight = np.zeros(rows)
    tag_of_row = np.full(rows, -1, dtype=np.int64)
    tags = [tag for _, tag in tagged]
    for i, (row, _) in enumerate(tagged):
        index = compiled.row_of.get(id(row))
        if index is not None and abs(result.row_duals[index]) > tol:
            weight[index] = abs(result.row_duals[index])
            tag_of_row[index] = i
    weighted = (sparse.diags(weight) @ abs(compiled.a_csr)).tocsc()
    best_row = np.asarray(weighted.argmax(axis=0)).ravel()
    best = np.asarray(weighted.max(axis=0).todense()).ravel()
    best_tag = np.where(best > tol, tag_of_row[best_row], -1)
    return Pressure(compiled, tags, best_tag, best)
