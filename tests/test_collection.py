"""The cycle collector's full collections are made rare for a run, then put back."""

from __future__ import annotations

import gc
import importlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.app.collection import RARE_FULL_COLLECTIONS, rare_full_collections
from tests.conftest import ROOT, TINY

cli_app = importlib.import_module("allocator.cli.app")


def test_full_collections_are_rare_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with rare_full_collections():
        young, middle, old = gc.get_threshold()
        assert (young, middle) == before[:2]  # young objects are collected as often as before
        assert old >= RARE_FULL_COLLECTIONS
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_the_run_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rare_full_collections():
        raise RuntimeError("a failed run")
    assert gc.get_threshold() == before


def test_one_case_runs_with_rare_full_collections_and_a_region_does_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`allocator run CASE` plans under the policy; the thresholds are back afterwards."""
    import allocator.app.run as run_module

    seen: list[tuple[int, int, int]] = []

    def fake_run(*args: object, **kwargs: object) -> None:
        seen.append(gc.get_threshold())
        raise SystemExit(0)

    monkeypatch.setattr(run_module, "run", fake_run)
    before = gc.get_threshold()
    result = CliRunner().invoke(cli_app.app, ["run", str(TINY), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert seen and seen[0][2] >= RARE_FULL_COLLECTIONS
    assert gc.get_threshold() == before


def test_a_region_keeps_python_s_collector_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A region's parent holds every county's results: garbage must not wait longer."""
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli_app, "_run_region", lambda *a, **k: seen.append(gc.get_threshold()))
    before = gc.get_threshold()
    region = ROOT / "cases" / "tiny_region"
    result = CliRunner().invoke(cli_app.app, ["run", str(region), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert seen == [before]


def _pyomo_models() -> int:
    from pyomo.core.base.PyomoModel import ConcreteModel

    return sum(1 for o in gc.get_objects() if isinstance(o, ConcreteModel))


def test_a_run_frees_its_solver_model_before_writing(tmp_path: Path) -> None:
    """The Pyomo model is cyclic garbage once the plan is made; it must not wait for a
    full collection that, with full collections rare, may only come at exit."""
    from allocator.app.run import run

    gc.collect()
    before = _pyomo_models()
    gc.disable()
    try:
        run(TINY, tmp_path / "o")
        assert _pyomo_models() == before
    finally:
        gc.enable()


def test_a_freed_highs_instance_is_destroyed_without_a_full_collection() -> None:
    """Its interrupt handler makes a highspy instance refer to itself; freed, it must
    not keep its model and solver data until the cycle collector runs."""
    import weakref

    from allocator.optimize.solve import _free, _run, new_highs

    gc.disable()
    try:
        h = new_highs()
        h.addVar(0.0, 1.0)
        _run(h)  # subscribes the interrupt handler, as every solve does
        _free(h)
        gone = weakref.ref(h)
        del h
        assert gone() is None
    finally:
        gc.enable()


def test_the_summary_is_printed_under_the_run_s_collector_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Restored before printing, Python's thresholds start a full collection of the
    plan's objects the process no longer needs (0.6 s at province size)."""
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli_app, "_summary_tables", lambda _r: seen.append(gc.get_threshold()))
    result = CliRunner().invoke(cli_app.app, ["run", str(TINY), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert seen and seen[0][2] >= RARE_FULL_COLLECTIONS
