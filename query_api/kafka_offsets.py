"""End offsets of the event topic, for projection lag; cached briefly, never blocking reads.

Only the operator status and readiness use this. A broker that does not
answer within the timeout yields None (lag unknown) rather than an error.
"""

import asyncio
import contextlib
import logging
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)


class EndOffsets:
    """Sum of the end offsets of a topic's partitions, refreshed at most every ``ttl_s``."""

    def __init__(self, bootstrap_servers: str | None, ttl_s: float = 2.0, timeout_s: float = 3.0) -> None:
        self._servers = bootstrap_servers
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s
        self._consumer: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._cache: dict[str, tuple[float, int | None]] = {}
        self._lock = asyncio.Lock()

    async def total(self, topic: str) -> int | None:
        if not self._servers:
            return None
        async with self._lock:  # one broker round trip at a time; the others use its answer
            cached = self._cache.get(topic)
            if cached and time.monotonic() - cached[0] < self._ttl_s:
                return cached[1]
            try:
                value: int | None = await asyncio.wait_for(self._fetch(topic), self._timeout_s)
            except (KafkaError, TimeoutError, OSError) as error:
                log.warning("end offsets of %s unavailable: %r", topic, error)
                await self.close()
                value = None
            self._cache[topic] = (time.monotonic(), value)
            return value

    async def _fetch(self, topic: str) -> int | None:
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._servers)
            consumer = AIOKafkaConsumer(bootstrap_servers=self._servers, enable_auto_commit=False)
            await admin.start()
            self._admin = admin
            await consumer.start()
            self._consumer = consumer
        # The admin client asks the broker each time (the consumer only knows subscribed topics).
        described = await self._admin.describe_topics([topic])
        partitions = [p["partition"] for d in described if d["error_code"] == 0 for p in d["partitions"]]
        if not partitions:
            return None  # no such topic: lag unknown, not zero
        ends = await self._consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return int(sum(ends.values()))

    async def close(self) -> None:
        if self._consumer is not None:
            with contextlib.suppress(KafkaError, OSError):
                await self._consumer.stop()
            self._consumer = None
        if self._admin is not None:
            with contextlib.suppress(KafkaError, OSError):
                await self._admin.close()
            self._admin = None
