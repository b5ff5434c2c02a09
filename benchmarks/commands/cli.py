"""``python -m benchmarks.commands``: the command benchmark driven by wrk (see docs/performance.md)."""

import os
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.commands.config import QUICK_LEVELS, QUICK_SECONDS, QUICK_SPREAD_SHOWS, CommandBenchOptions
from benchmarks.run_cli import AllowNonDurable, InstallWrk, Keep, counts, out_dir, out_option, run_wrk_bench

DEFAULT = CommandBenchOptions(out_dir=Path())  # each option's default is its field's, written once


def _levels(text: str) -> tuple[int, ...]:
    return counts(text, what="connection", example="1,8,32,64", item="level", distinct=True)


def commands(
    *,
    levels: Annotated[str, typer.Option(help="wrk connections per case, comma separated.")] = ",".join(
        map(str, DEFAULT.levels)
    ),
    duration: Annotated[
        int, typer.Option(min=1, help="Seconds per case (and per floor level).")
    ] = DEFAULT.seconds,
    spread_shows: Annotated[
        int, typer.Option(min=1, help="Shows the spread cases pick from.")
    ] = DEFAULT.spread_shows,
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
    allow_non_durable: AllowNonDurable = DEFAULT.allow_non_durable,
    out: Annotated[Path | None, out_option("commands")] = None,
    keep: Keep = DEFAULT.keep,
    seed: Annotated[
        int, typer.Option(help="Seed of the requests' random shows, zones and seats.")
    ] = DEFAULT.seed,
    install: InstallWrk = DEFAULT.install,
) -> None:
    """Holds per second and latency of the command API under wrk: explicit and best-available holds,
    200- and 20,000-seat zones, spread over shows and on one hot show, with the generator's floor."""

    options = CommandBenchOptions(
        out_dir=out_dir(out, "commands"),
        levels=_levels(levels),
        seconds=duration,
        spread_shows=spread_shows,
        workers=workers or os.cpu_count() or 1,
        allow_non_durable=allow_non_durable,
        keep=keep,
        seed=seed,
        install=install,
    )
    run_wrk_bench(options, quick, "benchmarks.commands.run")
