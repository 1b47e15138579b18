"""Shared needs in the MIP: one column per overlap term (``allocator.need_overlap``).

A term that takes value back (negative) gets ``t >= sum of shares - (n - 1)``;
one that adds value gets ``t <= share`` for each of its projects. Maximizing
then sets t to exactly the term's share of "all funded", and for a pair it
is the convex hull of the product of two binaries.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pyomo.core as pyo

from allocator.need_overlap import Overlap
from allocator.optimize.linear import linear


def define_overlaps(am: Any, overlaps: list[Overlap]) -> tuple[list[float], list[Any]]:
    """The overlap columns and rows of ``am``; returns their objective terms."""
    m = am.model
    modelled = set(am.modelled)
    kept: list[tuple[int, Overlap]] = []
    for overlap in overlaps:
        # A start no fund can pay is not in the model: its share is 0.
        members = tuple(tuple(p for p in member if p in modelled) for member in overlap.members)
        if overlap.value != 0 and all(members):
            kept.append((len(kept), replace(overlap, members=members)))
    m.T = pyo.Set(initialize=[k for k, _ in kept], ordered=True)
    m.t = pyo.Var(m.T, bounds=(0, 1))
    # One row per term that takes value back, one per member for one that adds it.
    rows: list[tuple[int, tuple[int, ...], float, bool]] = []
    for k, overlap in kept:
        if overlap.value < 0:
            rows.append((k, overlap.projects, -(len(overlap.members) - 1.0), True))
        else:
            rows += [(k, member, 0.0, False) for member in overlap.members]

    def row(m: Any, r: int) -> Any:
        k, starts, bound, at_least = rows[r]
        expression = linear([1.0] + [-1.0] * len(starts), [m.t[k]] + [m.s[p] for p in starts])
        return expression >= bound if at_least else expression <= bound

    m.overlap_rows = pyo.Constraint(range(len(rows)), rule=row)
    am.overlap_terms = [(m.t[k], overlap) for k, overlap in kept]
    am.column_order += [m.t[k] for k, _ in kept]
    return [o.value for _, o in kept], [m.t[k] for k, _ in kept]
