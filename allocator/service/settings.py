"""What an operator can set for a service (``allocator serve`` options)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class ServiceSettings(BaseModel):
    """Limits and places of one service. Defaults suit one county's office on one machine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(description="where cases, jobs, their files and the job store live")
    workers: int = Field(2, ge=1, le=64, description="solver processes run at once")
    queue_limit: int = Field(
        100, ge=1, description="jobs queued or running at once; more are refused with 429"
    )
    time_limit_cap: float = Field(
        600.0, gt=0, le=86400, description="the longest solver time limit a request may ask for"
    )
    max_upload_bytes: int = Field(50 * 2**20, ge=1024, description="largest upload (bytes)")
    max_unpacked_bytes: int = Field(
        500 * 2**20, ge=1024, description="largest total size of an upload once unpacked"
    )
    max_members: int = Field(200, ge=1, description="most files in an uploaded zip")
    max_ratio: int = Field(
        200, ge=1, description="largest unpacked/packed size ratio of one zip member"
    )
    max_rows: int = Field(
        5_000_000,
        ge=1,
        description="most rows in one uploaded table (a province's register: 3.5 million)",
    )
    max_attempts: int = Field(
        2, ge=1, le=10, description="times a job is started before a dying worker fails it"
    )
    grace_seconds: float = Field(
        120.0, gt=0, description="wall-clock time a job may take beyond its solver time limit"
    )
    cors_origins: tuple[str, ...] = Field(
        (), description="origins allowed by CORS; empty means CORS stays off"
    )
    tokens_file: Path | None = Field(
        None, description="hashed tokens (default DATA/tokens.json); ALLOCATOR_TOKENS adds more"
    )

    @property
    def token_path(self) -> Path:
        return self.tokens_file or self.data_dir / "tokens.json"
