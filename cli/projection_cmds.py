"""``boxoffice projector``, ``boxoffice projections status|replay|abandon``, ``boxoffice dlq list|redrive``.

Each command resolves the services, builds the production deployments of the
named projections and calls ``projections``; nothing here decides anything.
"""

# The side is imported inside each command, so that `boxoffice --help` stays fast and loads no driver.

import asyncio
import json
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from projections.runtime.projection import Deployment

projections_app = typer.Typer(help="Projection versions: status, replay, abandon.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead-lettered events: list and re-drive.", no_args_is_help=True)
console = Console()

Names = Annotated[list[str] | None, typer.Argument(help="Projections (default: all).", show_default=False)]


def _services() -> tuple[str, str]:
    from infra.services import resolve_services

    services = resolve_services()
    return services.database_url, services.kafka_bootstrap_servers


def _deployments(names: list[str] | None) -> "list[Deployment]":
    from projections.catalog import PROJECTIONS, deployment

    try:
        return [deployment(n) for n in (names or sorted(PROJECTIONS))]
    except KeyError as exc:
        console.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from None


def projector(
    names: Names = None,
    metrics_port: Annotated[int, typer.Option(help="Prometheus /metrics port; 0 for none.")] = 9101,
    max_records: Annotated[
        int | None,
        typer.Option(help="Most events per batch (default: BOXOFFICE_PROJECTOR_MAX_RECORDS, else 20000)."),
    ] = None,
) -> None:
    """Keep the live version of each projection up to date (SIGTERM/SIGINT stop it cleanly)."""
    import logging

    from infra.telemetry import configure_tracing
    from projections.bootstrap import build_projector
    from projections.settings import ProjectorSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    configure_tracing("boxoffice-projector")
    database_url, bootstrap = _services()
    overrides: dict[str, Any] = {} if max_records is None else {"projector_max_records": max_records}
    settings = ProjectorSettings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        projector_metrics_port=metrics_port or None,
        **overrides,
    )
    asyncio.run(build_projector(settings, _deployments(names)).serve())


@projections_app.command("status")
def status(
    names: Names = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    sample: Annotated[float, typer.Option(help="Seconds over which the rate is measured.")] = 1.0,
) -> None:
    """Active versions, positions and lag per partition, rate, quarantine and dead letters."""
    from projections.ops.status import collect_status

    database_url, bootstrap = _services()
    from projections.catalog import PROJECTIONS

    # Without names: the projections of this code base (the registry also holds private test runs).
    rows = asyncio.run(collect_status(database_url, bootstrap, names or sorted(PROJECTIONS), sample))
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2, default=str))
        return
    table = Table(
        "projection",
        "version",
        "state",
        "consumer group",
        "position",
        "lag (events)",
        "lag (s)",
        "events/s",
        "quarantined",
        "parked",
        "dead letters",
        "ETA (s)",
    )
    for r in rows:
        table.add_row(
            r.projection,
            str(r.version),
            r.state,
            r.consumer_group,
            f"{r.consumed}/{r.total}",
            str(r.lag_events),
            f"{r.lag_seconds:.1f}",
            f"{r.events_per_second:.0f}",
            str(r.quarantined_shows),
            str(r.parked_events),
            str(r.dead_letters),
            f"{r.eta_seconds:.0f}" if r.eta_seconds is not None else "",
        )
    console.print(table)
    for r in rows:
        lagging = [p for p in r.partitions if p.lag_events]
        for p in lagging:
            console.print(
                f"  {r.projection} v{r.version} partition {p.partition}: {p.next_offset}/{p.end_offset}"
            )


