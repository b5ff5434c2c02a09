"""``boxoffice query-api``: the read-only query API (FastAPI under uvicorn)."""

from typing import Annotated

import typer


def query_api(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="Port (default 8002).")] = None,
    read_schema: Annotated[
        str | None, typer.Option(help="Schema of the read views (default read; tests use private ones).")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve shows, availability, seat maps, the dashboard and projection status over HTTP."""
    # Imported here so that other ``boxoffice`` commands do not load FastAPI and uvicorn.
    import uvicorn

    from infra.services import resolve_services
    from query_api.app import create_app
    from query_api.settings import QueryApiSettings

    overrides = {k: v for k, v in {"host": host, "port": port, "read_schema": read_schema}.items() if v}
    settings = QueryApiSettings(**overrides)  # type: ignore[arg-type]
    services = resolve_services()
    app = create_app(settings, services.settings)
    # One process, one event loop: the per-process LISTEN connection and body cache
    # are shared by all requests; scale out with more processes behind a balancer.
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=log_level, access_log=False, lifespan="on"
    )
