"""Bulk loading: COPY a slice into the write model, then publish its events with a fast producer.

The outbox rows are written already marked published (``published_at``) since
this loader publishes them itself, to the run's private topic; no relay ever
sees them. Per show, messages are sent in seq order by one producer, so each
show's events sit in its partition in stream order, as the relay leaves them.
"""

import asyncio
from collections.abc import Iterable

import psycopg
from aiokafka import AIOKafkaProducer

from benchmarks.datagen import layout
from benchmarks.datagen.rows import COLUMNS, Slice
from contracts import partition_key
from infra.db import libpq_dsn


def load_venue(database_url: str) -> None:
    """The venue the generated shows play in: its row, zones, rows and seats."""
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        conn.execute(
            "INSERT INTO write_model.venues (venue_id, name, seat_count) VALUES (%s, %s, %s)",
            (layout.VENUE_ID, layout.VENUE_NAME, layout.capacity()),
        )
        for ordinal, (zone_id, name, _) in enumerate(layout.ZONES):
            conn.execute(
                "INSERT INTO write_model.zones (venue_id, zone_id, name, ordinal) VALUES (%s, %s, %s, %s)",
                (layout.VENUE_ID, zone_id, name, ordinal),
            )
            for r in range(layout.ROWS_PER_ZONE):
                conn.execute(
                    "INSERT INTO write_model.rows (venue_id, zone_id, row, ordinal, seats)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (layout.VENUE_ID, zone_id, str(r + 1), r, layout.SEATS_PER_ROW),
                )
        _copy(
            conn,
            "seats",
            ("venue_id", "seat_id", "zone_id", "row", "number"),
            ((layout.VENUE_ID, s.seat_id, s.zone_id, s.row, s.number) for s in layout.seats()),
        )


def _copy(
    conn: psycopg.Connection[tuple[object, ...]], table: str, columns: Iterable[str], rows: Iterable[object]
) -> None:
    statement = f"COPY write_model.{table} ({', '.join(columns)}) FROM STDIN"
    with conn.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)  # type: ignore[arg-type]


def load_slice(database_url: str, data: Slice) -> None:
    """Every row of the slice, in one transaction (shows before what refers to them)."""
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        for table, columns in COLUMNS.items():
            _copy(conn, table, columns, data.tables[table])


async def publish(bootstrap: str, topic: str, messages: list[tuple[object, bytes]]) -> dict[int, int]:
    """Send every message keyed by show; returns the end offset reached per partition."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks=1,
        linger_ms=20,
        max_batch_size=1_048_576,
        max_request_size=8_388_608,
    )
    await producer.start()
    ends: dict[int, int] = {}
    try:
        pending: list[asyncio.Future[object]] = []
        for show_id, body in messages:
            pending.append(await producer.send(topic, body, key=partition_key(show_id)))  # type: ignore[arg-type]
            if len(pending) >= 20_000:
                _record(ends, await asyncio.gather(*pending))
                pending = []
        _record(ends, await asyncio.gather(*pending))
    finally:
        await producer.stop()
    return ends


def _record(ends: dict[int, int], acks: Iterable[object]) -> None:
    for ack in acks:
        partition, offset = ack.partition, ack.offset  # type: ignore[attr-defined]
        ends[partition] = max(ends.get(partition, 0), offset + 1)
