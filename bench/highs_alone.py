"""HiGHS by itself on a run's model: how long a bare highspy solve takes, from the
same start and with the same options, against the run's own solve.

    python bench/highs_alone.py CASE [--model SPEC] [--rules RULES]

The case is planned as `allocator run` plans it. Every MIP the run hands HiGHS
(the solve with household counts continuous, the full MIP) is written out as
HiGHS receives it (continuous and held columns applied) with the best start, and
after the run each is solved again by a fresh HiGHS with the run's gap, seed,
threads and tolerances, from that start, and nothing else. Relax-and-fix stages
and the margin sub-MIP are the run's own method and are not re-solved.
docs/benchmarks.md quotes the figures ("HiGHS's own time on these models").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np

from allocator import load_case, load_ruleset, load_spec, rule_schema
from allocator.app.defaults import DEFAULT_MODEL, DEFAULT_RULES
from allocator.app.years import allocate_years
from allocator.optimize import pipeline
from allocator.optimize import solve as solving


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", type=Path)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="highs-alone-"))
    captured: list[tuple[str, Path, Any, float]] = []
    real_solve = pipeline.solve  # type: ignore[attr-defined]

    def solve(
        compiled: Any, options: Any, progress: Any = None, starts: Any = (), **kw: Any
    ) -> Any:
        h = solving.new_highs()
        h.passModel(compiled.lp)
        continuous, fixed = kw.get("continuous"), kw.get("fixed")
        if continuous is not None:
            relaxed = np.flatnonzero(continuous & compiled.integer).astype(np.int32)
            kinds = np.array([highspy.HighsVarType.kContinuous] * len(relaxed))
            h.changeColsIntegrality(len(relaxed), relaxed, kinds)
        if fixed is not None:
            held = np.flatnonzero(fixed.columns & compiled.integer).astype(np.int32)
            values = np.round(fixed.values[held])
            h.changeColsBounds(len(held), held, values, values)
        path = folder / f"model{len(captured)}.mps"
        h.writeModel(str(path))
        chosen = solving.best_start(starts)
        answer = real_solve(compiled, options, progress, starts, **kw)
        kind = "full MIP" if continuous is None else "household counts continuous"
        start = None if chosen is None else chosen[1].x.copy()
        captured.append((kind, path, start, answer.solver_seconds))
        return answer

    real_year_by_year = pipeline._plan_year_by_year

    def year_by_year(am: Any, compiled: Any, relaxed: Any, starts: Any, *rest: Any) -> Any:
        # The full MIP from the start relax-and-fix begins with: what it saves.
        path = folder / f"model{len(captured)}.mps"
        h = solving.new_highs()
        h.passModel(compiled.lp)
        h.writeModel(str(path))
        chosen = solving.best_start(starts)
        began = time.perf_counter()
        point = real_year_by_year(am, compiled, relaxed, starts, *rest)
        kind = "full MIP from relax-and-fix's start (the run: relax-and-fix)"
        start = None if chosen is None else chosen[1].x.copy()
        captured.append((kind, path, start, time.perf_counter() - began))
        return point

    # A benchmark's in-process hooks: the run itself is unchanged.
    pipeline.solve = solve  # type: ignore[attr-defined,assignment]
    pipeline._plan_year_by_year = year_by_year  # type: ignore[assignment]
    case = load_case(args.case)
    spec = load_spec(args.model)
    ruleset = load_ruleset(args.rules, rule_schema(case.meta))
    if case.meta.horizon is not None:
        allocate_years(case, ruleset, spec)
    else:
        pipeline.allocate(case, ruleset, spec)
    solver = spec.spec.solver
    print("| solve | HiGHS alone | the run's | status | nodes |")
    print("|---|---:|---:|---|---:|")
    for kind, path, start, run_seconds in captured:
        h = solving.new_highs()
        h.readModel(str(path))
        for name, value in (
            ("mip_rel_gap", float(solver.mip_gap)),
            ("random_seed", int(solver.seed)),
            ("threads", int(solver.threads)),
            ("time_limit", float(solver.time_limit)),
            ("primal_feasibility_tolerance", 1e-9),
            ("mip_feasibility_tolerance", 1e-9),
        ):
            h.setOptionValue(name, value)
        if start is not None:
            initial = highspy.HighsSolution()
            initial.col_value = start.tolist()
            initial.value_valid = True
            h.setSolution(initial)
        began = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - began
        status = h.modelStatusToString(h.getModelStatus())
        print(
            f"| {kind} | {seconds:.2f} s | {run_seconds:.2f} s | {status} "
            f"| {h.getInfo().mip_node_count} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
