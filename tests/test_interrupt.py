"""Ctrl-C during a long solve stops cleanly: exit 130, nothing written, no leftovers."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from allocator.app.generate import SIZES, generate_case, write_case
from tests.conftest import DEFAULT_SPEC


def test_ctrl_c_during_solve_writes_nothing(tmp_path: Path) -> None:
    case = write_case(generate_case(SIZES["city"], seed=4), tmp_path / "city")
    # An exact optimum (gap 0) keeps HiGHS busy for most of a minute on this case,
    # so the interrupt surely lands inside the solve.
    spec = tmp_path / "exact.yaml"
    spec.write_text(
        DEFAULT_SPEC.read_text(encoding="utf-8").replace("  mip_gap: 1.0e-4", "  mip_gap: 0"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "allocator",
            "run",
            str(case),
            "--model",
            str(spec),
            "--out",
            str(out),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(5.0)  # imports, loading and model building take about 2-3 s
    assert process.poll() is None, "the run finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted: nothing was written" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city", "exact.yaml"]
