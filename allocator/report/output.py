"""Writing a plan's output folder atomically: all files or none.

Files are written into a temporary folder beside the target and renamed into
place, so a failed or killed run leaves the previous output (or nothing), never
a mix. An existing folder is replaced only if it is empty or an earlier
allocator output (it has summary.json), never a folder of other files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from allocator.errors import Location, OutputError
from allocator.i18n import Language, msg
from allocator.plan import Plan
from allocator.report.household_tables import household_measure_rows, household_rows
from allocator.report.html import plan_report
from allocator.report.tables import (
    Report,
    Row,
    allocation_rows,
    build_report,
    fund_rows,
    project_rows,
    unmet_rows,
    village_rows,
)

MARKER = "summary.json"


def csv_text(header: Sequence[str], rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


#: what Excel needs to read a CSV file as UTF-8 (on Chinese Windows it assumes GBK)
BOM = "\ufeff"


def plan_files(
    plan: Plan,
    report: Report | None = None,
    *,
    excel_csv: bool = False,
    language: Language | None = None,
) -> dict[str, str]:
    """The plan's deterministic output files (all but timings.json): name -> content.

    With ``excel_csv`` every CSV starts with a UTF-8 byte-order mark.
    """
    report = report or build_report(plan)
    files = {
        "allocations.csv": csv_text(*allocation_rows(plan)),
        "funds.csv": csv_text(*fund_rows(plan)),
        "projects.csv": csv_text(*project_rows(plan, report.outcomes)),
        "villages.csv": csv_text(*village_rows(plan, report.unmet)),
        "unmet_needs.csv": csv_text(*unmet_rows(report.unmet)),
        "summary.json": json_text(report.summary),
        "report.html": plan_report(plan, report, language or plan.case.meta.language),
    }
    if plan.households is not None:
        files["household_measures.csv"] = csv_text(*household_measure_rows(plan))
        files["households.csv"] = csv_text(*household_rows(plan))
    if excel_csv:
        files = {n: BOM + t if n.endswith(".csv") else t for n, t in files.items()}
    return files


def timings_text(timings: dict[str, float]) -> str:
    """timings.json: seconds per phase (the one output that differs between runs)."""
    return json_text({k: round(v, 4) for k, v in timings.items()})


def prepare_target(out: Path, marker: str = MARKER) -> None:
    """Refuse targets that are files or unrelated folders, before any work is done.

    An existing folder is replaced only if it is empty or holds ``marker`` (it
    was written by allocator before).
    """
    if out.exists() and not out.is_dir():
        raise OutputError(msg("output path is a file; give a folder"), Location(out))
    if out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        raise OutputError(
            msg(
                (
                    "folder exists and was not written by allocator (no {marker}); choose "
                    "a new or empty folder"
                ),
                marker=marker,
            ),
            Location(out),
        )


def clear_leftovers(out: Path) -> None:
    """Remove staging folders a killed run (kill -9, power loss) left beside ``out``.

    A staging folder is named after the process that made it; one whose process
    is gone is a leftover. A live process's folder is left alone.
    """
    parent = out.resolve().parent
    for path in parent.glob(f".{out.name}.tmp-*"):
        owner = path.name[len(f".{out.name}.tmp-") :].split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
    for path in parent.glob(f".{out.name}.old-*"):
        owner = path.name[len(f".{out.name}.old-") :]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)


def _umask() -> int:
    """The process's file-creation mask (read by setting it, then putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def published(path: Path) -> None:
    """Give a file made private by mkstemp the permissions of any file the user saves."""
    path.chmod(0o666 & ~_umask())


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_files(
    files: dict[str, str] | dict[str, str | bytes], out: Path, marker: str = MARKER
) -> Path:
    """Write ``files`` into folder ``out`` atomically; returns ``out``."""
    prepare_target(out, marker)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp's folder is private; the output is not
    except OSError as exc:
        raise OutputError(
            msg("cannot create the output folder: {strerror}", strerror=exc.strerror), Location(out)
        ) from None
    try:
        for name, content in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())

        old: Path | None = None
        if out.exists():
            old = parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
        os.rename(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            msg("cannot write the output folder: {strerror}", strerror=exc.strerror), Location(out)
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def write_plan(plan: Plan, out: Path | str) -> Path:
    """Write every output file of ``plan`` into ``out`` atomically."""
    return write_files({**plan_files(plan), "timings.json": timings_text(plan.timings)}, Path(out))
