"""The HTTP API (FastAPI): the only code of the service that answers requests.

Handlers check who is asking (a tenant's token), what they ask for (the
schemas) and that it is theirs; the work itself goes to the job store and the
dispatcher's solver processes. Every answer that is not a success is
``{"error": {...}}`` with the CLI's message and location where there is one.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from allocator import __version__
from allocator.errors import AllocatorError, InputError
from allocator.service import schemas
from allocator.service.catalogue import Catalogue, digest, shipped
from allocator.service.dispatcher import Dispatcher
from allocator.service.errors import error_body
from allocator.service.layout import Layout
from allocator.service.logs import configure, log
from allocator.service.settings import ServiceSettings
from allocator.service.store import Job, JobState, Store, Upload
from allocator.service.tokens import TokenBook, load_tokens
from allocator.service.uploads import UploadRejected, input_path, put_in_place, unpack

API = "/v1"
UPLOAD_TYPES = {
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorAnswer} for code in (400, 401, 404, 409, 413, 422, 429)
}


class ApiError(HTTPException):
    """An answer other than success, with a machine-readable code."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(status, message)
        self.code = code
        self.extra = extra


@dataclass
class Service:
    """What the handlers share: settings, store, dispatcher, tokens and shipped files."""

    settings: ServiceSettings
    layout: Layout
    store: Store
    dispatcher: Dispatcher
    tokens: TokenBook
    catalogue: Catalogue


