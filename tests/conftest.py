"""Shared paths and helpers for building small cases in tests."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Property tests: a fast profile for every run, a long one for a separate job:
#   HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "cases" / "tiny"
BASELINE = ROOT / "rules" / "baseline.yaml"
VARIANT = ROOT / "rules" / "variants" / "exit_window_5y.yaml"
DEFAULT_SPEC = ROOT / "models" / "default.yaml"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A private copy of the tiny case, safe to edit."""
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def edit_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV file (row 0 = first data row)."""
    rows = read_csv(path)
    rows[row][column] = value
    write_csv(path, list(rows[0].keys()), [list(r.values()) for r in rows])


def starts_over_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make both warm starts fund everything (each integer column at its upper bound):
    no start then holds the budgets, and no re-routing of its money repairs it."""
    import numpy as np

    from allocator.optimize import pipeline
    from allocator.optimize.solve import Point

    def everything(build: Any) -> Any:
        def start(*args: Any, **kwargs: Any) -> Point:
            point: Point = build(*args, **kwargs)
            upper = np.asarray(point.compiled.lp.col_upper_)
            return Point(point.compiled, np.where(point.compiled.integer, upper, point.x))

        return start

    for name in ("greedy_start", "lp_guided_start"):
        monkeypatch.setattr(pipeline, name, everything(getattr(pipeline, name)))
