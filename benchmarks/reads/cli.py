"""``python -m benchmarks.reads``: reads at the machine's limit, driven by wrk (see docs/performance.md)."""

from pathlib import Path
from typing import Annotated

import typer

from benchmarks.reads.config import ReadBenchOptions
from benchmarks.run_cli import AllowNonDurable, InstallWrk, Keep, counts, out_dir, out_option, run_wrk_bench

DEFAULT = ReadBenchOptions(out_dir=Path())  # each option's default is its field's, written once


def _workers(text: str) -> tuple[int, ...]:
    return counts(text, what="process", example="1,2", item="count")


def reads(
    *,
    duration: Annotated[
        int, typer.Option(min=1, help="Seconds per wrk case (closed and open loop).")
    ] = DEFAULT.seconds,
    orders: Annotated[int, typer.Option(min=560, help="Generated orders (560 per show).")] = DEFAULT.orders,
    connections: Annotated[
        int, typer.Option(min=1, help="wrk connections of the closed loop.")
    ] = DEFAULT.connections,
    background_rate: Annotated[
        float, typer.Option(min=0.1, help="Holds/s through the command API during the reads.")
    ] = DEFAULT.background_rate,
    open_rate: Annotated[
        float, typer.Option(min=1.0, help="Availability reads/s of the open loop.")
    ] = DEFAULT.open_rate,
    open_connections: Annotated[
        int, typer.Option(min=1, help="wrk connections of the open loop.")
    ] = DEFAULT.open_connections,
    freshness_rate: Annotated[
        float, typer.Option(min=0.1, help="Holds/s of the freshness loop.")
    ] = DEFAULT.freshness_rate,
    freshness_seconds: Annotated[
        float, typer.Option(min=1.0, help="Seconds of the freshness loop.")
    ] = DEFAULT.freshness_seconds,
    query_workers: Annotated[
        str, typer.Option(help="Query API processes: the first for every section, the others for (d).")
    ] = ",".join(map(str, DEFAULT.query_workers)),
    command_workers: Annotated[
        int, typer.Option(min=1, help="Command API processes.")
    ] = DEFAULT.command_workers,
    restart_query_api: Annotated[
        bool,
        typer.Option(
            help="Measure a query API process started after the data load, not the one that ran "
            "through the bulk load (the default)."
        ),
    ] = DEFAULT.restart_query_api,
    quick: Annotated[
        bool, typer.Option(help="Smoke-test size: every section, 1 s each, 1,200 orders, low rates.")
    ] = False,
    allow_non_durable: AllowNonDurable = DEFAULT.allow_non_durable,
    out: Annotated[Path | None, out_option("reads")] = None,
    keep: Keep = DEFAULT.keep,
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = DEFAULT.seed,
    install: InstallWrk = DEFAULT.install,
) -> None:
    """Reads per second and latency of the query API under wrk, against its own /healthz and the
    cached compute-on-read baseline, while holds run; an open loop; freshness; more processes."""

    options = ReadBenchOptions(
        out_dir=out_dir(out, "reads"),
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
    run_wrk_bench(options, quick, "benchmarks.reads.run")