def _error(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _plain(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "location": None, "exit_code": None, "details": []}


def create_app(settings: ServiceSettings) -> FastAPI:
    """The service as an ASGI app (``allocator serve`` runs it under uvicorn)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure()
        layout = Layout(settings.data_dir)
        store = Store(layout.store)
        dispatcher = Dispatcher(settings, store, layout)
        app.state.service = Service(
            settings, layout, store, dispatcher, load_tokens(settings.token_path), shipped()
        )
        dispatcher.start()
        log("service started", data=str(settings.data_dir), workers=settings.workers)
        try:
            yield
        finally:
            dispatcher.stop()
            store.close()
            log("service stopped")

    app = FastAPI(
        title="allocator",
        version=__version__,
        description="Allocate integrated public funds over HTTP: upload a case, start a run, "
        "poll it, fetch its files. Every request but health needs a bearer token; a token "
        "belongs to one tenant and sees only that tenant's cases and jobs.",
        lifespan=lifespan,
        responses={401: {"model": schemas.ErrorAnswer}},
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    _install_handlers(app, settings)
    _install_routes(app)
    return app


def _install_handlers(app: FastAPI, settings: ServiceSettings) -> None:
    @app.middleware("http")
    async def requests_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_upload_bytes:
            response = _error(
                413,
                _plain(
                    "too_large",
                    f"the request body is larger than {settings.max_upload_bytes:,} bytes",
                ),
            )
        else:
            response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        log(
            "request",
            request_id=request_id,
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
            tenant=getattr(request.state, "tenant", None),
        )
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        headers = {"Retry-After": "5"} if exc.status_code == 429 else None
        if exc.status_code == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        body = _plain(exc.code, str(exc.detail))
        body.update(exc.extra)
        return _error(exc.status_code, body, headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, _plain(code, str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        details = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        ]
        body = _plain("invalid_request", details[0] if details else "invalid request")
        body["details"] = details
        return _error(422, body)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log("internal error", level=40, path=request.url.path, error=f"{type(exc).__name__}: {exc}")
        return _error(500, _plain("internal", "internal error (logged); please report it"))


bearer = HTTPBearer(auto_error=False, description="a tenant's API token")


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _tenant(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    if credentials is None:
        raise ApiError(401, "unauthorized", "a bearer token is required")
    tenant = _service(request).tokens.tenant_of(credentials.credentials)
    if tenant is None:
        raise ApiError(401, "unauthorized", "the token is not valid")
    request.state.tenant = tenant
    return tenant


ServiceDep = Annotated[Service, Depends(_service)]
TenantDep = Annotated[str, Depends(_tenant)]
UploadIdParam = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]
JobIdParam = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]


# uploads -----------------------------------------------------------------------


async def _body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the upload is larger than {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _store_upload(
    service: Service, tenant: str, kind: str, data: bytes, name: str | None
) -> Upload:
    try:
        unpacked = unpack(data, kind, service.settings, service.layout.scratch, name)
    except UploadRejected as exc:
        raise ApiError(exc.status, "bad_upload", exc.message) from None
    except OSError as exc:  # the disk, not the upload
        raise ApiError(507, "storage", f"cannot unpack the upload: {exc.strerror or exc}") from None
    try:
        if kind == "case":
            from allocator.io.case import load_case  # the CLI's own reader and its messages

            load_case(input_path(unpacked.staging, unpacked.format, unpacked.name))
        elif (
            unpacked.format == "folder"
            and not (unpacked.staging / unpacked.name / "allocations.csv").is_file()
        ):
            raise InputError("a plan upload needs allocations.csv (or is a plan.xlsx)")
    except AllocatorError as exc:
        shutil.rmtree(unpacked.staging, ignore_errors=True)
        raise ApiError(
            422,
            "invalid_case" if kind == "case" else "invalid_plan",
            **_located(exc, [unpacked.staging / unpacked.name, unpacked.staging]),
        ) from None
    final = service.layout.upload(tenant, kind, unpacked.id)
    try:
        put_in_place(unpacked, final)
    except OSError as exc:
        shutil.rmtree(unpacked.staging, ignore_errors=True)
        raise ApiError(507, "storage", f"cannot keep the upload: {exc.strerror or exc}") from None
    upload = Upload(
        tenant, kind, unpacked.id, unpacked.format, unpacked.name, unpacked.bytes, time.time()
    )
    service.store.add_upload(upload)
    stored = service.store.upload(tenant, kind, unpacked.id)
    assert stored is not None
    log(
        "upload",
        tenant=tenant,
        kind=kind,
        id=unpacked.id,
        format=unpacked.format,
        bytes=unpacked.bytes,
    )
    return stored


def _located(exc: AllocatorError, roots: list[Path]) -> dict[str, Any]:
    """ApiError keyword arguments carrying an allocator error's body."""
    body = error_body(exc, roots)
    body.pop("code")  # the answer's own code says what was refused
    return {"message": body.pop("message"), **body}


def _upload_view(upload: Upload) -> schemas.UploadView:
    return schemas.UploadView(
        id=upload.id,
        kind=upload.kind,
        format=upload.format,
        name=upload.name,
        bytes=upload.bytes,
        created=upload.created,
    )


def _upload(service: Service, tenant: str, kind: str, upload_id: str) -> Upload:
    upload = service.store.upload(tenant, kind, upload_id)
    if upload is None:
        raise ApiError(404, "not_found", f"no {kind} {upload_id}")
    return upload


def _upload_path(service: Service, upload: Upload) -> Path:
    folder = service.layout.upload(upload.tenant, upload.kind, upload.id)
    return input_path(folder, upload.format, upload.name)


# jobs --------------------------------------------------------------------------


def _job_view(job: Job) -> schemas.JobView:
    now = time.time()
    elapsed = None
    if job.started is not None:
        elapsed = round((job.finished or now) - job.started, 3)
    base = f"{API}/jobs/{job.id}"
    return schemas.JobView(
        id=job.id,
        kind=job.kind,
        state=job.state.value,
        created=job.created,
        started=job.started,
        finished=job.finished,
        elapsed=elapsed,
        attempts=job.attempts,
        phase=job.phase,
        incumbent=job.incumbent,
        bound=job.bound,
        gap=job.gap,
        error=schemas.ErrorDetail(**job.error) if job.error else None,
        params=job.params,
        links={"self": base, "files": f"{base}/files", "cancel": f"{base}/cancel"},
    )


def _write_json(path: Path, data: dict[str, Any]) -> None:
    fd, staging = tempfile.mkstemp(prefix=".job-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)


class _JobDraft:
    """A job being prepared: its folder, the files it reads and what it records."""

    def __init__(self, service: Service, tenant: str, kind: str) -> None:
        self.service, self.tenant, self.kind = service, tenant, kind
        self.id = secrets.token_hex(16)
        self.folder = service.layout.job(tenant, self.id)
        self.folder.mkdir(parents=True)

    def inputs(
        self, choice: schemas.InputsChoice, prefix: str = ""
    ) -> tuple[str | None, str | None, dict[str, Any]]:
        """Paths of the rule set and spec to use, and what to record of the choice."""
        catalogue = self.service.catalogue
        rules = self._one(
            choice.rules, choice.rules_yaml, catalogue.rulesets, "rule set", f"{prefix}rules.yaml"
        )
        model = self._one(
            choice.model, choice.model_yaml, catalogue.specs, "model spec", f"{prefix}model.yaml"
        )
        record = {
            "rules": choice.rules or ("(uploaded)" if choice.rules_yaml else "baseline"),
            "model": choice.model or ("(uploaded)" if choice.model_yaml else "default"),
        }
        return rules, model, record

    def _one(
        self, name: str | None, text: str | None, shipped: dict[str, Path], what: str, file: str
    ) -> str | None:
        if name is not None:
            if name not in shipped:
                raise ApiError(
                    422,
                    "unknown_name",
                    f"no shipped {what} '{name}' (shipped: {', '.join(sorted(shipped))})",
                )
            return str(shipped[name])
        if text is not None:
            path = self.folder / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return str(path)
        return None

    def submit(self, job_file: dict[str, Any], params: dict[str, Any]) -> schemas.JobView:
        settings = self.service.settings
        job_file = {
            **job_file,
            "kind": self.kind,
            "time_limit_cap": settings.time_limit_cap,
            "time_limit": params.get("time_limit"),
            "roots": [str(self.folder), *job_file.get("roots", [])],
        }
        _write_json(self.folder / "job.json", job_file)
        job = self.service.store.add_job(
            self.id, self.tenant, self.kind, params, settings.queue_limit
        )
        if job is None:
            self.discard()
            raise ApiError(
                429,
                "queue_full",
                f"{settings.queue_limit} jobs are queued or running; try again later",
            )
        log("job", job=job.id, tenant=self.tenant, kind=self.kind, state="queued", attempt=0)
        self.service.dispatcher.wake()
        return _job_view(job)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _capped(service: Service, seconds: float | None) -> float | None:
    return None if seconds is None else min(seconds, service.settings.time_limit_cap)


def _job(service: Service, tenant: str, job_id: str) -> Job:
    job = service.store.job(job_id, tenant)
    if job is None:
        raise ApiError(404, "not_found", f"no job {job_id}")
    return job


def _done_run(service: Service, tenant: str, run_id: str) -> tuple[Job, dict[str, Any]]:
    job = _job(service, tenant, run_id)
    if job.kind != "run":
        raise ApiError(409, "not_a_run", f"job {run_id} is a {job.kind}, not a run")
    if job.state != JobState.DONE:
        raise ApiError(409, "not_done", f"run {run_id} is {job.state.value}, not done")
    job_file: dict[str, Any] = json.loads(
        (service.layout.job(tenant, run_id) / "job.json").read_text("utf-8")
    )
    return job, job_file


def _draft(service: Service, tenant: str, kind: str) -> _JobDraft:
    if service.store.active_count() >= service.settings.queue_limit:  # before any work
        raise ApiError(
            429,
            "queue_full",
            f"{service.settings.queue_limit} jobs are queued or running; try again later",
        )
    try:
        return _JobDraft(service, tenant, kind)
    except OSError as exc:
        raise ApiError(507, "storage", f"cannot keep the job: {exc.strerror or exc}") from None


def _with_draft(draft: _JobDraft, build: Callable[[], schemas.JobView]) -> schemas.JobView:
    try:
        return build()
    except OSError as exc:
        draft.discard()
        raise ApiError(507, "storage", f"cannot keep the job: {exc.strerror or exc}") from None
    except BaseException:
        if (
            not draft.folder.joinpath("job.json").exists()
            or draft.service.store.job(draft.id) is None
        ):
            draft.discard()
        raise


def _install_routes(app: FastAPI) -> None:
    @app.get(f"{API}/health", tags=["service"])
    def health() -> schemas.Health:
        """Is the process up (no token needed)."""
        return schemas.Health(status="ok", version=__version__)

    @app.get(f"{API}/ready", tags=["service"], responses={503: {"model": schemas.Readiness}})
    def ready(service: ServiceDep) -> Response:
        """Can it take work: the store answers and the dispatcher runs (no token needed)."""
        store_ok = False
        try:
            store_ok = service.store.ping()
        except Exception:
            store_ok = False
        body = schemas.Readiness(
            ready=store_ok and service.dispatcher.alive(),
            store=store_ok,
            dispatcher=service.dispatcher.alive(),
            workers=service.settings.workers,
            running=service.dispatcher.running,
            queued_or_running=service.store.active_count() if store_ok else 0,
            queue_limit=service.settings.queue_limit,
        )
        return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)

    @app.get(f"{API}/rulesets", tags=["catalogue"])
    def rulesets(service: ServiceDep, tenant: TenantDep) -> list[schemas.NamedFile]:
        """The shipped rule sets, by name."""
        return [
            schemas.NamedFile(name=n, sha256=digest(p))
            for n, p in service.catalogue.rulesets.items()
        ]

    @app.get(f"{API}/specs", tags=["catalogue"])
    def specs(service: ServiceDep, tenant: TenantDep) -> list[schemas.NamedFile]:
        """The shipped model specs, by name."""
        return [
            schemas.NamedFile(name=n, sha256=digest(p)) for n, p in service.catalogue.specs.items()
        ]

    for kind in ("case", "plan"):
        _upload_routes(app, kind)

    @app.post(f"{API}/runs", status_code=202, tags=["jobs"], responses=ERRORS)
    def start_run(
        body: schemas.RunRequest, service: ServiceDep, tenant: TenantDep
    ) -> schemas.JobView:
        """Start ``allocator run`` on an uploaded case."""
        case = _upload(service, tenant, "case", body.case_id)
        draft = _draft(service, tenant, "run")

        def build() -> schemas.JobView:
            rules, model, record = draft.inputs(body)
            params = body.model_dump(exclude={"rules_yaml", "model_yaml"}) | record
            params["time_limit"] = _capped(service, body.time_limit)
            options = body.model_dump(include={"relax", "excel_csv", "xlsx", "notice", "lang"})
            return draft.submit(
                {
                    "case": str(_upload_path(service, case)),
                    "rules": rules,
                    "model": model,
                    "options": options,
                },
                params,
            )

        return _with_draft(draft, build)

    @app.post(f"{API}/checks", status_code=202, tags=["jobs"], responses=ERRORS)
    def start_check(
        body: schemas.CheckRequest, service: ServiceDep, tenant: TenantDep
    ) -> schemas.JobView:
        """Start ``allocator check`` (validate without solving)."""
        case = _upload(service, tenant, "case", body.case_id)
        draft = _draft(service, tenant, "check")

        def build() -> schemas.JobView:
            rules, model, record = draft.inputs(body)
            params = body.model_dump(exclude={"rules_yaml", "model_yaml"}) | record
            return draft.submit(
                {"case": str(_upload_path(service, case)), "rules": rules, "model": model}, params
            )

        return _with_draft(draft, build)

    @app.post(f"{API}/comparisons", status_code=202, tags=["jobs"], responses=ERRORS)
    def start_compare(
        body: schemas.CompareRequest, service: ServiceDep, tenant: TenantDep
    ) -> schemas.JobView:
        """Start ``allocator compare``: scenarios on one case, the first the baseline."""
        case = _upload(service, tenant, "case", body.case_id)
        names = [s.name for s in body.scenarios]
        if len(set(names)) != len(names):
            raise ApiError(422, "invalid_request", "scenario names must be unique")
        draft = _draft(service, tenant, "compare")

        def build() -> schemas.JobView:
            scenarios, records = [], []
            for s in body.scenarios:
                rules, model, record = draft.inputs(s, prefix=f"scenarios/{s.name}/")
                scenarios.append({"name": s.name, "rules": rules, "model": model})
                records.append({"name": s.name, **record})
            params = {
                "case_id": body.case_id,
                "scenarios": records,
                "time_limit": _capped(service, body.time_limit),
            }
            return draft.submit(
                {"case": str(_upload_path(service, case)), "scenarios": scenarios}, params
            )

        return _with_draft(draft, build)

    @app.post(f"{API}/explanations", status_code=202, tags=["jobs"], responses=ERRORS)
    def start_explain(
        body: schemas.ExplainRequest, service: ServiceDep, tenant: TenantDep
    ) -> schemas.JobView:
        """Start ``allocator explain`` on a finished run (its case, rules and spec)."""
        run, run_file = _done_run(service, tenant, body.run_id)
        draft = _draft(service, tenant, "explain")
        subject, key = body.subject()

        def build() -> schemas.JobView:
            params = {"run_id": run.id, "subject": subject, "key": key}
            return draft.submit(
                {
                    "case": run_file["case"],
                    "rules": run_file.get("rules"),
                    "model": run_file.get("model"),
                    "plan": str(service.layout.result(tenant, run.id)),
                    "subject": subject,
                    "key": key,
                },
                params,
            )

        return _with_draft(draft, build)

    @app.post(f"{API}/verifications", status_code=202, tags=["jobs"], responses=ERRORS)
    def start_verify(
        body: schemas.VerifyRequest, service: ServiceDep, tenant: TenantDep
    ) -> schemas.JobView:
        """Start ``allocator verify``: a finished run's plan, or an uploaded one."""
        defaults: dict[str, Any] = {}
        if body.run_id is not None:
            run, defaults = _done_run(service, tenant, body.run_id)
            plan = str(service.layout.result(tenant, run.id))
        else:
            assert body.plan_id is not None
            plan = str(_upload_path(service, _upload(service, tenant, "plan", body.plan_id)))
        case_path = (
            str(_upload_path(service, _upload(service, tenant, "case", body.case_id)))
            if body.case_id is not None
            else defaults["case"]
        )
        draft = _draft(service, tenant, "verify")

        def build() -> schemas.JobView:
            rules, model, record = draft.inputs(body)
            if body.rules is None and body.rules_yaml is None and defaults:
                rules, record["rules"] = defaults.get("rules"), "(the run's)"
            if body.model is None and body.model_yaml is None and defaults:
                model, record["model"] = defaults.get("model"), "(the run's)"
            params = body.model_dump(exclude={"rules_yaml", "model_yaml"}) | record
            return draft.submit(
                {"case": case_path, "rules": rules, "model": model, "plan": plan}, params
            )

        return _with_draft(draft, build)

    @app.get(f"{API}/jobs", tags=["jobs"])
    def list_jobs(service: ServiceDep, tenant: TenantDep) -> list[schemas.JobView]:
        """This tenant's latest 100 jobs, newest first."""
        return [_job_view(j) for j in service.store.jobs(tenant)]

    @app.get(f"{API}/jobs/{{job_id}}", tags=["jobs"], responses=ERRORS)
    def get_job(job_id: JobIdParam, service: ServiceDep, tenant: TenantDep) -> schemas.JobView:
        """A job's state: queued, running (phase, incumbent, bound, gap), done, failed
        (the CLI's message and location) or cancelled."""
        return _job_view(_job(service, tenant, job_id))

    @app.post(f"{API}/jobs/{{job_id}}/cancel", status_code=202, tags=["jobs"], responses=ERRORS)
    def cancel_job(job_id: JobIdParam, service: ServiceDep, tenant: TenantDep) -> schemas.JobView:
        """Cancel a queued job at once, or a running one within a moment."""
        job = _job(service, tenant, job_id)
        if job.state.final:
            raise ApiError(409, "finished", f"job {job_id} is already {job.state.value}")
        state = service.store.request_cancel(job_id)
        if state == JobState.CANCELLED:
            log(
                "job",
                job=job_id,
                tenant=tenant,
                kind=job.kind,
                state="cancelled",
                attempt=job.attempts,
            )
        service.dispatcher.wake()
        return _job_view(_job(service, tenant, job_id))

    @app.get(f"{API}/jobs/{{job_id}}/files", tags=["jobs"], responses=ERRORS)
    def list_files(
        job_id: JobIdParam, service: ServiceDep, tenant: TenantDep
    ) -> list[schemas.FileView]:
        """The files a finished job wrote (allocations.csv, summary.json, ...)."""
        folder = _result(service, tenant, job_id)
        return [
            schemas.FileView(
                name=p.relative_to(folder).as_posix(),
                bytes=p.stat().st_size,
                url=f"{API}/jobs/{job_id}/files/{p.relative_to(folder).as_posix()}",
            )
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()
        ]

    @app.get(
        f"{API}/jobs/{{job_id}}/files/{{name:path}}",
        tags=["jobs"],
        responses={**ERRORS, 200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
        response_class=FileResponse,
    )
    def get_file(
        job_id: JobIdParam, name: str, service: ServiceDep, tenant: TenantDep
    ) -> FileResponse:
        """One file of a finished job."""
        folder = _result(service, tenant, job_id)
        parts = Path(name).parts
        if not parts or any(p in ("..", "") or p.startswith("/") for p in parts):
            raise ApiError(404, "not_found", f"no file '{name}'")
        path = folder.joinpath(*parts)
        if (
            path.is_symlink()
            or not path.is_file()
            or folder.resolve() not in path.resolve().parents
        ):
            raise ApiError(404, "not_found", f"no file '{name}'")
        media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return FileResponse(path, media_type=media)


def _result(service: Service, tenant: str, job_id: str) -> Path:
    job = _job(service, tenant, job_id)
    if job.state != JobState.DONE:
        raise ApiError(
            409, "not_done", f"job {job_id} is {job.state.value}; files come when it is done"
        )
    return service.layout.result(tenant, job_id)


def _upload_routes(app: FastAPI, kind: str) -> None:
    plural = f"{kind}s"
    what = (
        "a zip of a case folder, or a case workbook (.xlsx)"
        if kind == "case"
        else (
            "a zip of a run's output folder (allocations.csv ...), or a plan workbook (plan.xlsx)"
        )
    )

    async def upload(
        request: Request,
        service: ServiceDep,
        tenant: TenantDep,
        name: Annotated[
            str | None,
            Query(
                min_length=1,
                max_length=100,
                description="the case's folder name [default: the zip's top folder]",
            ),
        ] = None,
    ) -> Response:
        data = await _body(request, service.settings.max_upload_bytes)
        stored = await run_in_threadpool(_store_upload, service, tenant, kind, data, name)
        return JSONResponse(_upload_view(stored).model_dump(), status_code=201)

    upload.__doc__ = f"Upload {what}; answers its id (a content hash)."
    app.post(
        f"{API}/{plural}",
        status_code=201,
        tags=["uploads"],
        responses={**ERRORS, 201: {"model": schemas.UploadView}},
        openapi_extra={"requestBody": {"required": True, "content": UPLOAD_TYPES}},
        name=f"upload_{kind}",
    )(upload)

    def listing(service: ServiceDep, tenant: TenantDep) -> list[schemas.UploadView]:
        return [_upload_view(u) for u in service.store.uploads(tenant, kind)]

    listing.__doc__ = f"This tenant's uploaded {plural}."
    app.get(f"{API}/{plural}", tags=["uploads"], name=f"list_{plural}")(listing)

    def one(upload_id: UploadIdParam, service: ServiceDep, tenant: TenantDep) -> schemas.UploadView:
        return _upload_view(_upload(service, tenant, kind, upload_id))

    one.__doc__ = f"One uploaded {kind}."
    app.get(
        f"{API}/{plural}/{{upload_id}}", tags=["uploads"], responses=ERRORS, name=f"get_{kind}"
    )(one)
