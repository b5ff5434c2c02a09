"""Telling readers that a batch committed: NOTIFY after COMMIT, with the commit's WAL position.

Guarantees:
- Sent only after the batch's COMMIT, so a reader is never told of a batch
  that did not commit; on the primary a reader told seq N for a show finds at
  least N there. A batch commits in pipeline mode (``batch``): the notice is
  queued right behind its COMMIT in the same flight, and PostgreSQL runs it
  only once the COMMIT is done (and skips it if the COMMIT failed, as it skips
  everything up to the next sync after an error).
- Carries ``lsn``, a primary WAL position at or past the end of the batch's
  commit record, read by the same statement that sends the notice
  (``contracts.progress`` explains why it must be read after COMMIT): a reader
  on a hot standby claims the batch only once the standby has replayed it.
- One statement, in a transaction of its own: NOTIFY writes no WAL of its own,
  so that transaction's commit does not wait for a flush.

Not atomic with the batch: a projector that dies between the two leaves its
readers a notice short. They stay correct (what they hold in memory is a lower
bound, and a read with a token asks the database before giving up) until the
next notice of those shows or their next re-read.
"""

from typing import Any

from psycopg import AsyncConnection

from contracts.progress import PROGRESS_CHANNEL, lsn_splice

# A synchronous commit returns once the WAL is flushed past its record: the flush position is the
# tightest bound, and WAL a standby can already receive. An asynchronous commit's record may not be
# flushed yet: such a session sends the insert position, past every record written so far.
_NOTIFY_WITH_LSN = (
    "SELECT pg_notify(%s, %s || (CASE WHEN current_setting('synchronous_commit') = 'off'"
    " THEN pg_current_wal_insert_lsn() ELSE pg_current_wal_flush_lsn() END)::text || %s)"
)


async def announce_committed(conn: AsyncConnection[Any], payload: str) -> None:
    """Send ``payload`` (a ``contracts.progress`` notice) with the commit's LSN; ``conn`` is in
    autocommit mode and outside any transaction (the batch's has just committed, or its COMMIT is
    the statement queued before this one in the same pipeline)."""
    head, tail = lsn_splice(payload)
    await conn.execute(_NOTIFY_WITH_LSN, (PROGRESS_CHANNEL, head, tail))
