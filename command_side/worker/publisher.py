"""Publishing stored events to Kafka with an idempotent producer."""

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from command_side.worker.outbox_rows import StoredEvent
from command_side.worker.publish_tracing import publish_traced
from contracts import EVENTS_TOPIC, partition_key
from infra.telemetry import tracing


class KafkaEventPublisher:
    """Publishes events keyed by show id, in the given order per show; returns once all are acked.

    acks=all with idempotence: a retried send inside the producer never
    duplicates; a batch re-sent after a failure may (consumers drop by seq).
    After any failure the producer is discarded and a fresh one started.
    """

    def __init__(self, bootstrap_servers: str, topic: str = EVENTS_TOPIC) -> None:
        self._servers = bootstrap_servers
        self._topic = topic
        self._producer: AIOKafkaProducer | None = None

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._servers,
                acks="all",
                enable_idempotence=True,
                linger_ms=0,
                request_timeout_ms=10_000,
                max_batch_size=1_048_576,
            )
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def publish(self, events: Sequence[StoredEvent]) -> None:
        producer = await self._started()
        try:
            if tracing.on:
                await publish_traced(producer, self._topic, events)
                return
            acks = [
                await producer.send(self._topic, value=e.body, key=partition_key(e.show_id)) for e in events
            ]
            await asyncio.gather(*acks)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
