"""Publishing dead letters to the dead-letter topic, as a JSON wrapper with headers.

The wrapper carries the projection, the error, the original topic, partition
and offset, and the original key and bytes (base64), so an operator can see
exactly what failed; the same facts are kept in the version's ``dead_letters``
table, which is what a redrive works from.
"""

import base64
from datetime import UTC, datetime

import orjson
from aiokafka import AIOKafkaProducer

from projections.runtime.triage import DeadLetter
from projections.runtime.versions import Version


def wrap(version: Version, letter: DeadLetter) -> bytes:
    r = letter.incoming.record
    return orjson.dumps(
        {
            "projection": version.projection,
            "version": version.version,
            "error": letter.error,
            "topic": version.topic,
            "partition": r.partition,
            "offset": r.offset,
            "show_id": str(letter.incoming.show_id) if letter.incoming.show_id else None,
            "key_b64": base64.b64encode(r.key).decode() if r.key is not None else None,
            "value_b64": base64.b64encode(r.value).decode() if r.value is not None else None,
            "dead_at": datetime.now(UTC).isoformat(),
        }
    )


class KafkaDeadLetterSink:
    """Publishes dead letters to the deployment's dead-letter topic; at least once."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self.topic, self.bootstrap_servers = topic, bootstrap_servers
        self.producer: AIOKafkaProducer | None = None

    async def publish(self, version: Version, letters: list[DeadLetter]) -> None:
        if self.producer is None:
            # Started on first use: most projectors never dead-letter anything.
            self.producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all")
            await self.producer.start()
        for letter in letters:
            r = letter.incoming.record
            headers = [
                ("projection", version.projection.encode()),
                ("error", letter.error[:500].encode()),
                ("original_partition", str(r.partition).encode()),
                ("original_offset", str(r.offset).encode()),
            ]
            await self.producer.send_and_wait(self.topic, wrap(version, letter), key=r.key, headers=headers)

    async def close(self) -> None:
        if self.producer is not None:
            await self.producer.stop()
            self.producer = None
