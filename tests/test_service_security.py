"""The service lets no one in where they don't belong and takes no hostile upload."""

from __future__ import annotations

import io
import json
import logging
import stat
import zipfile
from pathlib import Path

import pytest

from allocator.service.logs import LOGGER, JsonLines
from allocator.service.tokens import add_token, load_tokens
from tests.conftest import TINY
from tests.service_support import (
    TOKENS,
    auth,
    service_client,
    start,
    upload,
    wait,
    zip_folder,
)

ZIP = {"Content-Type": "application/zip"}


def _zip(members: dict[str, bytes], symlinks: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _tiny_members() -> dict[str, bytes]:
    return {f"tiny/{p.name}": p.read_bytes() for p in sorted(TINY.iterdir())}


def test_every_request_but_health_needs_a_valid_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch) as client:
        assert client.get("/v1/health").status_code == 200
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "x"}):
            answer = client.get("/v1/jobs", headers=headers)
            assert answer.status_code == 401
            assert answer.json()["error"]["code"] == "unauthorized"
            assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert client.post("/v1/cases", content=b"x", headers=ZIP).status_code == 401


def test_a_tenant_sees_only_its_own_cases_and_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch) as client:
        case_id = upload(client, "county-a", TINY)
        run_id = start(client, "county-a", "/v1/runs", {"case_id": case_id})
        assert wait(client, "county-a", run_id)["state"] == "done"
        b = auth("county-b")
        for path in (
            f"/v1/cases/{case_id}",
            f"/v1/jobs/{run_id}",
            f"/v1/jobs/{run_id}/files",
            f"/v1/jobs/{run_id}/files/allocations.csv",
        ):
            assert client.get(path, headers=b).status_code == 404, path
        assert client.post(f"/v1/jobs/{run_id}/cancel", headers=b).status_code == 404
        for path, body in (
            ("/v1/runs", {"case_id": case_id}),
            ("/v1/checks", {"case_id": case_id}),
            ("/v1/explanations", {"run_id": run_id, "fund": "F1"}),
            ("/v1/verifications", {"run_id": run_id}),
        ):
            answer = client.post(path, json=body, headers=b)
            assert answer.status_code == 404, (path, answer.text)
        assert client.get("/v1/jobs", headers=b).json() == []
        assert client.get("/v1/cases", headers=b).json() == []
        # The same content uploaded by B is B's own copy, under B's own records.
        assert upload(client, "county-b", TINY) == case_id
        assert len(client.get("/v1/cases", headers=b).json()) == 1
        assert client.get(f"/v1/jobs/{run_id}", headers=auth("county-a")).status_code == 200


HOSTILE = {
    "zip-slip": (_zip({"../evil.csv": b"x", **_tiny_members()}), 400, "unsafe path"),
    "absolute path": (_zip({"/tmp/evil.csv": b"x"}), 400, "unsafe path"),
    "backslash path": (_zip({"..\\evil.csv": b"x"}), 400, "unsafe path"),
    "symlink": (
        _zip({**_tiny_members(), "tiny/link": b"/etc/passwd"}, symlinks=("tiny/link",)),
        400,
        "symbolic link",
    ),
    "zip bomb": (_zip({"tiny/bomb.csv": b"0" * (20 << 20)}), 413, "zip bomb"),
    "too many members": (_zip({f"f{i}.csv": b"a\n" for i in range(60)}), 413, "members"),
    "not a zip": (b"PK\x03\x04 this is not really a zip", 400, "not a zip"),
    "empty zip": (_zip({}), 400, "empty"),
    "no case in it": (_zip({"notes.txt": b"hello"}), 422, "case.yaml"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_uploads_are_refused_and_leave_nothing(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, status, words = HOSTILE[name]
    with service_client(tmp_path / "data", monkeypatch, max_members=50) as client:
        answer = client.post("/v1/cases", content=data, headers=auth("county-a") | ZIP)
        assert answer.status_code == status, answer.text
        assert words in answer.json()["error"]["message"]
        assert client.get("/v1/cases", headers=auth("county-a")).json() == []
        assert not any((tmp_path / "data" / "scratch").glob("*"))
        assert not list(tmp_path.rglob("evil*"))
        assert not (tmp_path / "data" / "tenants").exists()


def test_size_and_row_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with service_client(
        tmp_path / "data", monkeypatch, max_upload_bytes=4096, max_rows=3
    ) as client:
        big = client.post("/v1/cases", content=b"x" * 5000, headers=auth("county-a") | ZIP)
        assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
        rows = client.post("/v1/cases", content=zip_folder(TINY), headers=auth("county-a") | ZIP)
        assert rows.status_code == 413
        assert "rows; at most 3" in rows.json()["error"]["message"]


def test_no_path_reaches_outside_a_jobs_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch) as client:
        case_id = upload(client, "county-a", TINY)
        run_id = start(client, "county-a", "/v1/runs", {"case_id": case_id})
        assert wait(client, "county-a", run_id)["state"] == "done"
        for name in (
            "../job.json",
            "..%2Fjob.json",
            "%2E%2E/%2E%2E/%2E%2E/%2E%2E/store.sqlite",
            "/etc/passwd",
            "%2Fetc%2Fpasswd",
        ):
            answer = client.get(f"/v1/jobs/{run_id}/files/{name}", headers=auth("county-a"))
            assert answer.status_code in (404, 422), (name, answer.status_code)
            assert b"SQLite" not in answer.content and b"root:" not in answer.content


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    token = add_token(path, "county-a")
    other = add_token(path, "county-b")
    text = path.read_text()
    assert token not in text and other not in text
    book = load_tokens(path, environ={})
    assert book.tenant_of(token) == "county-a" and book.tenant_of(other) == "county-b"
    assert book.tenant_of(token + "x") is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_cors_is_off_unless_an_origin_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preflight = {
        "Origin": "https://dashboard.example",
        "Access-Control-Request-Method": "GET",
    }
    with service_client(tmp_path / "a", monkeypatch) as client:
        answer = client.options("/v1/jobs", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers
    with service_client(
        tmp_path / "b", monkeypatch, cors_origins=("https://dashboard.example",)
    ) as client:
        answer = client.options("/v1/jobs", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "https://dashboard.example"


def test_logs_are_json_lines_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(JsonLines())
    LOGGER.addHandler(handler)
    try:
        with service_client(tmp_path / "data", monkeypatch) as client:
            case_id = upload(client, "county-a", TINY)
            run_id = start(client, "county-a", "/v1/runs", {"case_id": case_id})
            wait(client, "county-a", run_id)
            client.get("/v1/jobs", headers={"Authorization": "Bearer wrong-secret-123"})
    finally:
        LOGGER.removeHandler(handler)
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    text = captured.getvalue()
    assert all(token not in text for token in TOKENS.values())
    assert "wrong-secret-123" not in text
    requests = [line for line in lines if line["event"] == "request"]
    assert {"method", "path", "status", "ms", "tenant", "request_id"} <= set(requests[0])
    states = [line["state"] for line in lines if line["event"] == "job"]
    assert states == ["queued", "running", "done"]
    assert any(r["status"] == 401 and r["tenant"] is None for r in requests)
