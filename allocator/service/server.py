"""Running the service under uvicorn (one server process; solves run in worker processes)."""

from __future__ import annotations

from allocator.service.api import create_app
from allocator.service.logs import configure, log
from allocator.service.settings import ServiceSettings


def serve(settings: ServiceSettings, host: str, port: int) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM stops the workers; their jobs run at next start)."""
    import uvicorn

    configure()
    log("listening", url=f"http://{host}:{port}", docs=f"http://{host}:{port}/docs")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,  # our JSON lines only
        access_log=False,  # one request line comes from our middleware
        timeout_graceful_shutdown=10,
    )
