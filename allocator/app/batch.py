"""Several independent cases (e.g. the counties of a city) solved in parallel.

Once a province or city has set each county's envelope, counties are
independent: each is an ordinary run, so they parallelize across processes
here and across machines with any task runner (docs/scaling.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from allocator.app.parallel import parallel_map
from allocator.app.run import run
from allocator.errors import AllocatorError
from allocator.i18n import msg


@dataclass(frozen=True)
class CaseOutcome:
    case: Path
    out: Path
    exit_code: int  # 0 plan written, else the CLI's code for the error
    status: str  # solve status, or the error message
    seconds: float
    allocated: int = 0


@dataclass(frozen=True)
class _Job:
    case: Path
    out: Path
    rules: Path | None
    model: Path | None
    relax: bool


def _one(job: _Job) -> CaseOutcome:
    started = time.perf_counter()
    try:
        result = run(job.case, job.out, rules=job.rules, model=job.model, relax=job.relax)
    except AllocatorError as exc:
        return CaseOutcome(
            job.case, job.out, exc.exit_code, str(exc), time.perf_counter() - started
        )
    totals = result.report.summary["totals"]
    return CaseOutcome(
        job.case,
        job.out,
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
        raise AllocatorError(msg("case folders must have distinct names (each gets out/<name>)"))
    work = [
        _Job(case_dir, out_root / name, rules, model, relax)
        for case_dir, name in zip(case_dirs, names, strict=True)
    ]
    return parallel_map(
        _one, work, jobs, on_done=(lambda _, outcome: on_done(outcome)) if on_done else None
    )
