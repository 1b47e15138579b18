"""The report, the comparison report and the public notice, rendered in headless Chromium.

Run with ``python -m pytest -m browser`` (CI installs Debian's chromium first).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import ROOT, TINY

pytestmark = pytest.mark.browser
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is needed for the browser tests (apt-get install chromium)"
    return found


def _render(page: Path, tmp: Path) -> tuple[str, str, Path]:
    """The page's DOM after rendering, Chromium's log, and a screenshot."""
    shot = tmp / f"{page.stem}.png"
    common = [_chromium(), *FLAGS, f"--user-data-dir={tmp / 'profile'}"]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    subprocess.run(
        [*common, "--window-size=1000,1800", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return dom.stdout, dom.stderr, shot


def _check(page: Path, tmp: Path, charts: int) -> None:
    dom, log, shot = _render(page, tmp)
    assert "</html>" in dom.lower() or "</body>" in dom.lower(), log[-2000:]
    console = [line for line in log.splitlines() if "CONSOLE" in line]
    assert console == [], console  # the page has no script: any console line is an error
    assert dom.count("<svg") >= charts
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_the_plan_report_renders_with_its_charts(tmp_path: Path) -> None:
    out = tmp_path / "county"
    assert (
        CliRunner()
        .invoke(app, ["run", str(ROOT / "cases" / "county"), "--out", str(out), "-q"])
        .exit_code
        == 0
    )
    _check(out / "report.html", tmp_path, charts=5)


def test_the_comparison_report_renders(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app, ["compare", str(TINY), "-s", "a=", "-s", "b=,models/factor.yaml", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    _check(out / "report.html", tmp_path, charts=1)


def test_the_public_notice_renders(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    assert (
        CliRunner().invoke(app, ["run", str(TINY), "--out", str(out), "--notice", "-q"]).exit_code
        == 0
    )
    _check(out / "notice" / "North.html", tmp_path, charts=0)
