"""``python -m benchmarks.commands``: the command benchmark driven by wrk (see docs/performance.md)."""

import os
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.commands.config import QUICK_LEVELS, QUICK_SECONDS, QUICK_SPREAD_SHOWS, CommandBenchOptions
from benchmarks.run_cli import Outcome, run_and_report
from infra.settings import ServiceSettings


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise typer.BadParameter("comma-separated connection counts, e.g. 1,8,32,64") from None
    if not levels or levels[0] < 1:
        raise typer.BadParameter("at least one level, each >= 1")
    return levels


def commands(
    *,
    levels: Annotated[str, typer.Option(help="wrk connections per case, comma separated.")] = "1,8,32,64",
    duration: Annotated[int, typer.Option(min=1, help="Seconds per case (and per floor level).")] = 10,
    spread_shows: Annotated[int, typer.Option(min=1, help="Shows the spread cases pick from.")] = 10,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Command API processes (default: one per core).")
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            help=f"Smoke-test size: levels {','.join(map(str, QUICK_LEVELS))}, {QUICK_SECONDS} s per "
            f"case, {QUICK_SPREAD_SHOWS} spread shows (overrides those three options)."
        ),
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
        typer.Option(
            help="Directory of report.md, results.json, logs (default: <state dir>/bench/commands)."
        ),
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the private database and topics for inspection.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the requests' random shows, zones and seats.")] = 7,
    install: Annotated[
        bool, typer.Option(help="Install wrk with scripts/install-bench-tools.sh when it is missing.")
    ] = True,
) -> None:
    """Holds per second and latency of the command API under wrk: explicit and best-available holds,
    200- and 20,000-seat zones, spread over shows and on one hot show, with the generator's floor."""

    options = CommandBenchOptions(
        out_dir=out if out is not None else ServiceSettings().state_dir / "bench" / "commands",
        levels=_levels(levels),
        seconds=duration,
        spread_shows=spread_shows,
        workers=workers or os.cpu_count() or 1,
        allow_non_durable=allow_non_durable,
        keep=keep,
        seed=seed,
        install=install,
    )
    if quick:
        options = options.as_quick()
    run_and_report(lambda: _run(options))


async def _run(options: CommandBenchOptions) -> Outcome:
    from benchmarks.commands.run import run  # noqa: PLC0415  # loads the stack only when a run starts

    return await run(options)
