"""Projection status and readiness, from the ``projection_progress`` view and the read views."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.read_model import WATERMARK_VIEWS
from query_api.kafka_offsets import EndOffsets
from query_api.models import ProjectionPublic, ProjectionVersionPublic
from query_api.views import ReadViews

# The views the query API serves from; each projection creates its own.
REQUIRED_VIEWS = tuple(WATERMARK_VIEWS.values())


@dataclass(frozen=True, slots=True)
class Progress:
    """The live version's topic and progress; None where the reader may not read them."""

    topic: str
    position: int | None
    last_checkpoint_at: datetime | None
    dlq_count: int | None


async def projection_status(
    conn: AsyncConnection, views: ReadViews, end_offsets: EndOffsets, stall_after_s: float
) -> list[ProjectionPublic]:
    """Every projection registered for this read schema, with its versions, newest first.

    The live version's position is the sum of its checkpointed next offsets and
    its lag the topic's end offsets minus that; a live version with lag whose
    last checkpoint is older than ``stall_after_s`` is reported ``stalled``.
    """
    v = views.projection_progress
    rows = await conn.execute(select(v).order_by(v.c.projection, v.c.version.desc()))
    by_projection: dict[str, list[ProjectionVersionPublic]] = defaultdict(list)
    live_progress: dict[str, Progress] = {}
    for row in rows:
        mapping = dict(row._mapping)
        name, topic = mapping.pop("projection"), mapping.pop("topic")
        progress = Progress(
            topic, mapping.pop("position"), mapping.pop("last_checkpoint_at"), mapping.pop("dlq_count")
        )
        version = ProjectionVersionPublic.model_validate(mapping)
        by_projection[name].append(version)
        if version.state == "live":
            live_progress[name] = progress
    result = []
    for name, versions in by_projection.items():
        live = next((ver for ver in versions if ver.state == "live"), None)
        if live is None:
            result.append(
                ProjectionPublic(projection=name, active_version=None, state=versions[0].state, position=None,
                                 lag=None, last_checkpoint_at=None, dlq_count=None, versions=versions)
            )  # fmt: skip
            continue
        progress = live_progress[name]
        end = await end_offsets.total(progress.topic)
        lag = None if end is None or progress.position is None else max(0, end - progress.position)
        stalled = bool(lag) and _older_than(progress.last_checkpoint_at, stall_after_s)
        result.append(
            ProjectionPublic(
                projection=name,
                active_version=live.version,
                state="stalled" if stalled else "live",
                position=progress.position,
                lag=lag,
                last_checkpoint_at=progress.last_checkpoint_at,
                dlq_count=progress.dlq_count,
                versions=versions,
            )
        )
    return result


def _older_than(moment: datetime | None, seconds: float) -> bool:
    return moment is None or (datetime.now(UTC) - moment).total_seconds() > seconds


async def missing_views(conn: AsyncConnection, views: ReadViews) -> list[str]:
    """The required read views that do not exist (no live version has created them yet)."""
    names = [f"{views.read_schema}.{name}" for name in REQUIRED_VIEWS]
    found = (await conn.execute(select(*[func.to_regclass(n) for n in names]))).one()
    return [name for name, oid in zip(names, found, strict=True) if oid is None]
