"""Reading one show's stream from the outbox (the event store), for operators.

Read only: keyset pages by ``(show_id, seq)`` over the outbox's unique index,
each page its own short autocommit query, so a stream of any length is read in
constant memory and no transaction is held open while the caller prints.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Self, cast
from uuid import UUID

import psycopg

from infra.db import libpq_dsn

_STREAM_VERSION = "SELECT stream_version FROM write_model.shows WHERE show_id = %(show_id)s"
_PAGE = (
    "SELECT seq, event_type, occurred_at, body FROM write_model.outbox "
    "WHERE show_id = %(show_id)s AND seq >= %(from_seq)s AND seq <= %(to_seq)s "
    "ORDER BY seq LIMIT %(limit)s"
)


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event of a show's stream: its position and type, and the exact bytes stored (and published)."""

    seq: int
    event_type: str
    occurred_at: datetime
    body: bytes


class UnknownShowError(LookupError):
    """The write model has no show with this id."""


class EventLogReader:
    """A read-only session on the event store; use as a context manager."""

    def __init__(self, database_url: str, connect_timeout: int = 5) -> None:
        self._conn = psycopg.connect(
            libpq_dsn(database_url),
            autocommit=True,
            connect_timeout=connect_timeout,
            application_name="boxoffice-event-log",
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._conn.close()

    def stream_version(self, show_id: UUID) -> int:
        """The seq of the show's last event; raises UnknownShowError for an unknown show."""
        row = self._conn.execute(_STREAM_VERSION, {"show_id": show_id}).fetchone()
        if row is None:
            raise UnknownShowError(show_id)
        return int(cast(tuple[int], row)[0])

    def pages(
        self, show_id: UUID, from_seq: int = 1, to_seq: int | None = None, page_size: int = 1000
    ) -> Iterator[list[LoggedEvent]]:
        """The show's events from ``from_seq`` to ``to_seq`` (default: its last one now), in seq order.

        Pages of up to ``page_size`` events, each read after the previous one
        was consumed. The stream is append-only and gapless (seq n+1 committed
        implies 1..n committed), so the pages join into the stream exactly as
        it stood at ``to_seq``, with nothing skipped or repeated. Raises
        UnknownShowError for an unknown show.
        """
        last = self.stream_version(show_id) if to_seq is None else to_seq
        next_seq = from_seq
        while next_seq <= last:
            params = {"show_id": show_id, "from_seq": next_seq, "to_seq": last, "limit": page_size}
            rows = cast(list[tuple[int, str, datetime, bytes]], self._conn.execute(_PAGE, params).fetchall())
            if not rows:
                return
            yield [LoggedEvent(seq, event_type, at, bytes(body)) for seq, event_type, at, body in rows]
            next_seq = rows[-1][0] + 1
