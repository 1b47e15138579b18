"""Typed errors. Every error a user can cause carries where it happened.

The CLI turns these into one-line messages and exit codes; the library raises
them unchanged so embedding tools can read ``location`` programmatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in an input: a line/column (YAML, rules), a row/column name (CSV),
    or a sheet and cell (a workbook)."""

    file: Path | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    #: a workbook cell or sheet, e.g. "projects!E17"
    cell: str | None = None

    def __str__(self) -> str:
        if self.cell is not None:  # workbook style: file: sheet!cell
            return f"{self.file}: {self.cell}" if self.file is not None else self.cell
        if self.field is not None:  # CSV style: file, row N, column 'name'
            parts = [str(self.file)] if self.file is not None else []
            if self.line is not None:
                parts.append(f"row {self.line}")
            parts.append(f"column '{self.field}'")
            return ", ".join(parts)
        text = str(self.file) if self.file is not None else "<input>"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class AllocatorError(Exception):
    """Base of every error allocator raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class InputError(AllocatorError):
    """A case, rule set or model spec is malformed or inconsistent (CLI exit 2)."""

    exit_code = 2


class RuleError(InputError):
    """A rule expression or rule set is invalid (syntax, unknown name, type)."""


class SpecError(InputError):
    """A model spec is invalid."""


class InfeasibleError(AllocatorError):
    """The policies cannot all hold on this case (CLI exit 3)."""

    exit_code = 3

    def __init__(self, message: str, conflicts: list[str] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts or []


class SolverError(AllocatorError):
    """The solver failed, found no solution, or gave a result that cannot be trusted (exit 4)."""

    exit_code = 4


class PlanCheckError(AllocatorError):
    """The independent check found a violation in a plan; nothing is written (exit 4)."""

    exit_code = 4

    def __init__(self, violations: list[str]) -> None:
        head = violations[0] if violations else "unknown violation"
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(f"plan failed the independent check: {head}{more}")
        self.violations = violations


class OutputError(AllocatorError):
    """The output folder cannot be written (CLI exit 2)."""

    exit_code = 2
