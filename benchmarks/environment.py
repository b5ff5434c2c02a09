"""The benchmark's private corner of the shared services: its own database and topics.

Isolation: every run creates a database ``boxoffice_bench_<id>`` on the
configured PostgreSQL server (migrated like any boxoffice database), a topic
``boxoffice.bench.<id>.events`` with the production partition count and its
own dead-letter topic, and registers its projections under ``bench<id>_<name>``
so their Kafka consumer groups are unique too. Nothing of the shared database,
topics or groups is read or written; at the end the run drops what it created
(:func:`private_services` does both, for every async caller;
:func:`private_database` the database alone, for the reads benchmarks that
need no topic).
"""

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import psycopg
from aiokafka.admin import NewTopic
from psycopg import sql
from sqlalchemy.engine import make_url

from benchmarks.config import API_KEYS
from contracts import EVENTS_TOPIC_PARTITIONS
from infra.db import libpq_dsn
from infra.kafka_admin import kafka_admin
from infra.migrations.runner import upgrade
from infra.services import resolve_services
from infra.settings import ServiceSettings
from infra.topic_setup import LOG_CONFIG

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BenchEnv:
    """Names and URLs of one run's private database, topics and projection registrations."""

    run_id: str
    admin_url: str  # the configured database, used only to create and drop the private one
    database_url: str
    kafka_bootstrap: str
    topic: str
    dead_letter_topic: str
    reader_password: str

    @property
    def database_name(self) -> str:
        return f"boxoffice_bench_{self.run_id}"

    @property
    def registry_prefix(self) -> str:
        return f"bench{self.run_id}"

    def child_environment(self, **overrides: str) -> dict[str, str]:
        """What a service started for this run sees: the current environment without any
        ``BOXOFFICE_*`` variable, then this run's database, topic, API keys and reader password,
        then ``overrides``."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
        return environ | {
            "BOXOFFICE_DATABASE_URL": self.database_url,
            "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "BOXOFFICE_EVENTS_TOPIC": self.topic,
            "BOXOFFICE_API_KEYS": API_KEYS,
            "BOXOFFICE_READER_PASSWORD": self.reader_password,
            **overrides,
        }


def new_env(database_url: str | None = None, kafka_bootstrap: str | None = None) -> BenchEnv:
    """Names for a new run (nothing is created yet) on the given services, by default on those
    ``resolve_services()`` points at."""
    if database_url is None or kafka_bootstrap is None:
        services = resolve_services()
        database_url = database_url or services.database_url
        kafka_bootstrap = kafka_bootstrap or services.kafka_bootstrap_servers
    rid = uuid.uuid4().hex[:10]
    url = make_url(database_url)
    private = url.set(database=f"boxoffice_bench_{rid}").render_as_string(hide_password=False)
    return BenchEnv(
        run_id=rid,
        admin_url=database_url,
        database_url=private,
        kafka_bootstrap=kafka_bootstrap,
        topic=f"boxoffice.bench.{rid}.events",
        dead_letter_topic=f"boxoffice.bench.{rid}.events.dlq",
        reader_password=ServiceSettings().reader_password.get_secret_value(),
    )


def _admin_conn(env: BenchEnv) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(libpq_dsn(env.admin_url), autocommit=True)


def create_database(env: BenchEnv) -> None:
    """Create and migrate the private database (the same migrations as production)."""
    with _admin_conn(env) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(env.database_name)))
    upgrade(env.database_url, reader_password=env.reader_password)


def drop_database(env: BenchEnv) -> None:
    """Drop the private database, closing any session still attached to it."""
    with _admin_conn(env) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(env.database_name))
        )


async def create_topics(env: BenchEnv) -> None:
    """Create the two private topics; raises if the broker refused either (aiokafka answers a refusal
    per topic without raising), after creating the other one."""
    async with kafka_admin(env.kafka_bootstrap) as admin:
        response = await admin.create_topics(
            [
                NewTopic(env.topic, EVENTS_TOPIC_PARTITIONS, 1, topic_configs=LOG_CONFIG),
                NewTopic(env.dead_letter_topic, 1, 1, topic_configs=LOG_CONFIG),
            ]
        )
        refused = [(error[0], error[1]) for error in response.topic_errors if error[1] != 0]
        if refused:
            raise RuntimeError(f"the broker refused to create topics (topic, error code): {refused}")
        # Metadata of a new topic reaches every client a moment after creation.
        for _ in range(50):
            if env.topic in await admin.list_topics():
                break
            await asyncio.sleep(0.1)


async def delete_topics(env: BenchEnv) -> None:
    """Delete whichever of the two private topics exist (never the shared ones: only names of this
    run), so a half-done creation is undone too."""
    async with kafka_admin(env.kafka_bootstrap) as admin:
        existing = set(await admin.list_topics()) & {env.topic, env.dead_letter_topic}
        if existing:
            await admin.delete_topics(sorted(existing))


@asynccontextmanager
async def private_services(env: BenchEnv, *, keep: bool = False) -> AsyncIterator[BenchEnv]:
    """The run's migrated database and its two topics, created on entry.

    On exit, however the body ends, the topics are deleted and the database is
    dropped, unless ``keep`` (for inspection). A creation that failed halfway is
    undone too (whichever topic exists is deleted). When the creation or the body
    raised, that error is the one raised: a failed deletion then is logged, not
    raised in its place.
    """
    create_database(env)
    try:
        try:
            await create_topics(env)
            yield env
        except BaseException:
            if not keep:
                await _delete_topics_quietly(env)
            raise
        if not keep:
            await delete_topics(env)
    finally:
        if not keep:
            drop_database(env)


async def _delete_topics_quietly(env: BenchEnv) -> None:
    """``delete_topics`` when an error is already on its way: its own failure is only logged."""
    try:
        await delete_topics(env)
    except Exception:
        log.exception("could not delete the topics of run %s", env.run_id)


@contextmanager
def private_database(database_url: str) -> Iterator[str]:
    """A run's migrated database alone (no topic) on ``database_url``'s server, dropped on exit
    however the block ends. Yields its URL."""
    env = new_env(database_url, kafka_bootstrap="")  # no topic: Kafka is never asked
    create_database(env)
    try:
        yield env.database_url
    finally:
        drop_database(env)
