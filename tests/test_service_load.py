"""Load on the service (slow: about a minute): 50 concurrent runs from 5 tenants.

Run with ``python -m pytest -m slow tests/test_service_load.py``; the figures
in docs/benchmarks.md come from ``python bench/service_load.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_fifty_concurrent_runs_from_five_tenants(tmp_path: Path) -> None:
    figures_file = tmp_path / "figures.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "service_load.py"),
            "--runs",
            "50",
            "--tenants",
            "5",
            "--json",
            str(figures_file),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    figures = json.loads(figures_file.read_text())
    assert figures["failures"] == [], figures["failures"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert figures["done"] == 50 and figures["identical_to_cli"] == 50
    assert figures["latency_p95"] >= figures["latency_median"] > 0
