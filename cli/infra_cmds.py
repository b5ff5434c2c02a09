"""``boxoffice infra``: the local Kafka (KRaft) and PostgreSQL, started without Docker.

When ``BOXOFFICE_DATABASE_URL`` and ``BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS`` are
set those services are used and nothing is started (``--local`` overrides).
``up --replicas N --brokers M`` adds PostgreSQL hot standbys and makes Kafka a
KRaft cluster; the other commands find that topology in the state dir.
"""

import json
import shlex
from typing import Annotated

import typer
from rich.console import Console

from cli.infra_status import external_answers, status_json, status_report
from cli.infra_target import StateDir, Target, with_target
from infra.launcher import LauncherError
from infra.launcher.kafka_artifacts import resolve_classpath
from infra.launcher.postgres_bin import find_bin_dir
from infra.services import resolve_services
from infra.settings import ServiceSettings
from infra.topic_setup import ensure_topics_sync

app = typer.Typer(help="Local Kafka and PostgreSQL.", no_args_is_help=True)
console = Console()

Replicas = Annotated[
    int | None,
    typer.Option(
        min=0,
        max=4,
        help="PostgreSQL hot standbys, ports 54330... [env BOXOFFICE_INFRA_REPLICAS; "
        "default: as last started, else 0].",
    ),
]
Brokers = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=9,
        help="Kafka nodes (KRaft, each broker and controller), ports 19092... [env "
        "BOXOFFICE_INFRA_BROKERS; default: as last started, else 1].",
    ),
]


def _fail(error: LauncherError) -> typer.Exit:
    console.print(f"[bold red]error:[/] {error}", highlight=False)
    return typer.Exit(1)


def _report(line: str) -> None:
    console.print(f"  {line}", highlight=False)


@app.command("up")
@with_target
def up(target: Target, replicas: Replicas = None, brokers: Brokers = None) -> None:
    """Start Kafka and PostgreSQL and create the topics (idempotent; waits until every node answers)."""
    try:
        external = target.external()
        if external is not None:
            console.print("BOXOFFICE_DATABASE_URL and _KAFKA_BOOTSTRAP_SERVERS are set: nothing started")
            for topic in ensure_topics_sync(external.kafka_bootstrap_servers):
                _report(f"created topic {topic}")
            return
        launcher = target.launcher(replicas, brokers)
        with console.status("starting the local services"):
            result = launcher.up(_report)
    except LauncherError as error:
        raise _fail(error) from None
    console.print(status_report(launcher.status(with_lag=True)), highlight=False, soft_wrap=True)
    verb = "started " + ", ".join(result.started) if result.started else "already running"
    console.print(f"[green]ready[/] ({verb}); `eval $(boxoffice infra env)` exports their URLs")


@app.command("down")
@with_target
def down(target: Target) -> None:
    """Stop every local node (primary, replicas, Kafka nodes); their data stays in the state dir."""
    try:
        if target.external() is not None:
            console.print("the services are external (env vars set): nothing to stop")
            return
        launcher = target.launcher()
        stopped = launcher.down(_report)
    except LauncherError as error:
        raise _fail(error) from None
    console.print("stopped " + ", ".join(stopped) if stopped else "nothing was running")


@app.command("status")
@with_target
def status(
    target: Target,
    as_json: Annotated[bool, typer.Option("--json", help="JSON: every node and its role.")] = False,
) -> None:
    """Show each local node, its role, pid, address, replay lag and log file; exit 1 unless all run."""
    try:
        external = target.external()
    except LauncherError as error:
        raise _fail(error) from None
    if external is not None:
        report, answering = external_answers(external)
        console.print(report, highlight=False, soft_wrap=True)
        if not answering:
            raise typer.Exit(1)
        return
    launcher = target.launcher()
    statuses = launcher.status(with_lag=True)
    if as_json:
        print(json.dumps(status_json(launcher.settings, statuses), indent=2))
    else:
        console.print(status_report(statuses), highlight=False, soft_wrap=True)
    if not all(s.running for s in statuses):
        raise typer.Exit(1)


@app.command("env")
@with_target
def env(target: Target) -> None:
    """Print ``export`` lines for the running services: ``eval $(boxoffice infra env)``.

    With a hot standby running, also ``BOXOFFICE_QUERY_DATABASE_URL``: the query
    API's read-only role on the replica.
    """
    try:
        services = target.external()
        if services is None:
            launcher = target.launcher()
            settings = ServiceSettings().model_copy(
                update={"database_url": None, "kafka_bootstrap_servers": None}
            )
            services = resolve_services(settings=settings, launcher_settings=launcher.settings)
    except LauncherError as error:
        Console(stderr=True).print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    # Plain print, not rich: the output is meant for eval and must not be wrapped or styled.
    print(f"export BOXOFFICE_DATABASE_URL={shlex.quote(services.database_url)}")
    print(f"export BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS={shlex.quote(services.kafka_bootstrap_servers)}")
    query_url = services.replica_query_database_url or services.settings.query_database_url
    if query_url:
        print(f"export BOXOFFICE_QUERY_DATABASE_URL={shlex.quote(query_url)}")


@app.command("install")
def install(state_dir: StateDir = None) -> None:
    """Resolve the Kafka jars from Maven Central and install PostgreSQL if missing (idempotent)."""
    settings = Target(state_dir=state_dir).launcher().settings
    try:
        _, resolved = resolve_classpath(settings.kafka_dir, settings.mvn_bin)
        if resolved:
            _report("resolved the Kafka artifacts from Maven Central")
        find_bin_dir(settings.postgres_bin_dir, _report)
    except LauncherError as error:
        raise _fail(error) from None
