"""Job and upload records in SQLite: the service's memory across restarts.

Every state change is one committed transaction (WAL, ``synchronous=FULL``),
so a job acknowledged with 202 is on disk before the answer leaves, and a
kill -9 at any moment leaves each job in exactly one recorded state.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,          -- case | plan
    id TEXT NOT NULL,            -- content hash
    format TEXT NOT NULL,        -- folder | workbook
    name TEXT NOT NULL,          -- the case folder's (or workbook's) name
    bytes INTEGER NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (tenant, kind, id)
);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    params TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    phase TEXT,
    incumbent REAL,
    bound REAL,
    gap REAL,
    error TEXT,
    pid INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, seq);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant, seq);
"""


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True)
class Job:
    """One job as recorded."""

    seq: int
    id: str
    tenant: str
    kind: str
    state: JobState
    params: dict[str, Any]
    created: float
    started: float | None
    finished: float | None
    attempts: int
    phase: str | None
    incumbent: float | None
    bound: float | None
    gap: float | None
    error: dict[str, Any] | None
    pid: int | None
    cancel_requested: bool


@dataclass(frozen=True)
class Upload:
    tenant: str
    kind: str
    id: str
    format: str
    name: str
    bytes: int
    created: float


def _job(row: sqlite3.Row) -> Job:
    return Job(
        seq=row["seq"],
        id=row["id"],
        tenant=row["tenant"],
        kind=row["kind"],
        state=JobState(row["state"]),
        params=json.loads(row["params"]),
        created=row["created"],
        started=row["started"],
        finished=row["finished"],
        attempts=row["attempts"],
        phase=row["phase"],
        incumbent=row["incumbent"],
        bound=row["bound"],
        gap=row["gap"],
        error=json.loads(row["error"]) if row["error"] else None,
        pid=row["pid"],
        cancel_requested=bool(row["cancel_requested"]),
    )


class Store:
    """The SQLite file ``DATA/store.sqlite``; safe to use from many threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def ping(self) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1").fetchone()
        return bool(row[0] == 1)

    # uploads -----------------------------------------------------------------
    def add_upload(self, upload: Upload) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    upload.tenant,
                    upload.kind,
                    upload.id,
                    upload.format,
                    upload.name,
                    upload.bytes,
                    upload.created,
                ),
            )

    def upload(self, tenant: str, kind: str, upload_id: str) -> Upload | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM uploads WHERE tenant = ? AND kind = ? AND id = ?",
                (tenant, kind, upload_id),
            ).fetchone()
        return Upload(**dict(row)) if row else None

    def uploads(self, tenant: str, kind: str) -> list[Upload]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM uploads WHERE tenant = ? AND kind = ? ORDER BY created, id",
                (tenant, kind),
            ).fetchall()
        return [Upload(**dict(r)) for r in rows]

    # jobs --------------------------------------------------------------------
    def add_job(
        self, job_id: str, tenant: str, kind: str, params: dict[str, Any], limit: int
    ) -> Job | None:
        """Queue a job, or None when ``limit`` jobs are already queued or running."""
        with self._transaction() as db:
            active = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
            ).fetchone()[0]
            if active >= limit:
                return None
            db.execute(
                "INSERT INTO jobs (id, tenant, kind, state, params, created) "
                "VALUES (?, ?, ?, 'queued', ?, ?)",
                (job_id, tenant, kind, json.dumps(params, sort_keys=True), time.time()),
            )
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row)

    def job(self, job_id: str, tenant: str | None = None) -> Job | None:
        """A job by id; with ``tenant``, only if it is that tenant's."""
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None or (tenant is not None and row["tenant"] != tenant):
            return None
        return _job(row)

    def jobs(self, tenant: str, limit: int = 100) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs WHERE tenant = ? ORDER BY seq DESC LIMIT ?", (tenant, limit)
            ).fetchall()
        return [_job(r) for r in rows]

    def jobs_in(self, state: JobState) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs WHERE state = ? ORDER BY seq", (state.value,)
            ).fetchall()
        return [_job(r) for r in rows]

    def active_count(self) -> int:
        with self._lock:
            count: int = self._db.execute(
                "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
            ).fetchone()[0]
        return count

    def claim_next(self) -> Job | None:
        """The oldest queued job, now marked running (one more attempt), or None."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, started = ?, "
                "phase = 'starting', incumbent = NULL, bound = NULL, gap = NULL, pid = NULL "
                "WHERE id = ?",
                (time.time(), row["id"]),
            )
            claimed = db.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
        return _job(claimed)

    def set_pid(self, job_id: str, pid: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE jobs SET pid = ? WHERE id = ?", (pid, job_id))

    def progress(
        self,
        job_id: str,
        phase: str,
        incumbent: float | None,
        bound: float | None,
        gap: float | None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET phase = ?, incumbent = ?, bound = ?, gap = ? "
                "WHERE id = ? AND state = 'running'",
                (phase, incumbent, bound, gap, job_id),
            )

    def finish(self, job_id: str, state: JobState, error: dict[str, Any] | None = None) -> None:
        """Record a final state (done, failed with its error, or cancelled)."""
        assert state.final
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET state = ?, finished = ?, error = ?, pid = NULL, "
                "phase = CASE WHEN ? = 'done' THEN 'done' ELSE phase END WHERE id = ?",
                (
                    state.value,
                    time.time(),
                    json.dumps(error, sort_keys=True) if error else None,
                    state.value,
                    job_id,
                ),
            )

    def requeue(self, job_id: str, refund: bool = False) -> None:
        """Back to the queue; ``refund`` gives back the attempt (the server stopped it)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET state = 'queued', pid = NULL, phase = NULL, "
                "attempts = attempts - ? WHERE id = ?",
                (1 if refund else 0, job_id),
            )

    def request_cancel(self, job_id: str) -> JobState:
        """Cancel a queued job now, or mark a running one for its dispatcher to stop."""
        with self._transaction() as db:
            state = JobState(
                db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
            )
            if state == JobState.QUEUED:
                db.execute(
                    "UPDATE jobs SET state = 'cancelled', finished = ? WHERE id = ?",
                    (time.time(), job_id),
                )
                return JobState.CANCELLED
            if state == JobState.RUNNING:
                db.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))
            return state

    def cancel_requested(self, job_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return bool(row and row[0])
