"""The HTTP service does what the CLI does: same plans, same messages, over HTTP."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.app.run import run
from allocator.cli import app as cli_app
from tests.conftest import ROOT, TINY, edit_cell
from tests.service_support import (
    auth,
    file_bytes,
    service_client,
    start,
    upload,
    wait,
    wait_for_state,
    zip_folder,
)

TINY_HOUSEHOLDS = ROOT / "cases" / "tiny_households"
COUNTY = ROOT / "cases" / "county"


def test_a_run_over_http_writes_the_bytes_the_cli_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_out = tmp_path / "cli"
    run(TINY_HOUSEHOLDS, cli_out, xlsx=True)
    with service_client(tmp_path / "data", monkeypatch) as client:
        case_id = upload(client, "county-a", TINY_HOUSEHOLDS)
        job_id = start(client, "county-a", "/v1/runs", {"case_id": case_id, "xlsx": True})
        job = wait(client, "county-a", job_id)
        assert job["state"] == "done", job
        assert job["attempts"] == 1 and job["elapsed"] > 0
        listed = client.get(f"/v1/jobs/{job_id}/files", headers=auth("county-a")).json()
        names = sorted(f["name"] for f in listed)
        assert names == sorted(p.name for p in cli_out.iterdir())
        assert "household_measures.csv" in names and "plan.xlsx" in names
        for name in names:
            if name == "timings.json":  # seconds differ run to run, by nature
                continue
            assert file_bytes(client, "county-a", job_id, name) == (cli_out / name).read_bytes(), (
                name
            )


def test_check_explain_verify_and_compare_over_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch, workers=2) as client:
        case_id = upload(client, "county-a", TINY)
        run_id = start(client, "county-a", "/v1/runs", {"case_id": case_id})
        check_id = start(client, "county-a", "/v1/checks", {"case_id": case_id})
        compare_id = start(
            client,
            "county-a",
            "/v1/comparisons",
            {
                "case_id": case_id,
                "scenarios": [
                    {"name": "baseline"},
                    {"name": "window", "rules": "variants/exit_window_5y"},
                ],
            },
        )
        assert wait(client, "county-a", run_id)["state"] == "done"
        checked = wait(client, "county-a", check_id)
        assert checked["state"] == "done"
        report = client.get(f"/v1/jobs/{check_id}/files/check.json", headers=auth("county-a"))
        assert report.json()["valid"] is True and report.json()["villages"] == 5

        allocations = file_bytes(client, "county-a", run_id, "allocations.csv").decode()
        project = next(csv.DictReader(io.StringIO(allocations)))["project_id"]
        explain_id = start(
            client, "county-a", "/v1/explanations", {"run_id": run_id, "project": project}
        )
        verify_id = start(client, "county-a", "/v1/verifications", {"run_id": run_id})
        assert wait(client, "county-a", explain_id)["state"] == "done"
        text = file_bytes(client, "county-a", explain_id, "explanation.txt").decode()
        assert project in text
        assert wait(client, "county-a", verify_id)["state"] == "done"
        verified = client.get(f"/v1/jobs/{verify_id}/files/verify.json", headers=auth("county-a"))
        assert verified.json()["valid"] is True and verified.json()["violations"] == []

        # A plan edited by hand, uploaded: verify finds what is wrong and says where.
        plan = tmp_path / "plan"
        plan.mkdir()
        rows = list(csv.DictReader(io.StringIO(allocations)))
        rows[0]["amount"] = str(int(rows[0]["amount"]) + 10_000_000)
        with open(plan / "allocations.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        plan_id = upload(client, "county-a", plan, kind="plans")
        bad_id = start(
            client, "county-a", "/v1/verifications", {"case_id": case_id, "plan_id": plan_id}
        )
        assert wait(client, "county-a", bad_id)["state"] == "done"
        bad = client.get(f"/v1/jobs/{bad_id}/files/verify.json", headers=auth("county-a")).json()
        assert bad["valid"] is False
        assert any("budget" in v or "cost" in v for v in bad["violations"]), bad["violations"]

        compared = wait(client, "county-a", compare_id)
        assert compared["state"] == "done", compared
        overview = client.get(
            f"/v1/jobs/{compare_id}/files/comparison.json", headers=auth("county-a")
        ).json()
        assert [s["scenario"] for s in overview["scenarios"]] == ["baseline", "window"]


def _cli_error(args: list[str]) -> str:
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 2, result.output
    line = result.output.strip().splitlines()[0]
    assert line.startswith("error: ")
    return line[len("error: ") :]


def test_a_case_with_a_bad_cell_is_refused_with_the_cli_message(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_cell(tiny / "projects.csv", 2, "cost", "12.5")
    expected = _cli_error(["check", str(tiny)]).replace(f"{tiny}/", "")
    assert expected.startswith("projects.csv, row 4, column 'cost'")
    with service_client(tmp_path / "data", monkeypatch) as client:
        answer = client.post(
            "/v1/cases",
            content=zip_folder(tiny),
            headers=auth("county-a") | {"Content-Type": "application/zip"},
        )
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["message"] == expected
        assert error["location"] == "projects.csv, row 4, column 'cost'"
        assert error["exit_code"] == 2
        assert client.get("/v1/cases", headers=auth("county-a")).json() == []
        assert not any((tmp_path / "data" / "scratch").iterdir())  # nothing half-kept


def test_a_failing_job_reports_the_cli_message_and_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_text = (
        (ROOT / "models" / "default.yaml").read_text().replace("mip_gap: 1.0e-4", "mip_gap: 5")
    )
    assert "mip_gap: 5" in spec_text
    spec = tmp_path / "model.yaml"
    spec.write_text(spec_text)
    expected = _cli_error(["check", str(TINY), "--model", str(spec)]).replace(f"{tmp_path}/", "")
    with service_client(tmp_path / "data", monkeypatch) as client:
        case_id = upload(client, "county-a", TINY)
        job_id = start(
            client, "county-a", "/v1/runs", {"case_id": case_id, "model_yaml": spec_text}
        )
        job = wait(client, "county-a", job_id)
        assert job["state"] == "failed"
        assert job["error"]["message"] == expected
        assert job["error"]["location"].startswith("model.yaml:")
        assert job["error"]["exit_code"] == 2
        files = client.get(f"/v1/jobs/{job_id}/files", headers=auth("county-a"))
        assert files.status_code == 409  # a failed job has no files to give


def test_cancel_a_queued_and_a_running_job_and_a_full_queue_says_429(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch, workers=1, queue_limit=3) as client:
        county = upload(client, "county-a", COUNTY)
        tiny = upload(client, "county-a", TINY)
        slow = start(client, "county-a", "/v1/runs", {"case_id": county})
        wait_for_state(client, "county-a", slow, "running")
        queued = start(client, "county-a", "/v1/runs", {"case_id": tiny})
        last = start(client, "county-a", "/v1/runs", {"case_id": tiny})
        full = client.post("/v1/runs", json={"case_id": tiny}, headers=auth("county-a"))
        assert full.status_code == 429 and full.headers["Retry-After"]
        assert full.json()["error"]["code"] == "queue_full"

        answer = client.post(f"/v1/jobs/{queued}/cancel", headers=auth("county-a"))
        assert answer.status_code == 202 and answer.json()["state"] == "cancelled"
        client.post(f"/v1/jobs/{slow}/cancel", headers=auth("county-a"))
        assert wait(client, "county-a", slow, timeout=10)["state"] == "cancelled"
        assert wait(client, "county-a", last)["state"] == "done"
        again = client.post(f"/v1/jobs/{last}/cancel", headers=auth("county-a"))
        assert again.status_code == 409


def test_time_limits_are_capped_and_names_come_from_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client(tmp_path / "data", monkeypatch, time_limit_cap=5) as client:
        rulesets = client.get("/v1/rulesets", headers=auth("county-a")).json()
        assert {"baseline", "variants/exit_window_5y"} <= {r["name"] for r in rulesets}
        specs = {s["name"] for s in client.get("/v1/specs", headers=auth("county-a")).json()}
        assert {"default", "factor"} <= specs
        case_id = upload(client, "county-a", TINY)
        job_id = start(client, "county-a", "/v1/runs", {"case_id": case_id, "time_limit": 1000})
        assert (
            client.get(f"/v1/jobs/{job_id}", headers=auth("county-a")).json()["params"][
                "time_limit"
            ]
            == 5
        )
        for name in ("nope", "../../etc/passwd", "tests/baseline.test"):
            answer = client.post(
                "/v1/runs", json={"case_id": case_id, "rules": name}, headers=auth("county-a")
            )
            assert answer.status_code == 422, name
        assert wait(client, "county-a", job_id)["state"] == "done"


def test_health_and_readiness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with service_client(tmp_path / "data", monkeypatch, workers=3) as client:
        assert client.get("/v1/health").json()["status"] == "ok"
        ready = client.get("/v1/ready")
        assert ready.status_code == 200
        assert ready.json()["ready"] is True and ready.json()["workers"] == 3
        schema = client.get("/openapi.json").json()
        assert "/v1/runs" in schema["paths"] and "/v1/jobs/{job_id}/files" in schema["paths"]


def test_a_workbook_case_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from allocator.app.convert import convert

    workbook = tmp_path / "tiny.xlsx"
    convert(TINY, workbook)
    with service_client(tmp_path / "data", monkeypatch) as client:
        answer = client.post(
            "/v1/cases",
            content=workbook.read_bytes(),
            headers=auth("county-a")
            | {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["format"] == "workbook"
        job_id = start(client, "county-a", "/v1/runs", {"case_id": answer.json()["id"]})
        assert wait(client, "county-a", job_id)["state"] == "done"
    shutil.rmtree(tmp_path / "data")
