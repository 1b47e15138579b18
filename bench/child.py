"""Run one `allocator run` in this process and report its peak memory.

Used by bench/run.py: the parent times the whole process (interpreter start,
imports, everything a user waits for); this child adds its own peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys

from allocator.cli import app

if __name__ == "__main__":
    report, *args = sys.argv[1:]
    code = 0
    try:
        app(args, standalone_mode=False)
    except SystemExit as exc:  # typer.Exit inside standalone_mode=False
        code = int(exc.code or 0)
    except Exception as exc:
        print(f"bench child failed: {exc}", file=sys.stderr)
        code = 1
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(report, "w", encoding="utf-8") as handle:
        json.dump({"exit": code, "peak_mb": peak_kib / 1024}, handle)
