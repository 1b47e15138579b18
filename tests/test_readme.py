"""The README cannot drift: every transcript in it is run and compared, the library example run.

A transcript is a fenced block whose first line is ``$ allocator ...``: the
command is run (in the checkout, in README order, as a user would) and its
output must be the rest of the block, line for line (trailing blanks aside).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from tests.conftest import ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)


def blocks() -> list[str]:
    return FENCE.findall(README.read_text(encoding="utf-8"))


def transcripts() -> list[tuple[str, list[str]]]:
    found = []
    for block in blocks():
        lines = block.rstrip("\n").split("\n")
        if lines[0].startswith("$ allocator "):
            found.append((lines[0][2:], lines[1:]))
    return found


def _normalised(lines: list[str]) -> list[str]:
    return [line.rstrip() for line in lines]


def test_the_readme_has_transcripts_of_every_command() -> None:
    commands = {command.split()[1] for command, _ in transcripts()}
    assert {"run", "check", "verify", "explain", "compare", "test"} <= commands


def test_every_transcript_in_the_readme_is_what_the_command_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    for command, expected in transcripts():
        result = runner.invoke(app, shlex.split(command)[1:])
        assert result.exit_code in (0, 1, 2, 3), f"{command}: {result.output}"
        assert _normalised(result.output.rstrip("\n").split("\n")) == _normalised(expected), (
            f"README transcript of `{command}` differs from what it prints:\n{result.output}"
        )


def test_the_library_example_in_the_readme_runs() -> None:
    examples = [b for b in blocks() if b.startswith("from allocator import")]
    assert examples, "the README's library example is missing"
    result = subprocess.run(
        [sys.executable, "-c", examples[0]], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("optimal 1197.0")
    assert (ROOT / "out" / "tiny" / "allocations.csv").exists()


def test_the_quick_start_commands_are_the_ones_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    assert "pip install -e . && allocator run cases/county" in text
    assert "pip install -e '.[test]' && python -m pytest" in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-e '.[test]'" in ci and "python -m pytest" in ci
