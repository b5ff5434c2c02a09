"""Idempotent Kafka topic set-up: the event log and its dead-letter topic.

Replication follows the cluster: a factor of ``min(brokers, 3)`` and
``min.insync.replicas`` one less (at least 1), so on three brokers an
``acks=all`` write (every producer of the project uses it) is stored on at
least two of them and writes go on with one broker down. A topic that already
exists is left as it is.
"""

import asyncio
import contextlib

from aiokafka.admin import NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from contracts.topics import DEAD_LETTER_TOPIC, EVENTS_TOPIC, EVENTS_TOPIC_PARTITIONS
from infra.kafka_admin import kafka_admin

# The event log is kept forever: projections are rebuilt from it.
LOG_CONFIG = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


def replication_for(brokers: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) of a topic on a cluster of ``brokers`` nodes."""
    factor = max(1, min(brokers, 3))
    return factor, max(1, factor - 1)


async def ensure_topics(
    bootstrap_servers: str, partitions: int = EVENTS_TOPIC_PARTITIONS, brokers: int | None = None
) -> list[str]:
    """Create the event and dead-letter topics where missing; return the names created now.

    Replicated as :func:`replication_for` ``brokers`` says; None: as many brokers
    as the cluster reports now.
    """
    async with kafka_admin(bootstrap_servers) as admin:
        if brokers is None:
            cluster = await admin.describe_cluster()
            brokers = len(cluster.get("brokers") or ())
        factor, min_insync = replication_for(brokers)
        config = {**LOG_CONFIG, "min.insync.replicas": str(min_insync)}
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(EVENTS_TOPIC, partitions, factor, topic_configs=config),
            NewTopic(DEAD_LETTER_TOPIC, 1, factor, topic_configs=config),
        ]
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            # Another process may create it between our list and create: the same outcome.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        return [t.name for t in missing]


def ensure_topics_sync(bootstrap_servers: str, brokers: int | None = None) -> list[str]:
    return asyncio.run(ensure_topics(bootstrap_servers, brokers=brokers))
