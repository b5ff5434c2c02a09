"""``python -m benchmarks.reads``: reads at the machine's limit, driven by wrk (see docs/performance.md)."""

from pathlib import Path
from typing import Annotated

import typer

from benchmarks.reads.config import ReadBenchOptions
from benchmarks.run_cli import Outcome, run_and_report
from infra.settings import ServiceSettings


def _workers(text: str) -> tuple[int, ...]:
    try:
        workers = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter("comma-separated process counts, e.g. 1,2") from None
    if not workers or min(workers) < 1:
        raise typer.BadParameter("at least one count, each >= 1")
    return workers


def reads(
    *,
    duration: Annotated[int, typer.Option(min=1, help="Seconds per wrk case (closed and open loop).")] = 10,
    orders: Annotated[int, typer.Option(min=560, help="Generated orders (560 per show).")] = 20_000,
    connections: Annotated[int, typer.Option(min=1, help="wrk connections of the closed loop.")] = 8,
    background_rate: Annotated[
        float, typer.Option(min=0.1, help="Holds/s through the command API during the reads.")
    ] = 100.0,
    open_rate: Annotated[
        float, typer.Option(min=1.0, help="Availability reads/s of the open loop.")
    ] = 1_000.0,
    open_connections: Annotated[int, typer.Option(min=1, help="wrk connections of the open loop.")] = 20,
    freshness_rate: Annotated[float, typer.Option(min=0.1, help="Holds/s of the freshness loop.")] = 200.0,
    freshness_seconds: Annotated[float, typer.Option(min=1.0, help="Seconds of the freshness loop.")] = 15.0,
    query_workers: Annotated[
        str, typer.Option(help="Query API processes: the first for every section, the others for (d).")
    ] = "1,2",
    command_workers: Annotated[int, typer.Option(min=1, help="Command API processes.")] = 2,
    restart_query_api: Annotated[
        bool,
        typer.Option(
            help="Measure a query API process started after the data load, not the one that ran "
            "through the bulk load (the default)."
        ),
    ] = False,
    quick: Annotated[
        bool, typer.Option(help="Smoke-test size: every section, 1 s each, 1,200 orders, low rates.")
    ] = False,
    allow_non_durable: Annotated[
        bool,
        typer.Option(
            help="Measure even if PostgreSQL runs with fsync=off or synchronous_commit=off "
            "(the report then says so in its first lines)."
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Directory of report.md, results.json, logs (default: <state dir>/bench/reads)."),
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the private database and topics for inspection.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = 7,
    install: Annotated[
        bool, typer.Option(help="Install wrk with scripts/install-bench-tools.sh when it is missing.")
    ] = True,
) -> None:
    """Reads per second and latency of the query API under wrk, against its own /healthz and the
    cached compute-on-read baseline, while holds run; an open loop; freshness; more processes."""

    options = ReadBenchOptions(
        out_dir=out if out is not None else ServiceSettings().state_dir / "bench" / "reads",
        orders=orders,
        seconds=duration,
        connections=connections,
        background_rate=background_rate,
        open_rate=open_rate,
        open_connections=open_connections,
        freshness_rate=freshness_rate,
        freshness_seconds=freshness_seconds,
        query_workers=_workers(query_workers),
        command_workers=command_workers,
        restart_query_api=restart_query_api,
        allow_non_durable=allow_non_durable,
        keep=keep,
        seed=seed,
        install=install,
    )
    if quick:
        options = options.as_quick()
    run_and_report(lambda: _run(options))


async def _run(options: ReadBenchOptions) -> Outcome:
    from benchmarks.reads.run import run  # noqa: PLC0415  # loads the stack only when a run starts

    return await run(options)
