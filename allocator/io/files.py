"""Reading input files, with OS errors turned into located input errors."""

from __future__ import annotations

from pathlib import Path

from allocator.errors import InputError, Location


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or an :class:`InputError` naming the file and what went wrong."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", Location(path)) from None
    except IsADirectoryError:
        raise InputError("expected a file but found a folder", Location(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", Location(path)) from None
