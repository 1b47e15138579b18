"""The shapes of the service's requests and answers (the OpenAPI schema is made from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

UploadId = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="a content hash")]
JobId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
Name = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_./-]{0,127}$",
        description="a shipped rule set or model spec (GET /v1/rulesets, /v1/specs)",
    ),
]
YamlText = Annotated[str, Field(min_length=1, max_length=1_000_000)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputsChoice(_Request):
    """Which rule set and model spec to apply: a shipped one by name, or your own YAML."""

    rules: Name | None = Field(None, description="shipped rule set [default: baseline]")
    model: Name | None = Field(None, description="shipped model spec [default: default]")
    rules_yaml: YamlText | None = Field(None, description="a rule set file's text")
    model_yaml: YamlText | None = Field(None, description="a model spec file's text")

    @model_validator(mode="after")
    def _one_of_each(self) -> InputsChoice:
        if self.rules is not None and self.rules_yaml is not None:
            raise ValueError("give rules or rules_yaml, not both")
        if self.model is not None and self.model_yaml is not None:
            raise ValueError("give model or model_yaml, not both")
        return self


TimeLimit = Annotated[
    float | None,
    Field(None, gt=0, le=86400, description="solver seconds; capped by the server"),
]


class RunRequest(InputsChoice):
    """``allocator run`` over HTTP."""

    case_id: UploadId
    time_limit: TimeLimit = None
    relax: bool = False
    excel_csv: bool = False
    xlsx: bool = False
    notice: bool = False
    lang: Literal["en", "zh"] | None = None


class CheckRequest(InputsChoice):
    """``allocator check`` over HTTP."""

    case_id: UploadId


class ScenarioRequest(InputsChoice):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class CompareRequest(_Request):
    """``allocator compare`` over HTTP: the first scenario is the baseline."""

    case_id: UploadId
    scenarios: Annotated[list[ScenarioRequest], Field(min_length=2, max_length=8)]
    time_limit: TimeLimit = None


class ExplainRequest(_Request):
    """``allocator explain`` over HTTP, on a finished run (same case, rules and spec)."""

    run_id: JobId
    project: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    village: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    fund: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    household: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ExplainRequest:
        given = [x for x in (self.project, self.village, self.fund, self.household) if x]
        if len(given) != 1:
            raise ValueError("give exactly one of project, village, fund or household")
        return self

    def subject(self) -> tuple[str, str]:
        for name in ("project", "village", "fund", "household"):
            value = getattr(self, name)
            if value:
                return name, value
        raise AssertionError("validated: exactly one subject")


class VerifyRequest(InputsChoice):
    """``allocator verify`` over HTTP: a finished run's plan, or an uploaded plan.

    With ``run_id``, the case, rules and spec default to the run's.
    """

    case_id: UploadId | None = None
    run_id: JobId | None = None
    plan_id: UploadId | None = None

    @model_validator(mode="after")
    def _one_plan(self) -> VerifyRequest:
        if (self.run_id is None) == (self.plan_id is None):
            raise ValueError("give exactly one of run_id or plan_id")
        if self.plan_id is not None and self.case_id is None:
            raise ValueError("an uploaded plan needs the case_id it was made for")
        return self


class ErrorDetail(BaseModel):
    code: str
    message: str = Field(description="as the CLI prints it, location first")
    location: str | None = Field(None, description="file and row/column, or sheet!cell")
    exit_code: int | None = Field(None, description="the CLI's exit code for this error")
    details: list[str] = Field(default_factory=list)


class ErrorAnswer(BaseModel):
    error: ErrorDetail


class UploadView(BaseModel):
    id: str
    kind: Literal["case", "plan"]
    format: Literal["folder", "workbook"]
    name: str = Field(description="the case folder's name (summary.json records it)")
    bytes: int
    created: float


class FileView(BaseModel):
    name: str
    bytes: int
    url: str


class JobView(BaseModel):
    id: str
    kind: Literal["run", "check", "compare", "explain", "verify"]
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    created: float
    started: float | None
    finished: float | None
    elapsed: float | None = Field(description="seconds since started (or until finished)")
    attempts: int
    phase: str | None
    incumbent: float | None
    bound: float | None
    gap: float | None
    error: ErrorDetail | None
    params: dict[str, Any]
    links: dict[str, str]


class NamedFile(BaseModel):
    name: str
    sha256: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Readiness(BaseModel):
    ready: bool
    store: bool
    dispatcher: bool
    workers: int
    running: int
    queued_or_running: int
    queue_limit: int
