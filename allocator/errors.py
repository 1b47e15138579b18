"""Typed errors. Every error a user can cause carries where it happened.

The CLI turns these into one-line messages and exit codes; the library raises
them unchanged so embedding tools can read ``location`` programmatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allocator.i18n import Language, Text, msg, say


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
        return self.say("en")

    def say(self, language: Language) -> str:
        """Where, in ``language`` (file names, sheets and cells stay as they are)."""
        if self.cell is not None:  # workbook style: file: sheet!cell
            return f"{self.file}: {self.cell}" if self.file is not None else self.cell
        if self.field is not None:  # CSV style: file, row N, column 'name'
            parts = [str(self.file)] if self.file is not None else []
            if self.line is not None:
                parts.append(say(msg("row {line}", line=self.line), language))
            parts.append(say(msg("column '{field}'", field=self.field), language))
            return ("，" if language == "zh" else ", ").join(parts)
        text = str(self.file) if self.file is not None else "<input>"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


def _rebuilt(cls: type[AllocatorError], state: dict[str, object]) -> AllocatorError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message"))
    error.__dict__.update(state)
    return error


class AllocatorError(Exception):
    """Base of every error allocator raises on purpose."""

    exit_code = 1

    def __reduce__(self) -> tuple[object, tuple[type[AllocatorError], dict[str, object]]]:
        # Whole across processes (a worker's error keeps its location, conflicts and
        # violations): by default an exception is rebuilt from its args alone.
        return (_rebuilt, (type(self), dict(self.__dict__)))

    def __init__(self, message: str | Text, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return self.say("en")

    def say(self, language: Language) -> str:
        """The message with its location first, in ``language``."""
        text = say(self.message, language)
        if self.location is None:
            return text
        colon = "：" if language == "zh" else ": "
        return f"{self.location.say(language)}{colon}{text}"


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

    def __init__(self, message: str | Text, conflicts: list[str] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts or []


class SolverError(AllocatorError):
    """The solver failed, found no solution, or gave a result that cannot be trusted (exit 4)."""

    exit_code = 4


class PlanCheckError(AllocatorError):
    """The independent check found a violation in a plan; nothing is written (exit 4)."""

    exit_code = 4

    def __init__(self, violations: list[str]) -> None:
        head = violations[0] if violations else msg("unknown violation")
        more = msg(" (and {n} more)", n=len(violations) - 1) if len(violations) > 1 else ""
        super().__init__(
            msg("plan failed the independent check: {head}{more}", head=head, more=more)
        )
        self.violations = violations


class OutputError(AllocatorError):
    """The output folder cannot be written (CLI exit 2)."""

    exit_code = 2
