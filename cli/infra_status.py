"""What ``boxoffice infra status`` shows: every node of the local topology, or the configured services.

Rendering only; the launcher and the probes say what runs.
"""

import psycopg
from rich.console import Group
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import make_url

from infra.db import libpq_dsn
from infra.launcher import LauncherSettings, ServiceStatus
from infra.launcher.aio import run_sync
from infra.launcher.kafka import metadata_answers
from infra.services import Services


def status_json(settings: LauncherSettings, statuses: tuple[ServiceStatus, ...]) -> dict[str, object]:
    """The topology and each node: name, role, running, pid, address, data dir, log file, replay lag."""
    return {
        "brokers": settings.brokers,
        "replicas": settings.replicas,
        "kafka_bootstrap_servers": settings.kafka_bootstrap_servers,
        "nodes": [
            {
                "name": s.name,
                "role": s.role,
                "running": s.running,
                "pid": s.pid,
                "address": s.address,
                "data_dir": str(s.data_dir),
                "log_file": str(s.log_file),
                "replay_lag_seconds": s.replay_lag_s,
                "replay_lag_bytes": s.replay_lag_bytes,
            }
            for s in statuses
        ],
    }


def status_report(statuses: tuple[ServiceStatus, ...]) -> Group:
    """A table of the nodes (role, state, pid, address, replay lag), then each one's data dir and log."""
    table = Table("service", "role", "state", "pid", "address", "replay lag")
    for service in statuses:
        state = "[green]running[/]" if service.running else "[red]stopped[/]"
        lag = "-"
        if service.replay_lag_s is not None:
            lag = f"{service.replay_lag_s:.1f} s, {service.replay_lag_bytes} bytes"
        table.add_row(service.name, service.role, state, str(service.pid or "-"), service.address, lag)
    lines = [
        Text(f"{service.name} {what}: {path}")
        for service in statuses
        for what, path in (("data", service.data_dir), ("log", service.log_file))
    ]
    return Group(table, *lines)


def external_answers(services: Services) -> tuple[Group, bool]:
    """Whether each configured service answers, as lines to print; True when both do."""
    kafka_ok = run_sync(metadata_answers(services.kafka_bootstrap_servers, timeout_s=5))
    try:
        with psycopg.connect(libpq_dsn(services.database_url), connect_timeout=5):
            postgres_ok = True
    except psycopg.OperationalError:
        postgres_ok = False
    shown = make_url(services.database_url).render_as_string(hide_password=True)
    lines = [Text("external services (BOXOFFICE_DATABASE_URL/_KAFKA_BOOTSTRAP_SERVERS set):")]
    for name, address, ok in (
        ("postgresql", shown, postgres_ok),
        ("kafka", services.kafka_bootstrap_servers, kafka_ok),
    ):
        answer = "[green]answers[/]" if ok else "[red]does not answer[/]"
        lines.append(Text.from_markup(f"  {name} {Text(address).markup}: {answer}"))
    return Group(*lines), kafka_ok and postgres_ok
