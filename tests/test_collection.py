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