@projections_app.command("replay")
def replay(
    names: Names = None,
    *,
    all_: Annotated[bool, typer.Option("--all", help="Replay every projection.")] = False,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted replay.")] = False,
    keep_old: Annotated[bool, typer.Option(help="Keep the old version's tables after the swap.")] = False,
    verify: Annotated[bool, typer.Option(help="Refuse to swap if the versions differ.")] = False,
    processes: Annotated[
        int, typer.Option(min=1, help="Processes building each new version, its partitions split among them.")
    ] = 1,
    one_by_one: Annotated[
        bool,
        typer.Option("--one-at-a-time", help="Replay the projections one after another, not all at once."),
    ] = False,
) -> None:
    """Build the next version from the start of the log while the current one serves, then swap.

    Several projections replay at the same time, each in a process of its own (one bar each; one
    failing does not stop the others; exit code 1 if any failed); ``--one-at-a-time`` replays them
    one after another in this process instead, stopping at the first failure."""
    from cli.replay_view import concurrently, one_at_a_time
    from projections.ops.replay_concurrent import ReplayOptions

    if not names and not all_:
        console.print("[red]name the projections to replay, or pass --all[/red]")
        raise typer.Exit(2)
    database_url, bootstrap = _services()
    deployments = _deployments(None if all_ else names)
    options = ReplayOptions(resume=resume, keep_old=keep_old, verify=verify, processes=processes)
    run = one_at_a_time if one_by_one or len(deployments) == 1 else concurrently
    run(console, deployments, database_url, bootstrap, options)


@projections_app.command("abandon")
def abandon(name: Annotated[str, typer.Argument(help="The projection whose replay to drop.")]) -> None:
    """Drop an interrupted replay; the serving version is untouched."""
    from projections.ops.replay import ReplayError
    from projections.ops.replay import abandon as run_abandon

    database_url, _ = _services()
    try:
        dropped = asyncio.run(run_abandon(_deployments([name])[0], database_url))
    except ReplayError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{name}: abandoned version {dropped.version}")


ShowOpt = Annotated[UUID | None, typer.Option("--show", help="Only this show.")]
ProjectionOpt = Annotated[str | None, typer.Option("--projection", help="Only this projection.")]


@dlq_app.command("list")
def list_(
    projection: ProjectionOpt = None,
    show: ShowOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Include redriven ones.")] = False,
) -> None:
    """Dead letters of the live versions, with their error and whether their show is quarantined."""
    from psycopg import AsyncConnection

    from infra.db import libpq_dsn
    from projections.ops.dead_letter_queue import DeadLetterRow, list_dead_letters
    from projections.runtime.versions import find

    database_url, _ = _services()

    async def collect() -> list[DeadLetterRow]:
        rows: list[DeadLetterRow] = []
        async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
            for d in _deployments([projection] if projection else None):
                live = await find(conn, d.registry_name, "live")
                if live is not None:
                    rows += await list_dead_letters(conn, live, show, all_)
        return rows

    table = Table(
        "projection",
        "show",
        "partition/offset",
        "seq",
        "type",
        "error",
        "quarantined",
        "parked",
        "dead at",
        "redriven",
    )
    for r in asyncio.run(collect()):
        table.add_row(
            f"{r.projection} v{r.version}",
            str(r.show_id or "-"),
            f"{r.partition}/{r.offset}",
            str(r.seq or "-"),
            r.event_type or "-",
            r.error[:120],
            "yes" if r.quarantined else "no",
            str(r.parked),
            r.dead_at.isoformat(timespec="seconds"),
            r.redriven_at.isoformat(timespec="seconds") if r.redriven_at else "",
        )
    console.print(table)


@dlq_app.command("redrive")
def redrive(
    projection: ProjectionOpt = None,
    show: ShowOpt = None,
    skip_dead: Annotated[bool, typer.Option(help="Apply the parked events without the dead one.")] = False,
) -> None:
    """Re-apply dead-lettered events and their shows' parked events in order, lifting the quarantine."""
    from projections.ops.dead_letter_queue import redrive as run_redrive

    database_url, _ = _services()
    failed = False
    for d in _deployments([projection] if projection else None):
        for r in asyncio.run(run_redrive(d, database_url, show, skip_dead=skip_dead)):
            if r.error:
                failed = True
                console.print(f"[red]{d.registry_name} show {r.show_id}: still failing: {r.error}[/red]")
            else:
                console.print(
                    f"{d.registry_name} show {r.show_id}: {r.applied} applied,"
                    f" {r.duplicates} duplicates dropped; quarantine lifted"
                )
    if failed:
        raise typer.Exit(1)
