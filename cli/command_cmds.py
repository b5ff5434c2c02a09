"""``boxoffice command-api``, ``boxoffice command-worker`` and ``boxoffice events republish|show|tail``.

Wiring in ``cli.main``::

    app.command("command-api")(command_cmds.command_api)
    app.command("command-worker")(command_cmds.command_worker)
    app.add_typer(command_cmds.events_app, name="events")
"""

from typing import TYPE_CHECKING, Annotated

import typer

from cli.event_log import commands as event_log
from cli.options import optional_count
from cli.stack_topology import COMMAND_PORT, HOST, WORKER_METRICS_PORT

if TYPE_CHECKING:
    from command_side.settings import CommandSettings

events_app = typer.Typer(
    help="The event log: a show's stream, the live topic, re-publication from the event store.",
    no_args_is_help=True,
)
events_app.command("show")(event_log.show)
events_app.command("tail")(event_log.tail)


def _settings() -> "CommandSettings":
    # Imported here so that other ``boxoffice`` commands do not load the command side.
    from command_side.settings import CommandSettings
    from infra.services import resolve_services

    services = resolve_services()
    return CommandSettings(
        database_url=services.database_url, kafka_bootstrap_servers=services.kafka_bootstrap_servers
    )


def command_api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = HOST,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = COMMAND_PORT,
    workers: Annotated[
        int | None,
        optional_count(
            1, 32, "BOXOFFICE_COMMAND_API_WORKERS", "Server processes (one pool each); default: one per core."
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the command API (venues, shows, holds, orders, payments, cancellations)."""
    import os

    from command_side.serve import serve

    serve(host=host, port=port, workers=workers or os.cpu_count() or 1, log_level=log_level)


def command_worker(
    log_level: Annotated[str, typer.Option(help="Logging level.")] = "INFO",
    metrics_port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            envvar="BOXOFFICE_WORKER_METRICS_PORT",
            help="Prometheus /metrics port; 0 for none.",
        ),
    ] = WORKER_METRICS_PORT,
) -> None:
    """Relay the outbox to Kafka and expire holds and orders (one leader at a time; others stand by)."""
    import asyncio
    import logging

    from command_side.bootstrap import build_worker
    from infra.stop_signals import until_signalled
    from infra.telemetry import configure_tracing

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    configure_tracing("boxoffice-command-worker")
    worker = build_worker(_settings().model_copy(update={"worker_metrics_port": metrics_port}))

    asyncio.run(until_signalled(worker.run))


@events_app.command("republish")
def republish(
    from_store: Annotated[
        bool, typer.Option("--from-store", help="Re-create the topic's content from the outbox.")
    ] = False,
    lock_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the relay's leader lock (held by a running worker).")
    ] = 30.0,
) -> None:
    """Publish every stored event again, per show in seq order, with the same ids and bytes."""
    import asyncio

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from command_side.republish import RelayBusyError, republish_from_store

    console = Console()
    if not from_store:
        console.print("[red]only --from-store is supported: say where the events come from[/red]")
        raise typer.Exit(2)
    settings = _settings()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("republishing", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            published = asyncio.run(republish_from_store(settings, report, lock_timeout=lock_timeout))
        except RelayBusyError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"republished {published} event(s) from the store")
