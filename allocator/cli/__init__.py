"""The ``allocator`` command line (``allocator.cli.app``)."""

from allocator.cli.app import app, main

__all__ = ["app", "main"]
