"""The baseline as an HTTP service: FastAPI under uvicorn, the query API's paths and JSON shapes.

``create_app(database_url, availability_ttl, dashboard_ttl)``: with TTLs of 0
every request computes (the "cold" baseline); with 60 s / 300 s it is the
replaced design as it ran. ``/floor/constant`` and ``/floor/pk/{show_id}`` are
the floors: the same stack returning a constant and doing one primary-key read.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from benchmarks.baseline import queries
from benchmarks.baseline.cache import TtlCache
from infra.db import sqlalchemy_url
from infra.settings import ApiKeySettings

JSON = "application/json"


class _Error(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> Response:
    return Response(orjson.dumps({"error": {"code": code, "message": message}}), status, media_type=JSON)


def create_app(
    database_url: str, availability_ttl: float, dashboard_ttl: float, api_keys: ApiKeySettings | None = None
) -> FastAPI:
    engine = create_async_engine(sqlalchemy_url(database_url), pool_size=10, max_overflow=10)
    cache, keys = TtlCache(), api_keys or ApiKeySettings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(title="compute-on-read baseline", lifespan=lifespan)

    @app.exception_handler(_Error)
    async def on_error(_: Request, exc: _Error) -> Response:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> Response:
        return _error(422, "invalid_request", "; ".join(str(e.get("msg")) for e in exc.errors()[:3]))

    async def run(work: Callable[[AsyncConnection], Awaitable[Any]]) -> bytes:
        async with engine.connect() as conn:
            return orjson.dumps(await work(conn))

    async def show_row(conn: AsyncConnection, show_id: UUID) -> Any:
        show = (await conn.execute(queries.SHOW, {"show_id": show_id})).first()
        if show is None:
            raise _Error(404, "show_not_found", f"no show {show_id}")
        return show

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    async def per_show(
        key: str, show_id: UUID, field: str, listing: Callable[[AsyncConnection], Awaitable[list[Any]]]
    ) -> Response:
        """``{"show_id", "seq", <field>: listing}`` of a show (404 if unknown), cached under ``key:show_id``
        for the availability TTL."""

        async def work(conn: AsyncConnection) -> Any:
            show = await show_row(conn, show_id)
            return {"show_id": show_id, "seq": show.stream_version, field: await listing(conn)}

        body = await cache.get(f"{key}:{show_id}", availability_ttl, lambda: run(work))
        return Response(body, media_type=JSON)

    @app.get("/v1/shows/{show_id}/availability")
    async def availability(show_id: UUID) -> Response:
        async def zones(conn: AsyncConnection) -> list[Any]:
            return [
                dict(z) for z in (await conn.execute(queries.AVAILABILITY, {"show_id": show_id})).mappings()
            ]

        return await per_show("availability", show_id, "zones", zones)

    @app.get("/v1/shows/{show_id}/seats")
    async def seats(show_id: UUID) -> Response:
        async def listed(conn: AsyncConnection) -> list[Any]:
            rows = (await conn.execute(queries.SEATS, {"show_id": show_id})).all()
            return [
                {"seat_id": r[0], "zone_id": r[1], "row": r[2], "number": r[3], "status": r[4]} for r in rows
            ]

        return await per_show("seats", show_id, "seats", listed)

    @app.get("/v1/dashboard")
    async def dashboard(request: Request) -> Response:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or keys.role_for(key.strip()) not in ("viewer", "operator"):
            raise _Error(401, "unauthorized", "a viewer or operator key is required")
        body = await cache.get("dashboard", dashboard_ttl, lambda: run(_dashboard))
        return Response(body, media_type=JSON)

    @app.get("/floor/constant")
    async def constant() -> Response:
        return Response(b'{"ok":true}', media_type=JSON)

    @app.get("/floor/pk/{show_id}")
    async def primary_key(show_id: UUID) -> Response:
        async def work(conn: AsyncConnection) -> Any:
            show = await show_row(conn, show_id)
            return {"show_id": show.show_id, "title": show.title, "seq": show.stream_version}

        return Response(await run(work), media_type=JSON)

    return app


async def _dashboard(conn: AsyncConnection) -> dict[str, Any]:
    """Every figure of the dashboard, aggregated now from the write tables."""
    totals = dict((await conn.execute(queries.TOTALS)).mappings().one())
    holds = (await conn.execute(queries.LIVE_HOLDS)).one()
    totals["live_holds"] = holds.live_holds
    totals["held_seats"] = totals.pop("pending_seats") + holds.seats
    shows = []
    for r in (await conn.execute(queries.BY_SHOW)).mappings():
        row = dict(r)
        row["occupancy_pct"] = round(100.0 * row["sold"] / row["capacity"], 2) if row["capacity"] else 0.0
        shows.append(row)

    async def rows(statement: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in (await conn.execute(statement)).mappings()]

    return {
        "totals": totals,
        "sales_by_day": await rows(queries.SALES_BY_DAY),
        "by_show": shows,
        "by_zone": await rows(queries.BY_ZONE),
        "by_referrer": await rows(queries.BY_REFERRER),
    }
