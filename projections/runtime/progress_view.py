"""``projection_progress``: the view of a views schema that publishes the projections' progress.

It lists every version registered for its views schema (``projection_meta.versions``)
with the live version's progress, which ``projection_meta.version_progress`` (a
read migration) reads from the version's runtime tables when the view is queried,
with the reader's privileges (NULL where it may not read them). Nothing in it
names a version schema: a swap leaves it as it is, and dropping a retired version
cannot drop it. Columns and their order are those of ``contracts.read_model``.
"""

from typing import Any

from psycopg import AsyncConnection

from contracts.read_model import PROJECTION_PROGRESS, REGISTRY_SCHEMA
from projections.runtime.sql import ident

_FIGURES = ("position", "last_checkpoint_at", "dlq_count")


def _progress_view_select(views_schema: str) -> str:
    """The SELECT of ``projection_progress``, in the columns' agreed order."""
    registry = ident(REGISTRY_SCHEMA)
    progress = f"{registry}.version_progress(v.schema_name, v.state)"
    names = PROJECTION_PROGRESS.column_names
    registered = [f"v.{ident(name)}" for name in names if name not in _FIGURES]
    figures = [f"({progress}).{ident(name)}" for name in names if name in _FIGURES]
    literal = "'" + views_schema.replace("'", "''") + "'"
    return (
        f"SELECT {', '.join(registered + figures)} FROM {registry}.versions AS v"
        f" WHERE v.views_schema = {literal}"
    )


async def publish_progress_view(conn: AsyncConnection[Any], views_schema: str) -> None:
    """Create ``projection_progress`` in ``views_schema`` if missing; the caller holds the schema's lock."""
    cur = await conn.execute(
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = %s AND c.relkind = 'v'",
        (views_schema, PROJECTION_PROGRESS.name),
    )
    if await cur.fetchone() is None:
        name = f"{ident(views_schema)}.{ident(PROJECTION_PROGRESS.name)}"
        await conn.execute(f"CREATE VIEW {name} AS {_progress_view_select(views_schema)}")
