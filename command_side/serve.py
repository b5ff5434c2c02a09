"""Serving the command API, in one process or several.

Several processes (``workers``) are how the API uses more than one core: a
hold costs a couple of milliseconds of Python CPU, so one process tops out at a
few hundred commands per second. Every guarantee of a command lives in its
database transaction (row locks, the idempotency key's row, the stream bump),
so processes share nothing and need no coordination. Each process has its own
pool of ``BOXOFFICE_DB_POOL_SIZE`` (+ overflow) connections: size it so that
``workers`` x pool stays under the server's ``max_connections``.

uvicorn picks uvloop and httptools when they are installed (``uvicorn[standard]``).
"""

from fastapi import FastAPI

from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from infra.telemetry import configure_tracing

WORKER_HEALTHCHECK_SECONDS = 60


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
    import uvicorn  # noqa: PLC0415

    target = "command_side.serve:app_from_environment" if workers > 1 else app_from_environment()
    # several workers need an import string: each process builds its own app (and pool)
    uvicorn.run(
        target,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        # A worker process answers the supervisor's health pings only once its imports are done:
        # on a loaded machine that takes longer than uvicorn's 5 s default, which would kill and
        # restart every worker in a loop.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
