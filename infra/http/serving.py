"""Serving an API with uvicorn, in one process or several, the same way for every API.

Several processes (``workers``) are how an API uses more than one core: each
builds its own app (pool, caches, listeners) from an import string, so they
share nothing but the socket. The access log is off (the metrics middleware
counts every request); uvicorn picks uvloop and httptools when they are
installed (``uvicorn[standard]``).
"""

from fastapi import FastAPI

# A worker process answers the supervisor's health pings only once its imports are done: on a
# loaded machine that takes longer than uvicorn's 5 s default, which would kill and restart every
# worker in a loop.
WORKER_HEALTHCHECK_SECONDS = 60


def serve_api(
    target: FastAPI | str, *, host: str, port: int, workers: int = 1, log_level: str = "info"
) -> None:
    """Serve until interrupted: ``target`` is the app itself, or the ``module:function`` building it.

    ``workers`` > 1 needs the import string (uvicorn ``--factory``): each process calls it.
    """
    import uvicorn  # noqa: PLC0415  (not needed by importers of the APIs' serve modules)

    if workers > 1 and not isinstance(target, str):
        raise ValueError("several workers need the import string of the app's factory")
    uvicorn.run(
        target,
        factory=isinstance(target, str),
        workers=workers if workers > 1 else None,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
