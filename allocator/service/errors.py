"""Errors as the service answers them: the CLI's message and location, no server paths."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from allocator.errors import AllocatorError, InfeasibleError, Location, PlanCheckError


def _public(location: Location, roots: list[Path]) -> Location:
    """``location`` with its file relative to the upload or job it came from."""
    if location.file is None:
        return location
    file = Path(os.path.abspath(location.file))
    for root in roots:
        base = Path(os.path.abspath(root))
        if file == base:
            return replace(location, file=Path(file.name))
        if base in file.parents:
            return replace(location, file=file.relative_to(base))
    return replace(location, file=Path(file.name))  # never a server path


def error_body(exc: AllocatorError, roots: list[Path], code: str | None = None) -> dict[str, Any]:
    """``{"code", "message", "location", "exit_code", "details"}`` for an allocator error.

    ``message`` reads as the CLI's error line (location first); ``location``
    alone is there for programs.
    """
    location = _public(exc.location, roots) if exc.location is not None else None
    details: list[str] = []
    if isinstance(exc, InfeasibleError):
        details = list(exc.conflicts)
    elif isinstance(exc, PlanCheckError):
        details = list(exc.violations)
    message = exc.message if location is None else f"{location}: {exc.message}"
    return {
        "code": code or type(exc).__name__,
        "message": message,
        "location": None if location is None else str(location),
        "exit_code": exc.exit_code,
        "details": details,
    }
