"""The benchmark's data set, loaded into a private database and topic: the rows the generator made are
the rows in the tables (binary COPY), and the messages are on the topic once each, in the partition
of their show's key, in stream order (batched producer), with the slices overlapping."""

from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import orjson
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner

from benchmarks import dataset, environment
from benchmarks.datagen.generate import HistoryGenerator
from benchmarks.datagen.load import load_venue
from benchmarks.datagen.rows import COLUMNS, Row
from benchmarks.dataset import DataSet
from benchmarks.environment import BenchEnv
from benchmarks.scenarios.replay import measure_ceiling
from contracts import EVENTS_TOPIC_PARTITIONS, partition_key
from infra.db import libpq_dsn
from projections.runtime.topic_offsets import end_offsets
from tests.unit.test_bench_datagen import NOW, slices

pytestmark = pytest.mark.integration
ORDERS, CHUNK = 1_200, 500


@pytest.fixture
async def env(database_url: str, kafka_bootstrap: str) -> AsyncIterator[BenchEnv]:
    async with environment.private_services(environment.new_env(database_url, kafka_bootstrap)) as env:
        load_venue(env.database_url)
        yield env


def stored(database_url: str, table: str) -> list[Row]:
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        rows = conn.execute(f"SELECT {', '.join(COLUMNS[table])} FROM write_model.{table}").fetchall()
    if table == "orders":  # lines is jsonb: compare it parsed
        return [(*row[:5], orjson.dumps(row[5]), *row[6:]) for row in rows]
    return [tuple(row) for row in rows]


REFERENCES = (  # (table, column, referenced table, column): every foreign key of the loaded tables
    ("show_prices", "show_id", "shows", "show_id"),
    ("seat_inventory", "show_id", "shows", "show_id"),
    ("holds", "show_id", "shows", "show_id"),
    ("orders", "show_id", "shows", "show_id"),
    ("orders", "hold_id", "holds", "hold_id"),
    ("shows", "venue_id", "venues", "venue_id"),
)


def dangling(database_url: str) -> int:
    """Rows whose reference has no row (the load may skip the foreign-key triggers)."""
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        total = 0
        for table, column, target, key in REFERENCES:
            row = conn.execute(
                f"SELECT count(*) FROM write_model.{table} t WHERE NOT EXISTS "
                f"(SELECT 1 FROM write_model.{target} r WHERE r.{key} = t.{column})"
            ).fetchone()
            assert row is not None
            total += row[0]
    return total


def key(row: Row) -> str:
    return repr(row)


async def topic_records(env: BenchEnv, total: int) -> dict[int, list[tuple[bytes, bytes]]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=env.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    out: dict[int, list[tuple[bytes, bytes]]] = defaultdict(list)
    try:
        assigned = [TopicPartition(env.topic, p) for p in range(EVENTS_TOPIC_PARTITIONS)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        seen = 0
        while seen < total:
            for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                out[tp.partition] += [(r.key, r.value) for r in records]
                seen += len(records)
    finally:
        await consumer.stop()
    return out


async def test_the_loaded_data_set_is_the_generated_one(env: BenchEnv, monkeypatch: Any) -> None:
    monkeypatch.setattr(dataset, "CHUNK_ORDERS", CHUNK)
    data = DataSet(env, 7)
    data.generator = HistoryGenerator(7, now=NOW)

    steps = await data.load(ORDERS)

    expected = slices(ORDERS, CHUNK)
    assert set(steps) == {"generate_s", "copy_s", "publish_s", "load_s"}
    assert (data.orders, data.events) == (ORDERS, sum(p.events for p in expected))
    for table in COLUMNS:
        rows = [row for part in expected for row in part.tables[table]]
        if table == "orders":
            rows = [(*row[:5], orjson.dumps(orjson.loads(row[5])), *row[6:]) for row in rows]
        assert sorted(map(key, stored(env.database_url, table))) == sorted(map(key, rows)), table

    assert dangling(env.database_url) == 0

    messages = [m for part in expected for m in part.messages]
    on_topic = await topic_records(env, len(messages))
    assert data.ends == {p: len(records) for p, records in on_topic.items()}
    assert data.ends == {
        p: end for p, end in (await end_offsets(env.kafka_bootstrap, env.topic)).items() if end
    }
    partitions = list(range(EVENTS_TOPIC_PARTITIONS))
    by_show: dict[UUID, list[bytes]] = defaultdict(list)
    for show_id, body in messages:
        by_show[show_id].append(body)
    for partition, records in on_topic.items():
        shows = {k for k, _ in records}
        for show_key in shows:
            assert DefaultPartitioner()(show_key, partitions, partitions) == partition
            show_id = UUID(show_key.decode())
            assert partition_key(show_id) == show_key
            assert [v for k, v in records if k == show_key] == by_show.pop(show_id)  # stream order, once each
    assert by_show == {}

    ceiling = await measure_ceiling(env.kafka_bootstrap, env.topic, len(messages), 60.0)
    assert ceiling > 0
