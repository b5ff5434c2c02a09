"""``boxoffice status``: one screen for an operator (services, relay leader, outbox, projections, replays).

Read-only. Exit 0 when healthy: PostgreSQL and Kafka answer, both APIs' ``/readyz``
answer 200, the worker's and the projector's metrics ports answer, and one
session holds the relay leader lock. Exit 1 otherwise (the problems are listed);
2 for a configuration error. A service that is down is shown as ``down``, never
as a stack trace.
"""

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.stack_topology import COMMAND_URL, PROJECTOR_METRICS_URL, QUERY_URL, WORKER_METRICS_URL

if TYPE_CHECKING:
    from cli.operator_status.report import StatusReport

console = Console()
_STATE_STYLE = {"up": "[green]up[/]", "not ready": "[yellow]not ready[/]", "down": "[red]down[/]"}

CommandUrl = Annotated[str, typer.Option(help="Command API base URL (its /readyz is probed).")]
QueryUrl = Annotated[str, typer.Option(help="Query API base URL (its /readyz is probed).")]
WorkerMetricsUrl = Annotated[str, typer.Option(help="Command worker's metrics base URL.")]
ProjectorMetricsUrl = Annotated[str, typer.Option(help="Projector's metrics base URL.")]


def _services() -> tuple[str, str]:
    """The configured services, or the local launcher's addresses even when they are not running."""
    from infra.launcher import LauncherError
    from infra.services import ServicesNotRunningError, launcher_for, resolve_services
    from infra.settings import ServiceSettings

    settings = ServiceSettings()
    try:
        services = resolve_services(settings=settings)
    except ServicesNotRunningError:
        launcher = launcher_for(settings).settings
        return launcher.database_url, launcher.kafka_bootstrap_servers
    except LauncherError as error:
        Console(stderr=True).print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
    return services.database_url, services.kafka_bootstrap_servers


def status(
    command_url: CommandUrl = COMMAND_URL,
    query_url: QueryUrl = QUERY_URL,
    worker_metrics_url: WorkerMetricsUrl = WORKER_METRICS_URL,
    projector_metrics_url: ProjectorMetricsUrl = PROJECTOR_METRICS_URL,
    as_json: Annotated[bool, typer.Option("--json", help="The same facts as JSON.")] = False,
) -> None:
    """Services, relay leader, outbox, projection lag, dead letters, last replay; exit 1 when unhealthy."""
    from cli.operator_status.collect import Targets, collect
    from projections.catalog import PROJECTIONS

    # aiokafka logs every refused connection; a broker that is down is already shown as "down".
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    database_url, bootstrap = _services()
    targets = Targets(
        database_url, bootstrap, command_url, query_url, worker_metrics_url, projector_metrics_url
    )
    report = asyncio.run(collect(targets, sorted(PROJECTIONS)))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print(report)
    if not report.healthy:
        raise typer.Exit(1)


def _print(report: "StatusReport") -> None:
    services = Table("service", "state", "address", "detail", title="services")
    services.columns[2].overflow = services.columns[3].overflow = "fold"
    for s in report.services:
        services.add_row(s.name, _STATE_STYLE[s.state], s.address, s.detail)
    console.print(services)
    leader = Table("pid", "application", "client", "since", title="relay leader")
    if report.relay_leaders is None:
        leader.add_row("unknown", "", "", "")
    elif not report.relay_leaders:
        leader.add_row("[red]none[/]", "no session holds the relay lock", "", "")
    for h in report.relay_leaders or []:
        since = h.since.isoformat(timespec="seconds") if h.since else ""
        leader.add_row(str(h.pid), h.application_name, h.client_addr or "local", since)
    console.print(leader)
    outbox = Table("unpublished rows", "oldest (s)", title="outbox backlog")
    if report.outbox is None:
        outbox.add_row("unknown", "")
    else:
        outbox.add_row(str(report.outbox.rows), f"{report.outbox.oldest_age_seconds:.1f}")
    console.print(outbox)
    _print_projections(report)
    for error in report.errors:
        console.print(f"[yellow]note:[/] {error}", highlight=False, soft_wrap=True)
    if report.healthy:
        console.print("[green]healthy[/]")
    else:
        console.print(
            "[bold red]unhealthy:[/] " + "; ".join(report.problems), highlight=False, soft_wrap=True
        )


def _print_projections(report: "StatusReport") -> None:
    lag = Table(
        "projection",
        "version",
        "state",
        "lag (events)",
        "lag (s)",
        "dead letters (open/all)",
        "quarantined shows",
        title="projections",
    )
    for p in report.projections or []:
        lag.add_row(
            p.projection,
            f"v{p.version}",
            p.state,
            "unknown" if p.lag_events is None else str(p.lag_events),
            "unknown" if p.lag_seconds is None else f"{p.lag_seconds:.1f}",
            f"{p.open_dead_letters}/{p.dead_letters}",
            str(p.quarantined_shows),
        )
    if report.projections is None:
        lag.add_row("unknown", "", "", "", "", "", "")
    console.print(lag)
    replays = Table("projection", "version", "state", "started", "swapped in", title="last replay")
    for r in report.replays or []:
        if r.version is None:
            replays.add_row(r.projection, "never", "", "", "")
            continue
        started = r.started_at.isoformat(timespec="seconds") if r.started_at else ""
        swapped = r.swapped_at.isoformat(timespec="seconds") if r.swapped_at else ""
        replays.add_row(r.projection, f"v{r.version}", r.state or "", started, swapped)
    console.print(replays)
