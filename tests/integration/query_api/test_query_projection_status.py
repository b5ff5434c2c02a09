"""Projection status and readiness from a version's checkpoints, dead letters and the topic's end."""

from uuid import uuid4

import httpx
import pytest
from aiokafka.admin import NewTopic

from projections.testing.harness import produce
from tests.integration.query_api.seed import SeededSchema
from tests.support.kafka import create_topics

pytestmark = pytest.mark.integration

OPERATOR = {"Authorization": "Bearer test-operator-key"}


async def topic_with_events(bootstrap: str, count: int) -> str:
    topic = f"qtest.events.{uuid4().hex[:10]}"
    await create_topics(bootstrap, [NewTopic(topic, 1, 1)])
    await produce(bootstrap, topic, [(None, str(i).encode()) for i in range(count)], partition=0)
    return topic


def checkpointed(seeded: SeededSchema, topic: str, next_offset: int, age: str) -> str:
    """The seeded seat availability version as its projector of ``topic`` would leave it: partition 0
    checkpointed at ``next_offset`` ``age`` ago, two dead letters open and one redriven."""
    schema = seeded.schema_of("seat_availability")
    seeded.execute(
        f"UPDATE {schema}.checkpoints SET next_offset = %s, updated_at = now() - interval '{age}'"
        " WHERE partition = 0",
        (next_offset,),
    )
    seeded.execute(
        f'INSERT INTO {schema}.dead_letters (partition, "offset", error, redriven_at)'
        " VALUES (0, 0, 'poison', NULL), (0, 1, 'poison', NULL), (0, 2, 'poison', now())"
    )
    seeded.execute(
        "UPDATE projection_meta.versions SET topic = %s WHERE projection = %s",
        (topic, registered(seeded, "seat_availability")),
    )
    return schema


def registered(seeded: SeededSchema, projection: str) -> str:
    """The unique name the seeded version of ``projection`` is registered (and reported) under."""
    return seeded.deployments[projection].registry_name


async def status_of(client: httpx.AsyncClient, name: str) -> dict[str, object]:
    body = (await client.get("/v1/projections", headers=OPERATOR)).json()
    found: dict[str, object] = next(p for p in body["projections"] if p["projection"] == name)
    return found


async def test_position_lag_and_dead_letters(
    client: httpx.AsyncClient, seeded: SeededSchema, kafka_bootstrap: str
) -> None:
    topic = await topic_with_events(kafka_bootstrap, 5)
    checkpointed(seeded, topic, next_offset=2, age="1 second")
    hidden = f"{seeded.read_schema}_hidden"  # a version schema the reader has no USAGE on
    seeded.execute(f"CREATE SCHEMA {hidden}")
    seeded.execute(
        f"CREATE TABLE {hidden}.checkpoints (partition int, next_offset bigint, updated_at timestamptz)"
    )
    seeded.execute(
        "UPDATE projection_meta.versions SET schema_name = %s WHERE projection = %s",
        (hidden, registered(seeded, "dashboard")),
    )
    status = await status_of(client, registered(seeded, "seat_availability"))
    assert (status["active_version"], status["position"], status["lag"], status["dlq_count"]) == (1, 2, 3, 2)
    assert status["state"] == "live"
    # A version whose tables the reader may not read reports unknown progress, not an error.
    dashboard = await status_of(client, registered(seeded, "dashboard"))
    assert (dashboard["position"], dashboard["lag"], dashboard["dlq_count"]) == (None, None, None)
    assert (await client.get("/readyz")).status_code == 200


async def test_a_stalled_projection_with_lag_makes_the_api_not_ready(
    client: httpx.AsyncClient, seeded: SeededSchema, kafka_bootstrap: str
) -> None:
    topic = await topic_with_events(kafka_bootstrap, 4)
    schema = checkpointed(seeded, topic, next_offset=1, age="1 hour")
    assert (await status_of(client, registered(seeded, "seat_availability")))["state"] == "stalled"
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["stalled_projections"] == [registered(seeded, "seat_availability")]
    seeded.execute(f"UPDATE {schema}.checkpoints SET updated_at = now()")
    assert (await client.get("/readyz")).status_code == 200


async def test_a_stalled_projection_without_lag_is_ready(
    client: httpx.AsyncClient, seeded: SeededSchema, kafka_bootstrap: str
) -> None:
    topic = await topic_with_events(kafka_bootstrap, 3)
    checkpointed(seeded, topic, next_offset=3, age="1 day")
    assert (await client.get("/readyz")).status_code == 200
