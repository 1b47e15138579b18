"""Helpers for the service tests: tokens, zipped cases, a client, waiting for jobs."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TOKENS = {
    "county-a": "token-for-county-a-0123456789",
    "county-b": "token-for-county-b-0123456789",
}
FINAL = ("done", "failed", "cancelled")


def tokens_env(tokens: dict[str, str] = TOKENS) -> str:
    return ",".join(f"{tenant}={token}" for tenant, token in tokens.items())


def auth(tenant: str, tokens: dict[str, str] = TOKENS) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[tenant]}"}


def zip_folder(folder: Path, top: str | None = "") -> bytes:
    """A zip of a folder as people make them: with the folder itself at the top."""
    top = folder.name if top == "" else top
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{top}/{name}" if top else name)
    return buffer.getvalue()


@contextmanager
def service_client(data: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> Iterator[Any]:
    """A TestClient over a fresh service (its dispatcher and workers really run)."""
    from fastapi.testclient import TestClient

    from allocator.service.api import create_app
    from allocator.service.settings import ServiceSettings

    monkeypatch.setenv("ALLOCATOR_TOKENS", tokens_env())
    app = create_app(ServiceSettings(data_dir=data, **settings))
    with TestClient(app) as client:
        yield client


def upload(client: Any, tenant: str, folder: Path, kind: str = "cases") -> str:
    answer = client.post(
        f"/v1/{kind}",
        content=zip_folder(folder),
        headers=auth(tenant) | {"Content-Type": "application/zip"},
    )
    assert answer.status_code == 201, answer.text
    upload_id: str = answer.json()["id"]
    return upload_id


def start(client: Any, tenant: str, path: str, body: dict[str, Any]) -> str:
    answer = client.post(path, json=body, headers=auth(tenant))
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["id"]
    return job_id


def wait(client: Any, tenant: str, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll a job until it is done, failed or cancelled."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=auth(tenant)).json()
        if job["state"] in FINAL:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['state']} after {timeout} s")
        time.sleep(0.1)


def wait_for_state(
    client: Any, tenant: str, job_id: str, state: str, timeout: float = 60.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=auth(tenant)).json()
        if job["state"] == state:
            return job
        if job["state"] in FINAL or time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is {job['state']}, expected {state}")
        time.sleep(0.05)


def file_bytes(client: Any, tenant: str, job_id: str, name: str) -> bytes:
    answer = client.get(f"/v1/jobs/{job_id}/files/{name}", headers=auth(tenant))
    assert answer.status_code == 200, answer.text
    content: bytes = answer.content
    return content


# A real server process, for what a TestClient cannot show: kill -9, restarts, load.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """``allocator serve`` in its own process, logging to ``log``."""

    url: str
    process: subprocess.Popen[bytes]
    data: Path
    log: Path

    def request(
        self,
        method: str,
        path: str,
        tenant: str | None = "county-a",
        body: bytes | dict[str, Any] | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        """(status, parsed JSON or bytes) of one request."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        headers = auth(tenant) if tenant else {}
        if data is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, raw = answer.status, answer.read()
                kind = answer.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, raw, kind = error.code, error.read(), error.headers.get("Content-Type", "")
        return status, json.loads(raw) if kind.startswith("application/json") else raw

    def wait(self, job_id: str, tenant: str = "county-a", timeout: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status, job = self.request("GET", f"/v1/jobs/{job_id}", tenant)
            assert status == 200, job
            if job["state"] in FINAL:
                return dict(job)
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {job['state']} after {timeout} s")
            time.sleep(0.2)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def start_server(data: Path, *options: str, port: int | None = None) -> LiveServer:
    """Start ``allocator serve`` on a free port and wait until it is ready."""
    port = port or free_port()
    log = data.parent / f"{data.name}-server.log"
    data.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "allocator",
                "serve",
                "--data",
                str(data),
                "--port",
                str(port),
                *options,
            ],
            stdout=sink,
            stderr=sink,
            env={**os.environ, "ALLOCATOR_TOKENS": tokens_env()},
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, data, log)
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _ = server.request("GET", "/v1/ready", tenant=None)
            if status == 200:
                return server
        except (urllib.error.URLError, ConnectionError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)
