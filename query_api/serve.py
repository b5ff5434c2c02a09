"""Serving the query API, in one process or several.

Several processes (``workers``) are how the API uses more than one core. Each
builds its own app: its own pool, LISTEN connection, versions in memory and
body cache; they share nothing and need no coordination (every process serves
exactly, from its own view of the projectors' notices). Size
``BOXOFFICE_QUERY_POOL_SIZE`` so that ``workers`` x 2 x pool (+1 each) stays
under the server's ``max_connections``.

uvicorn picks uvloop and httptools when they are installed (``uvicorn[standard]``).
"""

import os

from fastapi import FastAPI

from infra.telemetry import configure_tracing
from query_api.app import create_app
from query_api.settings import QueryApiSettings

# How a worker process learns the settings the parent was given on the command line.
_SETTINGS_ENV = "BOXOFFICE_QUERY_SETTINGS_JSON"
WORKER_HEALTHCHECK_SECONDS = 60


def app_from_environment() -> FastAPI:
    """The app with the parent's settings and the local services (uvicorn ``--factory`` target)."""
    from infra.services import resolve_services  # noqa: PLC0415  (not needed by importers of serve())

    configure_tracing("boxoffice-query-api")  # each server process, before its app (OTEL_* variables)
    raw = os.environ.get(_SETTINGS_ENV)
    settings = QueryApiSettings.model_validate_json(raw) if raw else QueryApiSettings()
    return create_app(settings, resolve_services().settings)


def serve(settings: QueryApiSettings, *, workers: int = 1, log_level: str = "info") -> None:
    """Serve until interrupted; ``workers`` > 1 runs that many processes on one socket."""
    import uvicorn  # noqa: PLC0415

    if workers > 1:
        os.environ[_SETTINGS_ENV] = settings.model_dump_json()
    # several workers need an import string: each process builds its own app
    target = "query_api.serve:app_from_environment" if workers > 1 else app_from_environment_with(settings)
    uvicorn.run(
        target,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        # A worker process answers the supervisor's health pings only once its imports are done:
        # on a loaded machine that takes longer than uvicorn's 5 s default, which would kill and
        # restart every worker in a loop.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def app_from_environment_with(settings: QueryApiSettings) -> FastAPI:
    from infra.services import resolve_services  # noqa: PLC0415

    configure_tracing("boxoffice-query-api")
    return create_app(settings, resolve_services().settings)
