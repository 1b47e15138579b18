"""Reading input files, with OS errors turned into located input errors."""

from __future__ import annotations

from pathlib import Path

from allocator.errors import InputError, Location
from allocator.i18n import msg


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or an :class:`InputError` naming the file and what went wrong."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(msg("file not found"), Location(path)) from None
    except IsADirectoryError:
        raise InputError(msg("expected a file but found a folder"), Location(path)) from None
    except OSError as exc:
        raise InputError(
            msg("cannot read file: {strerror}", strerror=exc.strerror), Location(path)
        ) from None
