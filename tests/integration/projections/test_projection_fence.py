"""The fence: a consumer whose stored offset moved under it cannot commit its batch."""

import psycopg
import pytest

from contracts import encode_event
from infra.db import libpq_dsn
from projections.runtime.batch import BatchWriter, Fenced
from projections.runtime.dead_letter_sink import KafkaDeadLetterSink
from projections.runtime.decoding import Record, decode
from projections.runtime.versions import ensure_live
from projections.testing import Simulation
from projections.testing.harness import deployment_for, query, seat_model

pytestmark = pytest.mark.integration


async def test_a_stale_batch_is_rolled_back_whole(database_url: str, kafka_bootstrap: str) -> None:
    sim = Simulation(51, shows=1).run(100)
    assert len(sim.events) > 10
    records = [decode(Record(0, i, None, encode_event(e), 0)) for i, e in enumerate(sim.events)]
    deployment = deployment_for("seat_availability", "unused.topic")
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        version = await ensure_live(conn, deployment)
        schema = version.schema_name
        await conn.execute(f'INSERT INTO "{schema}".checkpoints (partition, next_offset) VALUES (0, 0)')
        sink = KafkaDeadLetterSink(kafka_bootstrap, "unused.dlq")
        current, stale = BatchWriter(deployment, version, sink), BatchWriter(deployment, version, sink)
        await current.commit(conn, records[:10], {0: 0})
        # The stale consumer still believes partition 0 starts at 0, and holds the whole stream.
        with pytest.raises(Fenced):
            await stale.commit(conn, records, {0: 0})
        assert query(database_url, f'SELECT next_offset FROM "{schema}".checkpoints') == [(10,)]
        assert query(database_url, f'SELECT seq FROM "{schema}".watermarks') == [(10,)]
        await current.commit(conn, records[10:], {0: 10})
    assert seat_model(database_url, deployment.views_schema, [sim.events[0].stream_id]) == sim.truth().seats
