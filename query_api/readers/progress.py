"""Progress of a projection version from its runtime tables (checkpoints, dead letters).

Those tables live in the version's own schema; the reader role may not be
allowed to read them, in which case progress is reported as unknown rather
than failing the request (privileges are checked first, since a refused
SELECT would abort the snapshot's transaction).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True, slots=True)
class Progress:
    position: int | None = None
    last_checkpoint_at: datetime | None = None
    dlq_count: int | None = None


# From the catalogs, which every role may read: resolving a name in a schema without
# USAGE (to_regclass) would itself be refused and abort the transaction.
_READABLE = text(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = :schema AND c.relname = :table"
    " AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'))"
)


async def _readable(conn: AsyncConnection, schema: str, table: str) -> bool:
    return bool(await conn.scalar(_READABLE, {"schema": schema, "table": table}))


def _quoted(schema: str, table: str) -> str:
    return '"' + schema.replace('"', '""') + '".' + table


async def version_progress(conn: AsyncConnection, schema_name: str) -> Progress:
    """Sum of next offsets, latest checkpoint time and open dead letters of one version."""
    checkpoints, letters = _quoted(schema_name, "checkpoints"), _quoted(schema_name, "dead_letters")
    position = last = dlq = None
    if await _readable(conn, schema_name, "checkpoints"):
        row = (await conn.execute(text(f"SELECT sum(next_offset), max(updated_at) FROM {checkpoints}"))).one()
        position, last = int(row[0] or 0), row[1]
    if await _readable(conn, schema_name, "dead_letters"):
        dlq = int(await conn.scalar(text(f"SELECT count(*) FROM {letters} WHERE redriven_at IS NULL")) or 0)
    return Progress(position, last, dlq)
