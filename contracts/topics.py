"""Topic names and partitioning.

One topic holds every event, keyed by show id, so all events of a show land in
one partition in the order they were published. Retention is infinite: the
topic is the log that projections are rebuilt from.
"""

from uuid import UUID

EVENTS_TOPIC = "boxoffice.events"
DEAD_LETTER_TOPIC = "boxoffice.events.dlq"
EVENTS_TOPIC_PARTITIONS = 12


def partition_key(show_id: UUID) -> bytes:
    """The Kafka message key of every event of a show: its id as text."""
    return str(show_id).encode()
