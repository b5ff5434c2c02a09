"""A Kafka admin client for one piece of work: started on entry, closed on leaving.

``AIOKafkaAdminClient`` must be started before use and closed after, also when
the work fails, or its connections outlive it (and asyncio warns of an
unclosed client). :func:`kafka_admin` is that pairing, written once.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient


@asynccontextmanager
async def kafka_admin(bootstrap_servers: str, **options: Any) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client of the cluster at ``bootstrap_servers`` (``options`` as aiokafka takes
    them, e.g. ``request_timeout_ms``), closed when the block ends, however it ends. A client that
    could not start raises from ``start`` and has nothing to close."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **options)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()
