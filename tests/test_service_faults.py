"""Faults: kill -9 the server, or one worker, mid-solve. No job is lost."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from allocator.app.run import run
from tests.conftest import ROOT, TINY
from tests.service_support import (
    auth,
    service_client,
    start,
    start_server,
    upload,
    wait,
    wait_for_state,
    zip_folder,
)

COUNTY = ROOT / "cases" / "county"


def worker_pids(job_id: str) -> list[int]:
    """Processes running this job (their command line names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"allocator.service.worker" in cmdline and job_id.encode() in cmdline:
            found.append(int(entry.name))
    return found


def wait_until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def start_county_run(client: Any) -> str:
    """Upload the bundled county and start a run; returns once it is running."""
    case_id = upload(client, "county-a", COUNTY)
    job_id = start(client, "county-a", "/v1/runs", {"case_id": case_id})
    wait_for_state(client, "county-a", job_id, "running")
    return job_id


def kill_workers(job_id: str) -> None:
    """kill -9 the worker process of a job, once it has one."""
    wait_until(lambda: worker_pids(job_id))
    for pid in worker_pids(job_id):
        os.kill(pid, signal.SIGKILL)


def test_kill_9_the_server_while_jobs_are_queued_and_running(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = start_server(data, "--workers", "1")
    try:
        status, county = server.request(
            "POST", "/v1/cases", body=zip_folder(COUNTY), content_type="application/zip"
        )
        assert status == 201
        status, tiny = server.request(
            "POST", "/v1/cases", "county-b", zip_folder(TINY), "application/zip"
        )
        assert status == 201
        status, slow = server.request("POST", "/v1/runs", body={"case_id": county["id"]})
        assert status == 202
        queued = []
        for _ in range(3):
            status, job = server.request("POST", "/v1/runs", "county-b", {"case_id": tiny["id"]})
            assert status == 202
            queued.append(job["id"])
        wait_until(lambda: worker_pids(slow["id"]))
        status, job = server.request("GET", f"/v1/jobs/{slow['id']}")
        assert job["state"] == "running"
    finally:
        server.stop(kill=True)
    # The orphaned worker notices its server is gone and stops by itself.
    wait_until(lambda: not worker_pids(slow["id"]), timeout=10)

    server = start_server(data, "--workers", "2")
    try:
        finished = server.wait(slow["id"])
        assert finished["state"] == "done", finished
        assert finished["attempts"] == 2
        for job_id in queued:
            assert server.wait(job_id, "county-b")["state"] == "done"
        status, listed = server.request("GET", "/v1/jobs", "county-b")
        assert sorted(j["id"] for j in listed) == sorted(queued)  # none lost, none extra
        # A re-run job gives the bytes the CLI gives.
        cli = tmp_path / "cli"
        run(TINY, cli)
        for job_id in queued:
            status, body = server.request(
                "GET", f"/v1/jobs/{job_id}/files/allocations.csv", "county-b"
            )
            assert body == (cli / "allocations.csv").read_bytes()
    finally:
        server.stop()
    events = [json.loads(line) for line in server.log.read_text().splitlines()]
    reasons = [e.get("reason", "") for e in events if e.get("job") == slow["id"]]
    assert any("server stopped during the job" in r for r in reasons), reasons


def test_a_worker_killed_mid_solve_is_run_again_and_the_server_stays_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch, workers=1) as client:
        job_id = start_county_run(client)
        # While it runs, the job shows the worker's phase (the CLI's progress events).
        wait_until(
            lambda: (
                client.get(f"/v1/jobs/{job_id}", headers=auth("county-a")).json()["phase"]
                in ("load", "rules", "build", "start", "margin", "solve", "round", "write")
            )
        )
        kill_workers(job_id)
        assert client.get("/v1/health").status_code == 200
        job = wait(client, "county-a", job_id)
        assert job["state"] == "done" and job["attempts"] == 2


def test_a_worker_that_dies_every_time_fails_its_job_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch, workers=1, max_attempts=1) as client:
        job_id = start_county_run(client)
        kill_workers(job_id)
        job = wait(client, "county-a", job_id)
        assert job["state"] == "failed"
        assert job["error"]["code"] == "worker_died"
        assert "SIGKILL" in job["error"]["message"]
        assert client.get("/v1/ready").json()["ready"] is True


def test_a_normal_stop_puts_running_jobs_back_without_counting_the_attempt(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    server = start_server(data, "--workers", "1")
    try:
        status, county = server.request(
            "POST", "/v1/cases", body=zip_folder(COUNTY), content_type="application/zip"
        )
        status, job = server.request("POST", "/v1/runs", body={"case_id": county["id"]})
        assert status == 202
        wait_until(lambda: worker_pids(job["id"]))
    finally:
        server.stop()  # SIGTERM: the worker is stopped, its job queued again
    assert server.process.returncode in (0, -15)  # uvicorn re-raises SIGTERM once shut down
    assert not worker_pids(job["id"])
    server = start_server(data, "--workers", "1")
    try:
        finished = server.wait(job["id"])
    finally:
        server.stop()
    assert finished["state"] == "done" and finished["attempts"] == 1
