"""Serving the query API, in one process or several.

Several processes (``workers``) are how the API uses more than one core. Each
builds its own app: its own pool, LISTEN connection, versions in memory and
body cache; they share nothing and need no coordination (every process serves
exactly, from its own view of the projectors' notices). Size
``BOXOFFICE_QUERY_POOL_SIZE`` so that ``workers`` x 2 x pool (+1 each) stays
under the server's ``max_connections``.

How a process is served is ``infra.http.serving``'s, the same for both APIs.
"""

import os

from fastapi import FastAPI

from infra.http.serving import serve_api
from infra.telemetry import configure_tracing
from query_api.app import create_app
from query_api.settings import QueryApiSettings

# How a worker process learns the settings the parent was given on the command line.
_SETTINGS_ENV = "BOXOFFICE_QUERY_SETTINGS_JSON"


def app_from_environment() -> FastAPI:
    """The app with the parent's settings and the local services (uvicorn ``--factory`` target)."""
    raw = os.environ.get(_SETTINGS_ENV)
    return app_from_environment_with(QueryApiSettings.model_validate_json(raw) if raw else QueryApiSettings())


def app_from_environment_with(settings: QueryApiSettings) -> FastAPI:
    """The app with ``settings`` and the local services, tracing configured for this process."""
    from infra.services import resolve_services  # noqa: PLC0415  (not needed by importers of serve())

    configure_tracing("boxoffice-query-api")  # each server process, before its app (OTEL_* variables)
    return create_app(settings, resolve_services().settings)


def serve(settings: QueryApiSettings, *, workers: int = 1, log_level: str = "info") -> None:
    """Serve until interrupted; ``workers`` > 1 runs that many processes on one socket."""
    if workers > 1:
        os.environ[_SETTINGS_ENV] = settings.model_dump_json()
    # several workers need an import string: each process builds its own app
    target = "query_api.serve:app_from_environment" if workers > 1 else app_from_environment_with(settings)
    serve_api(target, host=settings.host, port=settings.port, workers=workers, log_level=log_level)
