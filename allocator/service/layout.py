"""Where the service keeps things under its data folder.

    DATA/store.sqlite                       job and upload records
    DATA/tokens.json                        token hashes
    DATA/scratch/                           uploads being checked
    DATA/tenants/T/cases/ID/                an uploaded case (folder, or case.xlsx)
    DATA/tenants/T/plans/ID/                an uploaded plan (folder, or plan.xlsx)
    DATA/tenants/T/jobs/ID/job.json         what the job does (paths are inside DATA)
    DATA/tenants/T/jobs/ID/attempt-N/       one run of the job: out/, outcome.json, worker.log
    DATA/tenants/T/jobs/ID/result/          the files of a finished job

Tenant names and ids are checked against strict patterns before they get
here, so every path stays inside DATA.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def store(self) -> Path:
        return self.root / "store.sqlite"

    @property
    def scratch(self) -> Path:
        return self.root / "scratch"

    def tenant(self, tenant: str) -> Path:
        return self.root / "tenants" / tenant

    def upload(self, tenant: str, kind: str, upload_id: str) -> Path:
        return self.tenant(tenant) / f"{kind}s" / upload_id

    def job(self, tenant: str, job_id: str) -> Path:
        return self.tenant(tenant) / "jobs" / job_id

    def attempt(self, tenant: str, job_id: str, attempt: int) -> Path:
        return self.job(tenant, job_id) / f"attempt-{attempt}"

    def result(self, tenant: str, job_id: str) -> Path:
        return self.job(tenant, job_id) / "result"
