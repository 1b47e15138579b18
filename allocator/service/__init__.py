"""The HTTP service: ``allocator serve`` (docs/service.md).

Layers inside: ``api`` (FastAPI handlers, the only code that answers requests)
uses ``dispatcher`` (a bounded pool of solver processes), ``store`` (job and
case records in SQLite), ``uploads`` (safe unpacking), ``tokens`` (tenants)
and ``schemas`` (the request and response shapes). ``worker`` is the process
that runs one job with the same library calls as the CLI.
"""
