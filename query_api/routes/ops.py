"""Liveness, readiness and metrics."""

import logging

import orjson
from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.responses import Response

from query_api.database import server_role, snapshot
from query_api.readers.status import missing_views, projection_status
from query_api.routes.params import StateDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


def _json(status: int, body: dict[str, object]) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/healthz")
async def healthz() -> Response:
    """The process is up and serving HTTP."""
    return _json(200, {"status": "ok"})


@router.get("/readyz")
async def readyz(state: StateDep) -> Response:
    """Ready when the database answers, the read views are live and no live projection is stalled
    (lag with no checkpoint for ``ready_max_stall_seconds``). Says whether the database is the
    ``primary`` or a ``replica`` (hot standby), and then its replay lag in seconds."""
    database: dict[str, object] = {"database": "ok"}
    try:
        async with snapshot(state.engine) as conn:
            role, lag = await server_role(conn)  # also the check that the database answers
            database["database_role"] = role
            if role == "replica":
                database["replica_lag_seconds"] = lag
            missing = await missing_views(conn, state.views)
            status = await projection_status(
                conn, state.views, state.end_offsets, state.settings.ready_max_stall_seconds
            )
    except (OperationalError, OSError) as error:
        log.warning("readiness: database unreachable: %s", error)
        return _json(503, {"status": "unavailable", "database": "unreachable"})
    except DBAPIError as error:
        log.warning("readiness: read model not readable: %s", str(error.orig or error).splitlines()[0])
        return _json(503, {"status": "unavailable", **database, "read_model": "unreadable"})
    checks = {
        **database,
        "listener": "ok" if state.listener.connected else "reconnecting",
        "versions": "memory" if state.tracker.synced else "database",
    }
    if missing:
        return _json(503, {"status": "unavailable", **checks, "missing_views": missing})
    stalled = [p.projection for p in status if p.state == "stalled"]
    if stalled:
        return _json(503, {"status": "unavailable", **checks, "stalled_projections": stalled})
    return _json(200, {"status": "ready", **checks})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus exposition of this process's request metrics."""
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
