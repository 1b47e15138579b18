"""Differential test: the vectorized numpy evaluator against the scalar reference.

Random well-typed expressions over random rows must give the same truth value
for every (fund, project) pair under both evaluators.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.errors import Location
from allocator.rules.language import AttrType, Schema, Type, parse_expression
from allocator.rules.scalar import evaluate_row
from allocator.rules.vector import Column, evaluate

SCHEMA: Schema = {
    "fund": {"kind": AttrType(Type.STR), "budget": AttrType(Type.INT)},
    "project": {"cost": AttrType(Type.INT), "divisible": AttrType(Type.BOOL)},
    "village": {
        "poverty_rate": AttrType(Type.FLOAT),
        "poor_village": AttrType(Type.BOOL),
        "exit_year": AttrType(Type.INT, optional=True),
        "terrain": AttrType(Type.STR),
    },
    "case": {"year": AttrType(Type.INT)},
}
KINDS = ["water", "poverty_special", "road"]
TERRAINS = ["plain", "hill", "mountain"]


def _loc(_: int) -> Location:
    return Location(None, 1, 1)


numbers = st.recursive(
    st.sampled_from(
        [
            "fund.budget",
            "project.cost",
            "village.poverty_rate",
            "case.year",
            "default(village.exit_year, 0)",
            "default(village.exit_year, 2025)",
            "0",
            "3",
            "2.5",
            "-4",
            "2026",
            "1",
            "2",
        ]
    ),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        inner.map(lambda x: f"abs({x})"),
    ),
    max_leaves=6,
)
strings = st.sampled_from(["fund.kind", "village.terrain", "'water'", "'hill'"])
atoms = st.one_of(
    st.tuples(numbers, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), numbers).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"
    ),
    st.tuples(strings, st.sampled_from(["==", "!="]), strings).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"
    ),
    st.tuples(
        strings,
        st.sampled_from(["in", "not in"]),
        st.lists(st.sampled_from(KINDS + TERRAINS), min_size=1, max_size=3),
    ).map(lambda t: f"{t[0]} {t[1]} {t[2]!r}"),
    st.tuples(numbers, st.lists(st.integers(-5, 2030), min_size=1, max_size=3)).map(
        lambda t: f"{t[0]} in {t[1]!r}"
    ),
    st.sampled_from(
        ["village.poor_village", "project.divisible", "is_set(village.exit_year)", "true", "False"]
    ),
)
booleans = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda x: f"not ({x})"),
    ),
    max_leaves=5,
)

rows = st.fixed_dictionaries(
    {
        # Small value ranges on purpose: ties (a == b, a <= b at equality) must be common.
        "funds": st.lists(
            st.tuples(st.sampled_from(KINDS), st.integers(0, 4)), min_size=1, max_size=4
        ),
        "projects": st.lists(
            st.tuples(
                st.integers(1, 4),
                st.booleans(),
                st.sampled_from([0.0, 2.5, 3.0, 4.0]),
                st.booleans(),
                st.one_of(st.none(), st.integers(2024, 2027)),
                st.sampled_from(TERRAINS),
            ),
            min_size=1,
            max_size=5,
        ),
        "year": st.integers(2024, 2027),
    }
)


@settings(max_examples=300, deadline=None)
@given(expression=booleans, data=rows)
def test_vectorized_equals_scalar(expression: str, data: dict) -> None:  # type: ignore[type-arg]
    node = parse_expression(expression, SCHEMA, _loc)
    funds, projects, year = data["funds"], data["projects"], data["year"]
    f_shape, p_shape = (len(funds), 1), (1, len(projects))
    exit_years = [p[4] for p in projects]
    env = {
        ("fund", "kind"): Column(np.array([f[0] for f in funds], dtype=np.str_).reshape(f_shape)),
        ("fund", "budget"): Column(
            np.array([f[1] for f in funds], dtype=np.int64).reshape(f_shape)
        ),
        ("project", "cost"): Column(
            np.array([p[0] for p in projects], dtype=np.int64).reshape(p_shape)
        ),
        ("project", "divisible"): Column(np.array([p[1] for p in projects]).reshape(p_shape)),
        ("village", "poverty_rate"): Column(np.array([p[2] for p in projects]).reshape(p_shape)),
        ("village", "poor_village"): Column(np.array([p[3] for p in projects]).reshape(p_shape)),
        ("village", "exit_year"): Column(
            np.array([y or 0 for y in exit_years], dtype=np.int64).reshape(p_shape),
            np.array([y is not None for y in exit_years]).reshape(p_shape),
        ),
        ("village", "terrain"): Column(
            np.array([p[5] for p in projects], dtype=np.str_).reshape(p_shape)
        ),
        ("case", "year"): Column(np.asarray(year, dtype=np.int64)),
    }
    vector = np.broadcast_to(np.asarray(evaluate(node, env)), (len(funds), len(projects)))
    for i, fund in enumerate(funds):
        for j, project in enumerate(projects):
            row = {
                ("fund", "kind"): fund[0],
                ("fund", "budget"): fund[1],
                ("project", "cost"): project[0],
                ("project", "divisible"): project[1],
                ("village", "poverty_rate"): project[2],
                ("village", "poor_village"): project[3],
                ("village", "exit_year"): project[4],
                ("village", "terrain"): project[5],
                ("case", "year"): year,
            }
            scalar = evaluate_row(node, row)
            assert isinstance(scalar, bool) or not math.isnan(float(scalar))  # type: ignore[arg-type]
            assert bool(vector[i, j]) == bool(scalar), (expression, row)
