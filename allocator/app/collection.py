"""How often Python's cycle collector rescans everything, while a plan is made.

A run holds millions of long-lived objects at once (the case's rows, the Pyomo
model, the plan's tables) and makes few reference cycles. With Python's default
thresholds a full collection rescans all of them again and again: at province
size that was about a fifth of the whole run (16.5 s -> 13.1 s whole process
with full collections a hundred times rarer, the same peak memory; measured in
docs/benchmarks.md). Young objects are still collected as often as before, so
short-lived cycles do not pile up.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: full collections happen after this many collections of the middle generation
#: (Python's default is 10)
RARE_FULL_COLLECTIONS = 1000


@contextmanager
def rare_full_collections() -> Iterator[None]:
    """Make full collections rare for the duration; the thresholds are put back after.

    For one case's plan run by a process's entry point (``allocator run CASE``, a
    service worker's run job): a library embedding allocator keeps its own collector
    settings unless it opts in. Not for a region or many cases in one process: their
    parent holds every county's results, and garbage kept longer between full
    collections took a 50-county region from 220 to 604 MiB (for 4% of its time).
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, max(old, RARE_FULL_COLLECTIONS))
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def collect_the_solve() -> None:
    """Free the solve's model now that the plan is made.

    The Pyomo model (about 100 MB at province size) refers to itself, so only a full
    collection frees it, and with full collections rare that may never come before the
    process ends. Freed before the report is composed, its memory is reused by the
    report instead of adding to the run's peak (province: 596 -> 557 MiB).
    """
    gc.collect()
