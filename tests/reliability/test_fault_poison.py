"""Poison records injected into the event topic in the middle of a load.

Each poison record is one a projection cannot apply: bytes that are not
JSON, invalid UTF-8, JSON that is not an envelope, an unknown event type, an
unsupported version, and a well-formed event of a show that was never
scheduled. Every projection must dead-letter each of them exactly once (in
its table and on the dead-letter topic) and move on: the real shows' read
models still equal the write model and a clean replay.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from contracts import DEAD_LETTER_TOPIC, SeatsHeld, encode_event, new_envelope, partition_key
from tests.reliability.harness import checks_write as wr
from tests.reliability.harness.load import Load
from tests.reliability.harness.scenario import run_with_fault, settle_and_verify
from tests.reliability.harness.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.fault]


def envelope_json(event_type: str, version: int) -> tuple[bytes, bytes]:
    show = uuid4()
    document = {
        "event_id": str(uuid4()),
        "type": event_type,
        "version": version,
        "stream_id": str(show),
        "seq": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": str(uuid4()),
        "causation_id": None,
        "payload": {"show_id": str(show)},
    }
    return partition_key(show), orjson.dumps(document)


def poison_records() -> list[tuple[bytes | None, bytes]]:
    """(key, value) of records no projection can apply; each names its own unknown show, if any."""
    ghost = uuid4()
    held = SeatsHeld(
        hold_id=uuid4(),
        customer_id="ghost",
        seat_ids=("A-1-1",),
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
    )
    return [
        (None, b"\x00\xff definitely not json"),
        (partition_key(uuid4()), b'{"type": "SeatsHeld", "payload": "\xff\xfe"}'),
        (partition_key(uuid4()), b'{"hello": "world"}'),
        envelope_json("SeatsTeleported", 1),
        envelope_json("SeatsHeld", 99),
        (
            partition_key(ghost),
            encode_event(new_envelope(held, stream_id=ghost, seq=1, correlation_id=uuid4())),
        ),
    ]


async def inject(bootstrap: str) -> set[wr.Offset]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        sent = [
            await producer.send_and_wait("boxoffice.events", value, key=key)
            for key, value in poison_records()
        ]
    finally:
        await producer.stop()
    return {(m.partition, m.offset) for m in sent}


async def test_poison_events_are_dead_lettered_and_projections_move_on(
    started_stack: tuple[Stack, Load], injected_poison: set[wr.Offset], record_figures: Any
) -> None:
    stack, load = started_stack

    async def fault() -> dict[str, Any]:
        await asyncio.sleep(5)
        offsets = await inject(stack.services.kafka_bootstrap_servers)
        injected_poison.update(offsets)  # every later run in this session meets them too
        return {"poison_records": len(offsets)}

    _, injected = await run_with_fault(stack, load, fault, duration_s=20, max_journeys=400)

    figures = await settle_and_verify(stack, load, injected_poison)  # dead letters == poison, per projection
    letters = await wr.read_topic(stack.services.kafka_bootstrap_servers, DEAD_LETTER_TOPIC)
    ours = {d.registry_name for d in stack.deployments.values()}
    wrapped = [orjson.loads(r.value) for r in letters]
    for name in ours:
        mine = {(w["partition"], w["offset"]) for w in wrapped if w["projection"] == name}
        assert mine == injected_poison, f"{name} sent {len(mine)} dead letters to {DEAD_LETTER_TOPIC}"
    record_figures({"scenario": "poison events", "fault": injected, **figures})
