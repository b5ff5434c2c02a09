"""What ``boxoffice up`` does before it starts any process: services, migrations, topics, topology.

The local services are started with the requested topology (``--replicas``,
``--brokers``; unset: as last started), or the configured ones are used as
they are. A cluster (a replica or several brokers) runs every process twice
(:mod:`cli.stack_topology`); the second query API then reads the first
replica as the read-only role.
"""

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from cli.stack_topology import Topology
from contracts.read_model import READER_ROLE
from infra.db import with_credentials
from infra.settings import ServiceSettings

if TYPE_CHECKING:
    from infra.launcher import LauncherSettings

# Internal: how the detached supervisor learns the replica's reader DSN (kept out of its argv).
REPLICA_READER_ENV = "BOXOFFICE_STACK_REPLICA_READER_URL"


def _launcher_settings(replicas: int | None, brokers: int | None) -> "LauncherSettings":
    from infra.launcher import LauncherSettings

    overrides = {"infra_replicas": replicas, "infra_brokers": brokers}
    return LauncherSettings().model_copy(update={k: v for k, v in overrides.items() if v is not None})


def prepare(console: Console, replicas: int | None, brokers: int | None) -> tuple[dict[str, str], int]:
    """Services (started if needed), migrations and topics; the environment children inherit and how
    many instances of each process run (two on a cluster: a replica or several brokers)."""
    from infra.migrations.runner import upgrade
    from infra.services import launcher_for, resolve_services
    from infra.topic_setup import ensure_topics_sync

    launcher_settings = _launcher_settings(replicas, brokers)
    services = resolve_services(
        start=True,
        launcher_settings=launcher_settings,
        report=lambda line: console.print(f"[dim]{escape(line)}[/]"),
    )
    where = "external" if services.external else "local"
    console.print(f"services ({where}): PostgreSQL and Kafka at {services.kafka_bootstrap_servers}")
    password = services.settings.reader_password.get_secret_value()
    applied = upgrade(services.database_url, password)
    console.print(f"migrations: {len(applied)} applied" if applied else "migrations: up to date")
    created = ensure_topics_sync(services.kafka_bootstrap_servers)
    console.print(f"topics: created {', '.join(created)}" if created else "topics: present")
    env = {
        "BOXOFFICE_DATABASE_URL": services.database_url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": services.kafka_bootstrap_servers,
        "PYTHONUNBUFFERED": "1",  # children's lines reach the log as they are written
    }
    if services.external:
        cluster = (replicas or 0) > 0 or (brokers or 1) > 1
        replica = services.settings.query_database_url  # the operator's replica, if named
    else:
        started = launcher_for(services.settings, launcher_settings).settings
        cluster = started.replicas > 0 or started.brokers > 1
        replica = services.replica_query_database_url  # the first hot standby, as the reader role
    if not cluster:
        return env, 1
    if replica is not None:
        env[REPLICA_READER_ENV] = replica
    console.print(
        "cluster: every process runs twice" + (", the second query API on the replica" if replica else "")
    )
    return env, 2


def topology(host: str, command_port: int, query_port: int, instances: int, env: dict[str, str]) -> Topology:
    """The processes to supervise; on a cluster the first query API reads the primary, the second the
    replica (or the primary too, when none runs)."""
    if instances == 1:
        return Topology(host, command_port, query_port, env=env)
    password = ServiceSettings().reader_password.get_secret_value()
    primary = with_credentials(env["BOXOFFICE_DATABASE_URL"], READER_ROLE, password)
    readers = (primary, env.get(REPLICA_READER_ENV, primary))
    return Topology(host, command_port, query_port, instances, readers, env=env)
