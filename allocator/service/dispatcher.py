"""A bounded pool of solver processes fed from the job store.

One thread claims queued jobs in the order they came (oldest first, any
tenant) while fewer than ``workers`` run, starts each in its own process
(``allocator.service.worker``), follows its progress and records how it ended.
A solve never runs in the server process, so the event loop never waits on
it, and a worker that dies takes only its own job with it: the job is
re-run (runs are deterministic, so a re-run gives the same bytes) up to
``max_attempts`` times, then failed with the reason.

On start, jobs a dead server left ``running`` are finished from their
outcome file if the worker got that far, else re-queued or failed the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from allocator.service.layout import Layout
from allocator.service.logs import log
from allocator.service.settings import ServiceSettings
from allocator.service.store import Job, JobState, Store

POLL_SECONDS = 0.1


@dataclass
class _Running:
    job: Job
    process: subprocess.Popen[bytes]
    attempt: Path
    deadline: float
    reader: threading.Thread
    stop_reason: str | None = None  # "cancelled" | "deadline" | "shutdown"
    log_file: IO[bytes] | None = field(default=None, repr=False)


def _failure(code: str, message: str) -> dict[str, Any]:
    """An error body for a job the service itself ended (the CLI's exit code 4)."""
    return {"code": code, "message": message, "location": None, "exit_code": 4, "details": []}


def _signal_name(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
        return f"signal {-code}"
    return f"exit code {code}"


class Dispatcher:
    """Runs queued jobs, ``settings.workers`` at a time, each in its own process."""

    def __init__(self, settings: ServiceSettings, store: Store, layout: Layout) -> None:
        self.settings = settings
        self.store = store
        self.layout = layout
        self._running: dict[str, _Running] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------
    def start(self) -> None:
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the workers; their jobs go back to the queue for the next start."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> int:
        return len(self._running)

    # recovery ----------------------------------------------------------------
    def recover(self) -> None:
        """Settle the jobs a previous server left running."""
        for job in self.store.jobs_in(JobState.RUNNING):
            self._kill_orphan(job)
            attempt = self.layout.attempt(job.tenant, job.id, job.attempts)
            outcome = self._outcome(attempt)
            if outcome is not None:
                self._settle(job, attempt, outcome, reason="finished before the server stopped")
            elif job.cancel_requested:
                self._finish(job, JobState.CANCELLED, None, "cancelled")
            elif job.attempts < self.settings.max_attempts:
                self._requeue(job, "the server stopped during the job; re-running")
            else:
                self._finish(
                    job,
                    JobState.FAILED,
                    _failure(
                        "interrupted",
                        f"the server stopped during this job on each of its "
                        f"{job.attempts} attempts; not retried again",
                    ),
                    "interrupted",
                )

    def _kill_orphan(self, job: Job) -> None:
        """A worker of a dead server exits by itself within a second; make sure."""
        if not job.pid:
            return
        try:
            cmdline = Path(f"/proc/{job.pid}/cmdline").read_bytes()
        except OSError:
            return
        if b"allocator.service.worker" in cmdline and job.id.encode() in cmdline:
            with contextlib.suppress(OSError):
                os.killpg(job.pid, signal.SIGKILL)

    # the loop ----------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self._tick()
            except Exception as exc:  # the loop must outlive any one job's trouble
                log("dispatcher error", level=40, error=f"{type(exc).__name__}: {exc}")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
        self._shutdown()

    def _tick(self) -> None:
        for job_id, running in list(self._running.items()):
            code = running.process.poll()
            if code is None:
                if running.stop_reason is None:
                    if self.store.cancel_requested(job_id):
                        self._kill(running, "cancelled")
                    elif time.monotonic() > running.deadline:
                        self._kill(running, "deadline")
                continue
            del self._running[job_id]
            self._ended(running, code)
        while len(self._running) < self.settings.workers and not self._stopping.is_set():
            job = self.store.claim_next()
            if job is None:
                break
            self._launch(job)

    def _launch(self, job: Job) -> None:
        job_dir = self.layout.job(job.tenant, job.id)
        attempt = self.layout.attempt(job.tenant, job.id, job.attempts)
        try:
            process, log_file = self._spawn(job, job_dir, attempt)
        except OSError as exc:  # no disk, no processes left: say so rather than hang
            self._finish(
                job,
                JobState.FAILED,
                _failure(
                    "worker_start", f"could not start a worker process: {exc.strerror or exc}"
                ),
                "worker did not start",
            )
            return
        log(
            "job",
            job=job.id,
            tenant=job.tenant,
            kind=job.kind,
            state="running",
            attempt=job.attempts,
        )
        self.store.set_pid(job.id, process.pid)
        limit = float(job.params.get("time_limit") or self.settings.time_limit_cap)
        scenarios = max(1, len(job.params.get("scenarios", [])))
        deadline = time.monotonic() + scenarios * limit + self.settings.grace_seconds
        reader = threading.Thread(
            target=self._follow, args=(job.id, process), name=f"progress-{job.id}", daemon=True
        )
        reader.start()
        self._running[job.id] = _Running(job, process, attempt, deadline, reader, log_file=log_file)

    @staticmethod
    def _spawn(job: Job, job_dir: Path, attempt: Path) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
        shutil.rmtree(attempt, ignore_errors=True)
        attempt.mkdir(parents=True)
        log_file = open(attempt / "worker.log", "wb")  # noqa: SIM115 (closed when the job ends)
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "allocator.service.worker",
                    str(job_dir),
                    str(attempt),
                    job.id,
                ],
                stdout=subprocess.PIPE,
                stderr=log_file,
                stdin=subprocess.DEVNULL,
                cwd=job_dir,
                start_new_session=True,  # its own process group: a cancel kills all it started
            )
        except OSError:
            log_file.close()
            raise
        return process, log_file

    def _follow(self, job_id: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            try:
                event = json.loads(raw)
                self.store.progress(
                    job_id,
                    str(event["phase"]),
                    event.get("incumbent"),
                    event.get("bound"),
                    event.get("gap"),
                )
            except (ValueError, KeyError, TypeError):
                continue  # not a progress line (a library printed something): ignore

    def _kill(self, running: _Running, reason: str) -> None:
        running.stop_reason = reason
        with contextlib.suppress(OSError):
            os.killpg(running.process.pid, signal.SIGKILL)

    # endings -----------------------------------------------------------------
    @staticmethod
    def _outcome(attempt: Path) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads((attempt / "outcome.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data

    @staticmethod
    def _release(running: _Running) -> None:
        running.reader.join(timeout=5)
        if running.process.stdout is not None:
            running.process.stdout.close()
        if running.log_file is not None:
            running.log_file.close()

    def _ended(self, running: _Running, code: int) -> None:
        self._release(running)
        job = running.job
        if running.stop_reason == "shutdown":
            return
        if running.stop_reason == "cancelled":
            self._finish(job, JobState.CANCELLED, None, "cancelled")
            return
        if running.stop_reason == "deadline":
            self._finish(
                job,
                JobState.FAILED,
                _failure(
                    "deadline",
                    "stopped: the job ran past its time limit plus "
                    f"{self.settings.grace_seconds:.0f} s of grace",
                ),
                "deadline",
            )
            return
        outcome = self._outcome(running.attempt)
        if outcome is not None:
            self._settle(job, running.attempt, outcome)
            return
        how = _signal_name(code)
        if job.attempts < self.settings.max_attempts:
            self._requeue(job, f"the worker process died ({how}); re-running")
            self._wake.set()
            return
        self._finish(
            job,
            JobState.FAILED,
            _failure(
                "worker_died", f"the worker process died ({how}) on each of {job.attempts} attempts"
            ),
            f"worker died ({how})",
        )

    def _settle(self, job: Job, attempt: Path, outcome: dict[str, Any], reason: str = "") -> None:
        if not outcome.get("ok"):
            error = outcome.get("error") or {}
            self._finish(job, JobState.FAILED, error, str(error.get("message", "")))
            return
        result = self.layout.result(job.tenant, job.id)
        try:
            shutil.rmtree(result, ignore_errors=True)
            os.rename(attempt / "out", result)
        except OSError as exc:
            self._finish(
                job,
                JobState.FAILED,
                _failure("storage", f"the job's files could not be kept: {exc.strerror or exc}"),
                "files not kept",
            )
            return
        self._finish(job, JobState.DONE, None, reason)

    def _finish(self, job: Job, state: JobState, error: dict[str, Any] | None, reason: str) -> None:
        self.store.finish(job.id, state, error)
        fields: dict[str, Any] = {
            "job": job.id,
            "tenant": job.tenant,
            "kind": job.kind,
            "state": state.value,
            "attempt": job.attempts,
        }
        if reason:
            fields["reason"] = reason
        log("job", **fields)

    def _shutdown(self) -> None:
        for running in list(self._running.values()):
            self._kill(running, "shutdown")
            running.process.wait()
            self._release(running)
            self._requeue(
                running.job,
                "the server is stopping; the job runs again at the next start",
                refund=True,
            )
        self._running.clear()

    def _requeue(self, job: Job, reason: str, refund: bool = False) -> None:
        self.store.requeue(job.id, refund)
        attempt = job.attempts - 1 if refund else job.attempts
        log(
            "job",
            job=job.id,
            tenant=job.tenant,
            kind=job.kind,
            state="queued",
            attempt=attempt,
            reason=reason,
        )
