"""What one small batch costs PostgreSQL: the statements and round trips of an incremental commit.

A hold lands as one or two events; the projector then commits a batch that
small many times a second, so its fixed cost is counted here from libpq's
protocol trace of the projector's connection (no timing). The read model must
still come out exactly as the simulation says.
"""

import tempfile
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from psycopg import pq

from contracts import encode_event
from infra.db import libpq_dsn
from projections.runtime.batch import BatchWriter
from projections.runtime.dead_letter_sink import KafkaDeadLetterSink
from projections.runtime.decoding import Incoming, Record, decode
from projections.runtime.versions import ensure_live
from projections.testing import Simulation
from projections.testing.harness import assert_dashboard_matches, deployment_for, query, seat_model
from projections.testing.incremental import protocol_messages

pytestmark = pytest.mark.integration

# BEGIN, gate, fence, quarantine, watermarks, the projection's writes with the new watermarks
# (one statement, two when the batch adds rows it also updates), COMMIT, the notice.
MOST_STATEMENTS = 9
# The gate, fence and reads; the writes (their row counts are checked before COMMIT); COMMIT and notice.
MOST_ROUND_TRIPS = 3


@pytest.mark.parametrize("name", ["seat_availability", "dashboard"])
async def test_a_small_batch_is_a_few_statements_in_three_round_trips(
    name: str, database_url: str, kafka_bootstrap: str
) -> None:
    sim = Simulation(73, shows=2).run(60)
    records = [decode(Record(0, i, None, encode_event(e), 0)) for i, e in enumerate(sim.events)]
    # The first batch adds the shows and already changes them; then batches of two events.
    batches: list[list[Incoming]] = [records[:6]] + [records[i : i + 2] for i in range(6, len(records), 2)]
    deployment = deployment_for(name, "unused.topic")
    sink = KafkaDeadLetterSink(kafka_bootstrap, "unused.dlq")
    sent: list[Counter[str]] = []
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        version = await ensure_live(conn, deployment)
        await conn.execute(
            f'INSERT INTO "{version.schema_name}".checkpoints (partition, next_offset) VALUES (0, 0)'
        )
        writer = BatchWriter(deployment, version, sink)
        with tempfile.TemporaryDirectory() as tmp:
            for n, batch in enumerate(batches):
                trace = Path(tmp) / f"batch{n}.trace"
                with trace.open("w") as file:
                    conn.pgconn.trace(file.fileno())
                    conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
                    await writer.commit(conn, batch, {0: batch[0].record.offset})
                    conn.pgconn.untrace()
                sent.append(protocol_messages(trace.read_text(errors="replace")))
    for n, messages in enumerate(sent):
        assert messages["Execute"] + messages["Query"] <= MOST_STATEMENTS, (n, messages)
        assert messages["flights"] <= MOST_ROUND_TRIPS, (n, messages)
    offsets = query(database_url, f'SELECT next_offset FROM "{version.schema_name}".checkpoints')
    assert offsets == [(len(records),)]
    if name == "seat_availability":
        shows = [e.stream_id for e in sim.events[:2]]
        assert seat_model(database_url, deployment.views_schema, shows) == sim.truth().seats
    else:
        assert_dashboard_matches(database_url, deployment, sim.truth())
