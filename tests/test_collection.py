"""The cycle collector's full collections are made rare for a run, then put back."""

from __future__ import annotations

import gc
import importlib

import pytest

from allocator.app.collection import RARE_FULL_COLLECTIONS, rare_full_collections

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


def test_the_console_entry_point_runs_commands_with_rare_full_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli_app, "app", lambda: seen.append(gc.get_threshold()))
    before = gc.get_threshold()
    cli_app.main()
    assert seen and seen[0][2] >= RARE_FULL_COLLECTIONS
    assert gc.get_threshold() == before
