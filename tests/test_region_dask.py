"""Regions on Dask: a local cluster of 2 worker processes gives the local engine's bytes,
and a worker killed between rounds costs a rebuild, not a different answer."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np

from allocator.app.counties import Counties, DaskCounties
from allocator.app.region import run_region
from tests.conftest import BASELINE, ROOT
from tests.region_single import same_outputs

REGION = ROOT / "cases" / "tiny_region"
SPEC = ROOT / "models" / "default.yaml"


def test_a_region_on_a_local_dask_cluster_writes_the_local_bytes(tmp_path: Path) -> None:
    run_region(REGION, tmp_path / "local")
    run_region(REGION, tmp_path / "dask", engine="dask", jobs=2)
    same_outputs(tmp_path / "local", tmp_path / "dask")


def test_a_killed_worker_is_replaced_and_the_answer_is_the_same() -> None:
    names = ["east", "west"]
    local = Counties(REGION, BASELINE, SPEC, names)
    prices = np.array([0.5])
    expected = [a.proposal.value for a in local.price(prices, 60.0)]
    counties = DaskCounties(REGION, BASELINE, SPEC, names, workers=2)
    try:
        first = [a.proposal.value for a in counties.price(prices, 60.0)]
        pids = counties.client.run(os.getpid)
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        again = [a.proposal.value for a in counties.price(prices, 60.0)]
    finally:
        counties.close()
    assert first == expected and again == expected
