"""Serving the command API, in one process or several.

Several processes (``workers``) are how the API uses more than one core: a
hold costs a couple of milliseconds of Python CPU, so one process tops out at a
few hundred commands per second. Every guarantee of a command lives in its
database transaction (row locks, the idempotency key's row, the stream bump),
so processes share nothing and need no coordination. Each process has its own
pool of ``BOXOFFICE_DB_POOL_SIZE`` (+ overflow) connections: size it so that
``workers`` x pool stays under the server's ``max_connections``.

How a process is served is ``infra.http.serving``'s, the same for both APIs.
"""

from fastapi import FastAPI

from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from infra.http.serving import serve_api
from infra.telemetry import configure_tracing


def app_from_environment() -> FastAPI:
    """The app with settings from ``BOXOFFICE_*`` and the local services (uvicorn ``--factory`` target)."""
    from infra.services import resolve_services  # noqa: PLC0415  (not needed by importers of serve())

    configure_tracing("boxoffice-command-api")  # each server process, before its app (OTEL_* variables)
    services = resolve_services()
    return create_app(
        CommandSettings(
            database_url=services.database_url, kafka_bootstrap_servers=services.kafka_bootstrap_servers
        )
    )


def serve(*, host: str, port: int, workers: int = 1, log_level: str = "info") -> None:
    """Serve until interrupted; ``workers`` > 1 runs that many processes on one socket."""
    # several workers need an import string: each process builds its own app (and pool)
    target = "command_side.serve:app_from_environment" if workers > 1 else app_from_environment()
    serve_api(target, host=host, port=port, workers=workers, log_level=log_level)
