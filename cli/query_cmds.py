"""``boxoffice query-api``: the read-only query API (FastAPI under uvicorn), in one process or several."""

import os
from typing import Annotated

import typer


def query_api(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="Port (default 8002).")] = None,
    read_schema: Annotated[
        str | None, typer.Option(help="Schema of the read views (default read; tests use private ones).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes sharing the port (default: the machine's cores)."),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve shows, availability, seat maps, the dashboard and projection status over HTTP."""
    # Imported here so that other ``boxoffice`` commands do not load FastAPI and uvicorn.
    from query_api.serve import serve
    from query_api.settings import QueryApiSettings

    overrides = {k: v for k, v in {"host": host, "port": port, "read_schema": read_schema}.items() if v}
    settings = QueryApiSettings(**overrides)  # type: ignore[arg-type]
    # Each process has its own LISTEN connection, versions in memory and body cache.
    serve(settings, workers=workers or os.cpu_count() or 1, log_level=log_level)
