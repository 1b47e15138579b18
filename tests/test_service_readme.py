"""The README's curl session works against a real server, as written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from allocator.app.run import run
from tests.conftest import ROOT, TINY
from tests.service_support import start_server

MARK = "<!-- service-session -->"


def session() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split(MARK, 1)[1]
    body = after.split("```sh\n", 1)[1].split("```", 1)[0]
    return body


def test_the_readme_curl_session_runs(tmp_path: Path) -> None:
    assert shutil.which("curl"), "the README session needs curl (.ci/run installs it)"
    data = tmp_path / "data"
    token = subprocess.run(
        [sys.executable, "-m", "allocator", "token", "add", "county-a", "--data", str(data)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert token and token not in (data / "tokens.json").read_text()
    work = tmp_path / "work"
    work.mkdir()
    (work / "cases").symlink_to(ROOT / "cases")
    server = start_server(data)
    try:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", session()],
            cwd=work,
            env={**os.environ, "TOKEN": token, "URL": server.url},
            capture_output=True,
            timeout=300,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr.decode()
    cli = tmp_path / "cli"
    run(TINY, cli)
    assert result.stdout == (cli / "allocations.csv").read_bytes()
