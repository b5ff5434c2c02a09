"""Projection status and readiness, from the version registry and the read views."""

from collections import defaultdict

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.models import ProjectionPublic, ProjectionVersionPublic
from query_api.views import ReadViews

# The views the query API serves from; each projection creates its own.
REQUIRED_VIEWS = ("seat_availability_watermarks", "dashboard_watermarks")


async def projection_status(conn: AsyncConnection, views: ReadViews) -> list[ProjectionPublic]:
    """Every projection registered for this read schema, with its versions, live one first."""
    v = views.versions
    rows = await conn.execute(
        select(
            v.c.projection,
            v.c.version,
            v.c.state,
            v.c.schema_name,
            v.c.consumer_group,
            v.c.created_at,
            v.c.activated_at,
        )
        .where(v.c.views_schema == views.read_schema)
        .order_by(v.c.projection, v.c.version.desc())
    )
    by_projection: dict[str, list[ProjectionVersionPublic]] = defaultdict(list)
    for row in rows:
        mapping = dict(row._mapping)
        by_projection[mapping.pop("projection")].append(ProjectionVersionPublic.model_validate(mapping))
    result = []
    for name, versions in by_projection.items():
        live = next((ver for ver in versions if ver.state == "live"), None)
        result.append(
            ProjectionPublic(
                projection=name,
                active_version=live.version if live else None,
                state="live" if live else (versions[0].state if versions else "missing"),
                position=None,
                lag=None,
                last_checkpoint_at=None,
                dlq_count=None,
                versions=versions,
            )
        )
    return result


async def missing_views(conn: AsyncConnection, views: ReadViews) -> list[str]:
    """The required read views that do not exist (no live version has created them yet)."""
    names = [f"{views.read_schema}.{name}" for name in REQUIRED_VIEWS]
    found = (await conn.execute(select(*[func.to_regclass(n) for n in names]))).one()
    return [name for name, oid in zip(names, found, strict=True) if oid is None]


async def ping(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT 1"))
