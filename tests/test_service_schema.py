"""Schemathesis against the live server's OpenAPI schema: no request gives a 5xx.

Bounded: a few examples per operation (SCHEMATHESIS_EXAMPLES raises it). The
server runs with real tokens and real workers, so generated requests that
pass validation reach the store and the dispatcher.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.conftest import TINY
from tests.service_support import LiveServer, auth, start_server, zip_folder

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))

# Upload bodies: random bytes, a real case, and a real case cut short.
_real = zip_folder(TINY)
uploads = st.one_of(
    st.binary(max_size=2048),
    st.just(_real),
    st.integers(1, len(_real) - 1).map(lambda n: _real[:n]),
)
schemathesis.openapi.media_type("application/zip", uploads)
schemathesis.openapi.media_type(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", uploads
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("schema") / "data", "--workers", "1")
    yield server
    server.stop()
    assert b'"status": 500' not in server.log.read_bytes()


@pytest.fixture(scope="module")
def api_schema(live: LiveServer) -> Any:
    return schemathesis.openapi.from_url(f"{live.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_gives_a_server_error(case: Any, live: LiveServer) -> None:
    case.call_and_validate(base_url=live.url, headers=auth("county-a"), checks=[not_a_server_error])


def test_the_schema_documents_every_route(live: LiveServer, tmp_path: Path) -> None:
    status, document = live.request("GET", "/openapi.json", tenant=None)
    assert status == 200
    paths = set(document["paths"])
    assert {
        "/v1/cases",
        "/v1/plans",
        "/v1/runs",
        "/v1/checks",
        "/v1/comparisons",
        "/v1/explanations",
        "/v1/verifications",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/cancel",
        "/v1/jobs/{job_id}/files/{name}",
        "/v1/rulesets",
        "/v1/specs",
        "/v1/health",
        "/v1/ready",
    } <= paths
    status, page = live.request("GET", "/docs", tenant=None)
    assert status == 200 and b"swagger" in page.lower()
