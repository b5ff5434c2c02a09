"""Cheap versions of read resources, from which ETags and cache keys are derived.

A projection applies each event to its rows and to the show's watermark in one
transaction, so within one live projection version the watermarks identify the
state of the rows: a show's seq for its own resources, the sum of every show's
seq for resources that span all shows. The live version number is part of the
version because a replay swaps in new tables at the same watermarks.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ScalarSelect, Table, Text, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.views import ReadViews


def _live_versions(views: ReadViews) -> ScalarSelect[Any]:
    """Every live version serving this read schema, e.g. ``dashboard@2,seat_availability@1``.

    Selected by views schema rather than projection name, since test runs
    register projections under unique names; a swap of any of them changes it.
    """
    v = views.versions
    label = v.c.projection.concat("@").concat(cast(v.c.version, Text))
    return (
        select(func.coalesce(func.string_agg(label, aggregate_order_by(literal(","), label)), ""))
        .where(v.c.state == "live", v.c.views_schema == views.read_schema)
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class ShowVersion:
    """The live versions serving a show's rows and the show's watermark in them."""

    live: str
    seq: int

    def __str__(self) -> str:
        return f"{self.live}:{self.seq}"


async def show_version(
    conn: AsyncConnection, views: ReadViews, watermarks: Table, show_id: UUID
) -> ShowVersion | None:
    """The version of one show's rows, or None when the projection has not seen the show."""
    query = select(watermarks.c.seq, _live_versions(views)).where(watermarks.c.show_id == show_id)
    row = (await conn.execute(query)).first()
    return None if row is None else ShowVersion(str(row[1]), int(row[0]))


async def all_shows_version(conn: AsyncConnection, views: ReadViews, watermarks: Table) -> str:
    """``live-versions:shows:sum-of-seq``: changes whenever any show's rows change."""
    query = select(_live_versions(views), func.count(), func.coalesce(func.sum(watermarks.c.seq), 0))
    row = (await conn.execute(query)).one()
    return f"{row[0]}:{row[1]}:{row[2]}"


async def watermark(conn: AsyncConnection, watermarks: Table, show_id: UUID) -> int | None:
    """The seq up to which the projection has applied the show's events, None if none yet."""
    value = await conn.scalar(select(watermarks.c.seq).where(watermarks.c.show_id == show_id))
    return None if value is None else int(value)
