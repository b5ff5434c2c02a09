"""Bulk loading: COPY a slice into the write model, then publish its events with a fast producer.

The outbox rows are written already marked published (``published_at``) since
this loader publishes them itself, to the run's private topic; no relay ever
sees them. Per show, messages are sent in seq order by one producer, so each
show's events sit in its partition in stream order, as the relay leaves them.

Both steps skip per-row work: tables are COPYed in the binary format (no text
to format here nor to parse in the server), and messages go out as whole
record batches per partition (the partition the producer's default
partitioner would pick for the show's key), not one ``send`` each.
"""

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

import psycopg
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from benchmarks.datagen import layout
from benchmarks.datagen.rows import COLUMNS, Slice
from contracts import partition_key
from infra.db import libpq_dsn

BATCH_BYTES = 1_048_576  # a record batch as large as the broker takes by default (message.max.bytes)
# Column types of the tables COPYed in the binary format, in ``COLUMNS`` order; orders' lines is
# JSON text for jsonb, which only the text format takes as it is.
BINARY_TYPES: dict[str, tuple[str, ...]] = {
    "shows": ("uuid", "uuid", "text", "timestamptz", "int8", "timestamptz"),
    "show_prices": ("uuid", "text", "int8"),
    "seat_inventory": ("uuid", "text", "text", "text", "int4", "int4", "int4", "text", "uuid", "uuid",
                       "timestamptz"),
    "holds": ("uuid", "uuid", "text", "text[]", "text", "timestamptz", "timestamptz", "timestamptz"),
    "outbox": ("uuid", "uuid", "int8", "text", "bytea", "timestamptz", "timestamptz"),
}  # fmt: skip


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
    conn: psycopg.Connection[tuple[object, ...]],
    table: str,
    columns: Iterable[str],
    rows: Iterable[object],
    types: tuple[str, ...] | None = None,
) -> None:
    """COPY ``rows`` into ``table``: binary when the column ``types`` are given, else text."""
    binary = " (FORMAT BINARY)" if types else ""
    statement = f"COPY write_model.{table} ({', '.join(columns)}) FROM STDIN{binary}"
    with conn.cursor().copy(statement) as copy:
        if types:
            copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)  # type: ignore[arg-type]


def load_slice(database_url: str, data: Slice) -> None:
    """Every row of the slice, in one transaction (shows before what refers to them).

    As a superuser, without the foreign-key triggers (``session_replication_role = replica``, what
    ``pg_restore --disable-triggers`` does for a data-only load): a row-by-row check of references
    the generator makes consistent was a quarter of the COPY. The constraints stay declared and hold
    for every later write; tests/integration/test_bench_dataset_load.py checks the loaded references.
    """
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        superuser = conn.execute("SELECT current_setting('is_superuser') = 'on'").fetchone()
        if superuser is not None and superuser[0]:
            conn.execute("SET LOCAL session_replication_role = replica")
        for table, columns in COLUMNS.items():
            _copy(conn, table, columns, data.tables[table], BINARY_TYPES.get(table))


async def publish(bootstrap: str, topic: str, messages: list[tuple[UUID, bytes]]) -> dict[int, int]:
    """Send every message keyed by show; returns the end offset reached per partition."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks=1, max_batch_size=BATCH_BYTES)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        by_partition: dict[int, list[tuple[bytes, bytes]]] = defaultdict(list)
        placed: dict[UUID, tuple[int, bytes]] = {}
        for show_id, body in messages:
            if (where := placed.get(show_id)) is None:
                key = partition_key(show_id)
                where = placed[show_id] = (DefaultPartitioner()(key, partitions, partitions), key)
            by_partition[where[0]].append((where[1], body))
        sent = (_send_partition(producer, topic, p, records) for p, records in by_partition.items())
        return dict(await asyncio.gather(*sent))
    finally:
        await producer.stop()


async def _send_partition(
    producer: AIOKafkaProducer, topic: str, partition: int, records: list[tuple[bytes, bytes]]
) -> tuple[int, int]:
    """Send ``records`` in order as full batches; the partition and the end offset they reached."""
    acks: list[tuple[asyncio.Future[object], int]] = []
    batch = producer.create_batch()
    for key, value in records:
        if batch.append(key=key, value=value, timestamp=None) is None:  # full
            acks.append((await producer.send_batch(batch, topic, partition=partition), batch.record_count()))
            batch = producer.create_batch()
            batch.append(key=key, value=value, timestamp=None)
    acks.append((await producer.send_batch(batch, topic, partition=partition), batch.record_count()))
    end = 0
    for ack, count in acks:
        end = (await ack).offset + count  # type: ignore[attr-defined]
    return partition, end
