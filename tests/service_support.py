"""Helpers for the service tests: tokens, zipped cases, a client, waiting for jobs."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
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
