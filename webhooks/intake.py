"""The FastStream subscriber that turns events into recorded deliveries.

It reads ``boxoffice.events`` in its own consumer group and acknowledges an
event (commits its offset) only after the deliveries it owes are recorded in
PostgreSQL. A crash before the acknowledgement means the event is read again
and recorded again, which the (webhook, event id) key makes a no-op: nothing is
lost and nothing is recorded twice. A record that is not an event envelope is
acknowledged and skipped (the projections dead-letter it; webhooks have nothing
to deliver). Unlike the projections, this consumer needs no offsets in the
database: its side effects are at-least-once by design.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from contracts.envelope import Envelope
from infra.telemetry import tracing
from webhooks.intake_tracing import recording_span
from webhooks.store import IncomingEvent

log = logging.getLogger("boxoffice.webhooks")
RETRY_PAUSE_SECONDS = 1.0


class DeliveryRecorder(Protocol):
    """Records the deliveries an event owes; idempotent per (webhook, event id)."""

    async def record(self, event: IncomingEvent) -> int: ...


def incoming_event(raw: bytes) -> IncomingEvent | None:
    """The event in a record's bytes, or None when they are not an event envelope."""
    try:
        envelope = Envelope.model_validate_json(raw)
    except ValidationError:
        return None
    return IncomingEvent(
        event_id=envelope.event_id,
        event_type=envelope.type,
        show_id=envelope.stream_id,
        seq=envelope.seq,
        occurred_at=envelope.occurred_at,
        body=raw,
    )


def subscribe(
    broker: KafkaBroker,
    recorder: DeliveryRecorder,
    *,
    topic: str,
    group_id: str,
    on_recorded: Callable[[], None],
) -> None:
    """Subscribe the intake to ``topic``; ``on_recorded`` is called when new deliveries are due."""

    @broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        title="webhook-intake",
        description="Records one delivery per webhook that wants the event, then commits its offset.",
    )
    async def on_event(message: KafkaMessage) -> None:
        event = incoming_event(message.body)
        if event is None:
            log.warning("skipping a record that is not an event envelope (offset %s)", message.message_id)
            await message.ack()
            return
        try:
            recording = recorder.record(event)
            recorded = await (recording_span(message.headers, event, recording) if tracing.on else recording)
        except Exception:
            # Not acknowledged: the record is read again after a pause (the database may be back).
            log.exception("recording deliveries of event %s failed; it will be read again", event.event_id)
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            await message.nack()
            return
        await message.ack()
        if recorded:
            on_recorded()
