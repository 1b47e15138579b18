"""One parallel map for every command that runs many independent solves.

Used by ``run CASE... --jobs`` and ``compare --jobs``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(
    work: Callable[[T], R],
    items: Sequence[T],
    jobs: int = 1,
    on_done: Callable[[T, R], None] | None = None,
) -> list[R]:
    """``work`` applied to every item, ``jobs`` at a time, results in the items' order.

    With ``jobs > 1`` each item runs in a separate process (``work`` and the
    items must be picklable: a top-level function and plain data); an error
    raised by ``work`` is re-raised here, as in a plain loop. ``on_done`` is
    called for each item, in order, as its result is collected.
    """
    results: list[R] = []
    if jobs <= 1 or len(items) <= 1:
        for item in items:
            result = work(item)
            results.append(result)
            if on_done:
                on_done(item, result)
        return results
    # Spawned, not forked: a fork copies the parent's thread pools (polars, HiGHS) in
    # whatever state they are in, and a worker can wait forever on a lock held there.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
        futures = [pool.submit(work, item) for item in items]
        for item, future in zip(items, futures, strict=True):
            result = future.result()
            results.append(result)
            if on_done:
                on_done(item, result)
    return results
