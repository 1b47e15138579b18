"""Where the bundled rule sets, model specs and cases live."""

from __future__ import annotations

from pathlib import Path

from allocator.errors import InputError, Location
from allocator.i18n import msg

#: the checkout root (``pip install -e .`` keeps the package here)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RULES = PROJECT_ROOT / "rules" / "baseline.yaml"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "default.yaml"


def default_path(path: Path, what: str, option: str) -> Path:
    """The bundled default file, or a clear error when the package was installed without it."""
    if path.is_file():
        return path
    raise InputError(
        msg(
            (
                "the bundled default {what} was not found (allocator was installed "
                "without its checkout); pass {option} FILE"
            ),
            what=what,
            option=option,
        ),
        Location(path),
    )
