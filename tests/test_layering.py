"""The architecture holds: layers import only downward, the solver stack loads only to solve,
only the command line prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TINY

SOLVER_STACK = ("pyomo", "highspy", "scipy")


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, importlinter.cli as c; "
            "sys.exit(c.lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_only_the_command_line_prints_or_talks_to_the_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "T20,TID251", "allocator"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _loaded_by(args: list[str]) -> set[str]:
    """Top-level modules of the solver stack that running ``allocator ARGS`` imports."""
    script = (
        "import sys\n"
        "from allocator.cli import app\n"
        "try:\n"
        f"    app({args!r}, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(m for m in {SOLVER_STACK!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return {m for m in last.split(",") if m in SOLVER_STACK}


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from allocator.cli import app

    out = tmp_path_factory.mktemp("plan") / "out"
    assert CliRunner().invoke(app, ["run", str(TINY), "--out", str(out), "-q"]).exit_code == 0
    return out


def test_help_check_and_test_never_load_the_solver_stack() -> None:
    assert _loaded_by(["--help"]) == set()
    assert _loaded_by(["check", str(TINY)]) == set()
    assert _loaded_by(["test"]) == set()


def test_verify_and_explain_never_load_the_solver_stack(tiny_plan: Path) -> None:
    assert _loaded_by(["verify", str(TINY), str(tiny_plan)]) == set()
    assert _loaded_by(["explain", str(TINY), str(tiny_plan), "--project", "P04"]) == set()


def test_run_does_load_it(tmp_path: Path) -> None:
    # The probe above can see the stack when a command does import it.
    out = tmp_path / "out"
    assert {"pyomo", "highspy"} <= _loaded_by(["run", str(TINY), "--out", str(out), "-q"])


def test_the_service_process_never_loads_the_solver_stack() -> None:
    # Solves happen in worker processes; the server answering requests stays light.
    script = (
        "import sys\n"
        "import allocator.service.api, allocator.service.server\n"
        f"print(','.join(m for m in {SOLVER_STACK!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_a_run_imports_only_the_scipy_it_needs(tmp_path: Path) -> None:
    # Pyomo's import hook would pull scipy.stats, integrate and spatial (~0.6 s a run);
    # allocator.optimize narrows it to scipy.sparse. This fails if a Pyomo upgrade moves it.
    out = tmp_path / "out"
    script = (
        "import sys\n"
        "from allocator.cli import app\n"
        "try:\n"
        f"    app(['run', {str(TINY)!r}, '--out', {str(out)!r}, '-q'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(','.join(m for m in ('scipy.sparse', 'scipy.stats', 'scipy.integrate',"
        " 'scipy.spatial') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "scipy.sparse"
