"""Several independent cases (e.g. the counties of a city) solved in parallel.

Once a province or city has set each county's envelope, counties are
independent: each is an ordinary run, so they parallelize across processes
here and across machines with any task runner (docs/scaling.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from allocator.errors import AllocatorError
from allocator.runner import run


@dataclass(frozen=True)
class CaseOutcome:
    case: Path
    out: Path
    exit_code: int  # 0 plan written, else the CLI's code for the error
    status: str  # solve status, or the error message
    seconds: float
    allocated: int = 0


def _one(
    case_dir: Path, out: Path, rules: Path | None, model: Path | None, relax: bool
) -> CaseOutcome:
    started = time.perf_counter()
    try:
        result = run(case_dir, out, rules=rules, model=model, relax=relax)
    except AllocatorError as exc:
        return CaseOutcome(case_dir, out, exc.exit_code, str(exc), time.perf_counter() - started)
    totals = result.report.summary["totals"]
    return CaseOutcome(
        case_dir,
        out,
        0,
        result.plan.status.value,
        time.perf_counter() - started,
        int(totals["allocated"]),
    )


def run_many(
    case_dirs: Sequence[Path],
    out_root: Path,
    *,
    rules: Path | None = None,
    model: Path | None = None,
    relax: bool = False,
    jobs: int = 1,
    on_done: Callable[[CaseOutcome], None] | None = None,
) -> list[CaseOutcome]:
    """Run every case into ``out_root/<case folder name>``, ``jobs`` at a time.

    One case's error does not stop the others; each outcome carries its exit code.
    """
    names = [c.resolve().name for c in case_dirs]
    if len(set(names)) != len(names):
        raise AllocatorError("case folders must have distinct names (each gets out/<name>)")
    targets = [out_root / name for name in names]
    outcomes: list[CaseOutcome] = []
    if jobs <= 1:
        for case_dir, target in zip(case_dirs, targets, strict=True):
            outcome = _one(case_dir, target, rules, model, relax)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
        return outcomes
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(_one, c, t, rules, model, relax)
            for c, t in zip(case_dirs, targets, strict=True)
        ]
        for future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return outcomes
