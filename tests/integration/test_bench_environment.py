"""A benchmark run's private services (``benchmarks.environment.private_services``): its database and
topics exist inside the block and are gone after it, however the block ends, unless kept."""

import psycopg
import pytest
from aiokafka.admin import NewTopic
from sqlalchemy.engine import make_url

from benchmarks import environment
from benchmarks.environment import BenchEnv
from infra.db import libpq_dsn
from infra.kafka_admin import kafka_admin

pytestmark = pytest.mark.integration


def database_exists(env: BenchEnv) -> bool:
    with psycopg.connect(libpq_dsn(env.admin_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (env.database_name,)
        ).fetchone()
    return row is not None and row[0] == 1


async def topics_of(env: BenchEnv) -> set[str]:
    async with kafka_admin(env.kafka_bootstrap) as admin:
        return set(await admin.list_topics()) & {env.topic, env.dead_letter_topic}


async def measurement_that_fails(env: BenchEnv) -> None:
    """Inside the block: the database exists, migrated, and both topics; then the body raises."""
    async with environment.private_services(env) as inside:
        assert inside is env
        assert database_exists(env)
        assert await topics_of(env) == {env.topic, env.dead_letter_topic}
        with psycopg.connect(libpq_dsn(env.database_url)) as conn:
            assert conn.execute("SELECT count(*) FROM write_model.outbox").fetchone() == (0,)
        raise RuntimeError("measurement failed")


async def test_the_database_and_topics_live_only_inside_the_block(
    database_url: str, kafka_bootstrap: str
) -> None:
    env = environment.new_env(database_url, kafka_bootstrap)
    with pytest.raises(RuntimeError, match="measurement failed"):
        await measurement_that_fails(env)
    assert not database_exists(env)
    assert await topics_of(env) == set()


async def test_kept_services_outlive_the_block(database_url: str, kafka_bootstrap: str) -> None:
    env = environment.new_env(database_url, kafka_bootstrap)
    try:
        async with environment.private_services(env, keep=True):
            pass
        assert database_exists(env)
        assert await topics_of(env) == {env.topic, env.dead_letter_topic}
    finally:
        environment.drop_database(env)
        await environment.delete_topics(env)


def _measure_in_private_database(database_url: str, inside: list[str]) -> None:
    """Inside the block: the database exists, migrated; then the body raises."""
    with environment.private_database(database_url) as url:
        inside.append(url)
        with psycopg.connect(libpq_dsn(url)) as conn:
            assert conn.execute("SELECT count(*) FROM write_model.outbox").fetchone() == (0,)
        raise RuntimeError("measurement failed")


def test_a_private_database_alone_lives_only_inside_the_block(database_url: str) -> None:
    """For the reads benchmarks that need no topic: migrated inside, dropped after a failed body."""
    inside: list[str] = []
    with pytest.raises(RuntimeError, match="measurement failed"):
        _measure_in_private_database(database_url, inside)
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        name = make_url(inside[0]).database
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone() == (0,)


async def test_a_creation_that_fails_on_the_second_topic_leaves_nothing(
    database_url: str, kafka_bootstrap: str
) -> None:
    """The dead-letter topic's name is taken: the events topic is created, the second creation is
    refused; the error is raised, and neither topic nor the database remains."""
    env = environment.new_env(database_url, kafka_bootstrap)
    async with kafka_admin(env.kafka_bootstrap) as admin:
        await admin.create_topics([NewTopic(env.dead_letter_topic, 1, 1)])
    try:
        with pytest.raises(RuntimeError, match="refused to create topics"):
            async with environment.private_services(env):
                pytest.fail("the block ran although a topic could not be created")
        assert not database_exists(env)
        assert await topics_of(env) == set()
    finally:
        await environment.delete_topics(env)
