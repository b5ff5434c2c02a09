"""Poison events: dead-lettered with their error, their show quarantined, every other show flowing."""

from typing import ClassVar
from uuid import uuid4

import orjson
import psycopg
import pytest

from contracts import Envelope, SeatsHeld, encode_event, new_envelope, partition_key
from contracts.event_types import REGISTRY
from infra.db import libpq_dsn
from projections.ops.dead_letter_queue import list_dead_letters, redrive
from projections.runtime.versions import find
from projections.testing import Simulation
from projections.testing.harness import deployment_for, produce, query, read_topic, seat_model, wait_consumed
from tests.integration.projections.projectors import project, projecting

pytestmark = pytest.mark.integration


async def test_poison_events_quarantine_only_their_show(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    a, b = Simulation(11, shows=1).run(30), Simulation(12, shows=1).run(30)
    show_a, show_b = a.events[0].stream_id, b.events[0].stream_id
    # Show C's third event names a seat its venue does not have: it decodes, and the tables refuse it.
    c = Simulation(13, shows=1).run(0)
    show_c = c.events[0].stream_id
    bogus = SeatsHeld(hold_id=uuid4(), customer_id="x", seat_ids=("Z9-R9-9",), expires_at=a.clock)
    c_events = [c.events[0], new_envelope(bogus, stream_id=show_c, seq=2, correlation_id=uuid4())]
    later_c = b.events[1:3]  # two more events, re-addressed to C: parked behind the refused one
    assert len(later_c) == 2
    c_tail = [
        (partition_key(show_c), encode_event(e.model_copy(update={"stream_id": show_c, "seq": 3 + i})))
        for i, e in enumerate(later_c)
    ]
    poison = (partition_key(show_a), b'{"type": "SeatsHeld", "broken": true}')
    stream: list[Envelope | tuple[bytes | None, bytes]] = [
        *a.events[:3],
        poison,
        *a.events[3:],
        *b.events,
        *c_events,
        *c_tail,
    ]
    # Everything on one partition: the quarantine must not hold back the other shows sharing it.
    total = await produce(kafka_bootstrap, topic, stream, partition=0)
    deployment = deployment_for("seat_availability", topic)
    await project([deployment], database_url, kafka_bootstrap, total, max_records=7)

    assert seat_model(database_url, deployment.views_schema, [show_b]) == b.truth().seats
    schema = deployment.schema_for(1)
    quarantined = dict(query(database_url, f'SELECT show_id, error FROM "{schema}".quarantine'))
    assert set(quarantined) == {show_a, show_c}
    assert "bad envelope" in quarantined[show_a]
    assert "do not exist" in quarantined[show_c]
    parked = dict(query(database_url, f'SELECT show_id, count(*) FROM "{schema}".parked GROUP BY show_id'))
    assert parked == {show_a: len(a.events) - 3, show_c: 2}
    watermarks = dict(query(database_url, f'SELECT show_id, seq FROM "{schema}".watermarks'))
    assert watermarks == {show_a: 3, show_b: len(b.events), show_c: 1}

    letters = [orjson.loads(m.value) for m in await read_topic(kafka_bootstrap, deployment.dead_letter_topic)]
    assert {(x["show_id"], x["partition"]) for x in letters} == {(str(show_a), 0), (str(show_c), 0)}
    assert all(x["projection"] == deployment.registry_name and x["error"] for x in letters)
    # The poison after three events of A; the refused event after the poison, A, B and C's first.
    assert sorted(x["offset"] for x in letters) == [3, 1 + len(a.events) + len(b.events) + 1]


class SeatsHeldV2(SeatsHeld):
    """The "fix": code that reads SeatsHeld v2 (same fields), as a deploy would bring."""

    event_version: ClassVar[int] = 2


async def test_redrive_applies_the_dead_and_parked_events_once_the_cause_is_fixed(
    database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    a, g = Simulation(21, shows=1).run(40), Simulation(22, shows=1).run(20)
    show_a, show_g = a.events[0].stream_id, g.events[0].stream_id
    k = next(i for i, e in enumerate(a.events) if e.type == "SeatsHeld" and i >= 2)
    from_the_future = a.events[k].model_copy(update={"version": 2})  # this code knows only v1
    stream: list[Envelope | tuple[bytes | None, bytes]] = [*a.events[:k], from_the_future, *a.events[k + 1 :]]
    stream += [*g.events[:2], (partition_key(show_g), b"\x00 not json"), *g.events[2:]]
    total = await produce(kafka_bootstrap, topic, stream)
    deployment = deployment_for("seat_availability", topic)
    async with projecting([deployment], database_url, kafka_bootstrap, max_records=9):
        await wait_consumed(database_url, deployment, total)
        schema = deployment.schema_for(1)
        assert {r[0] for r in query(database_url, f'SELECT show_id FROM "{schema}".quarantine')} == {
            show_a,
            show_g,
        }

        (result,) = await redrive(deployment, database_url, show_a)
        assert result.error is not None
        assert "no version 2" in result.error  # not fixed yet: nothing changes
        REGISTRY.register(SeatsHeldV2)
        REGISTRY.register_upcaster("SeatsHeld", 1, dict)
        try:
            (result,) = await redrive(deployment, database_url, show_a)
        finally:
            del REGISTRY.models[("SeatsHeld", 2)]
            del REGISTRY.upcasters[("SeatsHeld", 1)]
        assert result.error is None
        assert result.applied == len(a.events) - k

        (result,) = await redrive(deployment, database_url, show_g)
        assert result.error is not None  # garbage stays garbage
        (result,) = await redrive(deployment, database_url, show_g, skip_dead=True)
        assert result.error is None
        assert result.applied == len(g.events) - 2

        # Lifted: the shows' next events flow again instead of being parked.
        before = len(a.events)
        a.run(30)
        total += await produce(kafka_bootstrap, topic, a.events[before:])
        await wait_consumed(database_url, deployment, total)
    assert seat_model(database_url, deployment.views_schema, [show_a]) == a.truth().seats
    assert seat_model(database_url, deployment.views_schema, [show_g]) == g.truth().seats
    assert not query(database_url, f'SELECT * FROM "{schema}".quarantine')
    assert not query(database_url, f'SELECT * FROM "{schema}".parked')
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url)) as conn:
        version = await find(conn, deployment.registry_name, "live")
        assert version is not None
        letters = await list_dead_letters(conn, version, include_redriven=True)
    assert sorted((str(x.show_id), x.redriven_at is not None) for x in letters) == sorted(
        [(str(show_a), True), (str(show_g), True)]
    )
