"""``boxoffice infra``: the local Kafka (KRaft) and PostgreSQL, started without Docker.

When ``BOXOFFICE_DATABASE_URL`` and ``BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS`` are
set those services are used and nothing is started (``--local`` overrides).
"""

import shlex
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from infra.db import libpq_dsn
from infra.launcher import Launcher, LauncherError, LauncherSettings
from infra.launcher.aio import run_sync
from infra.launcher.kafka import metadata_answers
from infra.launcher.kafka_artifacts import resolve_classpath
from infra.launcher.postgres_bin import find_bin_dir
from infra.services import Services, resolve_services
from infra.settings import ServiceSettings
from infra.topic_setup import ensure_topics_sync

app = typer.Typer(help="Local Kafka and PostgreSQL.", no_args_is_help=True)
console = Console()

StateDir = Annotated[
    Path | None, typer.Option(help="Data, logs and pid files [env BOXOFFICE_STATE_DIR; default var/].")
]
KafkaPort = Annotated[int | None, typer.Option(help="Kafka client port [default 19092].")]
ControllerPort = Annotated[int | None, typer.Option(help="Kafka controller port [default 19093].")]
PostgresPort = Annotated[int | None, typer.Option(help="PostgreSQL port [default 54329].")]
Local = Annotated[bool, typer.Option("--local", help="Use the local launcher even if the env vars are set.")]


def _launcher(
    state_dir: Path | None, kafka_port: int | None, controller_port: int | None, postgres_port: int | None
) -> Launcher:
    overrides = {
        "state_dir": state_dir.resolve() if state_dir else None,
        "kafka_port": kafka_port,
        "kafka_controller_port": controller_port,
        "postgres_port": postgres_port,
    }
    base = LauncherSettings()
    return Launcher(base.model_copy(update={k: v for k, v in overrides.items() if v is not None}))


def _external(local: bool) -> Services | None:
    """The configured services, unless ``--local`` or they are not configured."""
    settings = ServiceSettings()
    if local or not (settings.database_url or settings.kafka_bootstrap_servers):
        return None
    return resolve_services(settings=settings)


def _fail(error: LauncherError) -> typer.Exit:
    console.print(f"[bold red]error:[/] {error}", highlight=False)
    return typer.Exit(1)


def _report(line: str) -> None:
    console.print(f"  {line}", highlight=False)


@app.command("up")
def up(
    local: Local = False,
    state_dir: StateDir = None,
    kafka_port: KafkaPort = None,
    kafka_controller_port: ControllerPort = None,
    postgres_port: PostgresPort = None,
) -> None:
    """Start Kafka and PostgreSQL and create the topics (idempotent; waits until both answer)."""
    try:
        external = _external(local)
        if external is not None:
            console.print("BOXOFFICE_DATABASE_URL and _KAFKA_BOOTSTRAP_SERVERS are set: nothing started")
            for topic in ensure_topics_sync(external.kafka_bootstrap_servers):
                _report(f"created topic {topic}")
            return
        launcher = _launcher(state_dir, kafka_port, kafka_controller_port, postgres_port)
        with console.status("starting the local services"):
            result = launcher.up(_report)
    except LauncherError as error:
        raise _fail(error) from None
    _print_status(launcher)
    verb = "started " + ", ".join(result.started) if result.started else "already running"
    console.print(f"[green]ready[/] ({verb}); `eval $(boxoffice infra env)` exports their URLs")


@app.command("down")
def down(
    local: Local = False,
    state_dir: StateDir = None,
    kafka_port: KafkaPort = None,
    kafka_controller_port: ControllerPort = None,
    postgres_port: PostgresPort = None,
) -> None:
    """Stop the local services; their data stays in the state dir."""
    try:
        if _external(local) is not None:
            console.print("the services are external (env vars set): nothing to stop")
            return
        launcher = _launcher(state_dir, kafka_port, kafka_controller_port, postgres_port)
        stopped = launcher.down(_report)
    except LauncherError as error:
        raise _fail(error) from None
    console.print("stopped " + ", ".join(stopped) if stopped else "nothing was running")


@app.command("status")
def status(
    local: Local = False,
    state_dir: StateDir = None,
    kafka_port: KafkaPort = None,
    kafka_controller_port: ControllerPort = None,
    postgres_port: PostgresPort = None,
) -> None:
    """Show each local service, its pid, address and log file; exit 1 unless both run."""
    try:
        external = _external(local)
    except LauncherError as error:
        raise _fail(error) from None
    if external is not None:
        if not _print_external(external):
            raise typer.Exit(1)
        return
    launcher = _launcher(state_dir, kafka_port, kafka_controller_port, postgres_port)
    _print_status(launcher)
    if not launcher.is_running():
        raise typer.Exit(1)


def _print_status(launcher: Launcher) -> None:
    table = Table("service", "state", "pid", "address")
    statuses = launcher.status()
    for service in statuses:
        state = "[green]running[/]" if service.running else "[red]stopped[/]"
        table.add_row(service.name, state, str(service.pid or "-"), service.address)
    console.print(table)
    for service in statuses:
        console.print(f"{service.name} data: {service.data_dir}", highlight=False, soft_wrap=True)
        console.print(f"{service.name} log: {service.log_file}", highlight=False, soft_wrap=True)


def _print_external(services: Services) -> bool:
    """Say whether each configured service answers; True when both do."""
    kafka_ok = run_sync(metadata_answers(services.kafka_bootstrap_servers, timeout_s=5))
    try:
        with psycopg.connect(libpq_dsn(services.database_url), connect_timeout=5):
            postgres_ok = True
    except psycopg.OperationalError:
        postgres_ok = False
    shown = make_url(services.database_url).render_as_string(hide_password=True)
    console.print("external services (BOXOFFICE_DATABASE_URL/_KAFKA_BOOTSTRAP_SERVERS set):")
    for name, address, ok in (
        ("postgresql", shown, postgres_ok),
        ("kafka", services.kafka_bootstrap_servers, kafka_ok),
    ):
        answer = "[green]answers[/]" if ok else "[red]does not answer[/]"
        console.print(f"  {name} {address}: {answer}", highlight=False, soft_wrap=True)
    return kafka_ok and postgres_ok


@app.command("env")
def env(
    local: Local = False,
    state_dir: StateDir = None,
    kafka_port: KafkaPort = None,
    kafka_controller_port: ControllerPort = None,
    postgres_port: PostgresPort = None,
) -> None:
    """Print ``export`` lines for the running services: ``eval $(boxoffice infra env)``."""
    try:
        services = _external(local)
        if services is None:
            launcher = _launcher(state_dir, kafka_port, kafka_controller_port, postgres_port)
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


@app.command("install")
def install(state_dir: StateDir = None) -> None:
    """Resolve the Kafka jars from Maven Central and install PostgreSQL if missing (idempotent)."""
    settings = _launcher(state_dir, None, None, None).settings
    try:
        _, resolved = resolve_classpath(settings.kafka_dir, settings.mvn_bin)
        if resolved:
            _report("resolved the Kafka artifacts from Maven Central")
        find_bin_dir(settings.postgres_bin_dir, _report)
    except LauncherError as error:
        raise _fail(error) from None
