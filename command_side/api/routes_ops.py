"""Liveness, readiness (the database answers) and Prometheus metrics."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text

from command_side.api.deps import StateDep
from command_side.api.errors import RETRY_AFTER_SECONDS
from infra.http.errors import error_response

router = APIRouter(tags=["operations"])
READY_TIMEOUT_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (says nothing about the database)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "the database is unreachable"}})
async def readyz(state: StateDep) -> Response:
    """Ready when the write model answers within 2 s; 503 with Retry-After otherwise."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            async with state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means: not ready
        return error_response(
            503,
            "database_unavailable",
            "the write model is unreachable",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    return Response(b'{"status":"ready"}', media_type="application/json")


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus exposition of this process's metrics."""
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
