"""Load on the HTTP service: many concurrent small runs from several tenants.

    python bench/service_load.py                       # 50 runs, 5 tenants, 2 workers
    python bench/service_load.py --runs 100 --workers 2 --json out.json

Starts ``allocator serve`` on a free localhost port with a fresh data folder,
uploads the bundled small cases for every tenant, submits all runs at once
(one thread per run: submit, poll, fetch), and checks that

* every run finishes ``done``;
* each plan's allocations.csv and summary.json are the bytes ``allocator run``
  writes for the same case;
* each tenant lists exactly its own jobs, and every other tenant's job id
  answers 404.

Reported: wall time, throughput (runs per minute), and latency from submit to
done (median, p95, max). Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = [ROOT / "cases" / name for name in ("tiny", "tiny_households", "tiny_matching")]


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{folder.name}/{path.name}")
    return buffer.getvalue()


class Client:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def call(
        self, method: str, path: str, body: Any = None, kind: str = "application/json"
    ) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        headers = {"Authorization": f"Bearer {self.token}"}
        if data is not None:
            headers["Content-Type"] = kind
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method: str, path: str, body: Any = None) -> Any:
        status, raw = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {raw[:300]!r}")
        return json.loads(raw)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _cli_plans(scratch: Path) -> dict[str, dict[str, bytes]]:
    plans = {}
    for case in CASES:
        out = scratch / "cli" / case.name
        subprocess.run(
            [sys.executable, "-m", "allocator", "run", str(case), "--out", str(out), "-q"],
            check=True,
            capture_output=True,
        )
        plans[case.name] = {
            name: (out / name).read_bytes() for name in ("allocations.csv", "summary.json")
        }
    return plans


def _one_run(client: Client, case_id: str) -> dict[str, Any]:
    started = time.perf_counter()
    job = client.json("POST", "/v1/runs", {"case_id": case_id})
    while job["state"] not in ("done", "failed", "cancelled"):
        time.sleep(0.2)
        job = client.json("GET", f"/v1/jobs/{job['id']}")
    latency = time.perf_counter() - started
    files = {}
    if job["state"] == "done":
        for name in ("allocations.csv", "summary.json"):
            files[name] = client.call("GET", f"/v1/jobs/{job['id']}/files/{name}")[1]
    return {"job": job, "latency": latency, "files": files}


def measure(runs: int, tenants: int, workers: int) -> dict[str, Any]:
    tokens = {f"tenant-{i}": f"load-token-{i}-" + "x" * 24 for i in range(tenants)}
    scratch = Path(tempfile.mkdtemp(prefix="service-load-"))
    expected = _cli_plans(scratch)
    port = _free_port()
    log = open(scratch / "server.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "allocator",
            "serve",
            "--data",
            str(scratch / "data"),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=log,
        stderr=log,
        env={**os.environ, "ALLOCATOR_TOKENS": ",".join(f"{t}={k}" for t, k in tokens.items())},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if urllib.request.urlopen(f"{url}/v1/ready", timeout=5).status == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        clients = {t: Client(url, k) for t, k in tokens.items()}
        case_ids: dict[tuple[str, str], str] = {}
        for tenant, client in clients.items():
            for case in CASES:
                status, raw = client.call("POST", "/v1/cases", _zip(case), "application/zip")
                assert status == 201, raw
                case_ids[tenant, case.name] = json.loads(raw)["id"]
        plan = [
            (list(clients)[i % tenants], CASES[(i // tenants) % len(CASES)].name)
            for i in range(runs)
        ]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=runs) as pool:
            outcomes = list(pool.map(lambda p: _one_run(clients[p[0]], case_ids[p]), plan))
        wall = time.perf_counter() - started

        failures = []
        for (tenant, case), outcome in zip(plan, outcomes, strict=True):
            if outcome["job"]["state"] != "done":
                failures.append(f"{tenant} {case}: {outcome['job']['state']}")
            elif outcome["files"] != expected[case]:
                failures.append(f"{tenant} {case}: plan bytes differ from the CLI's")
        leaks = 0
        for tenant, client in clients.items():
            own = {o["job"]["id"] for (t, _), o in zip(plan, outcomes, strict=True) if t == tenant}
            listed = {j["id"] for j in client.json("GET", "/v1/jobs")}
            if listed != own:
                failures.append(f"{tenant} lists {len(listed)} jobs, owns {len(own)}")
            for (other, _), outcome in zip(plan, outcomes, strict=True):
                if other != tenant:
                    status, _ = client.call("GET", f"/v1/jobs/{outcome['job']['id']}")
                    leaks += status != 404
        if leaks:
            failures.append(f"{leaks} cross-tenant reads did not answer 404")
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    latencies = sorted(o["latency"] for o in outcomes)
    p95 = latencies[math.ceil(0.95 * len(latencies)) - 1]  # nearest rank
    return {
        "runs": runs,
        "tenants": tenants,
        "workers": workers,
        "done": sum(o["job"]["state"] == "done" for o in outcomes),
        "identical_to_cli": sum(
            o["files"] == expected[c] for (_, c), o in zip(plan, outcomes, strict=True)
        ),
        "wall_seconds": round(wall, 2),
        "runs_per_minute": round(runs / wall * 60, 1),
        "latency_median": round(statistics.median(latencies), 2),
        "latency_p95": round(p95, 2),
        "latency_max": round(latencies[-1], 2),
        "failures": failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tenants", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = measure(args.runs, args.tenants, args.workers)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
