"""Running a benchmark from its command line: shared options, interruptible runs, exit codes.

Shared by ``boxoffice bench`` (``python -m benchmarks``), ``python -m
benchmarks.commands`` and ``python -m benchmarks.reads``. The options they have
in common are declared once here, with one wording. SIGINT or SIGTERM cancel
the run so that its clean-up (processes, database, topics) runs; a refusal
(PostgreSQL not durable, no wrk) exits 2, a section that could not be measured
exits 1.
"""

import asyncio
import importlib
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from benchmarks.config import WrkBenchOptions
from infra.settings import ServiceSettings

Outcome = tuple[dict[str, Path], dict[str, str]]

Keep = Annotated[bool, typer.Option(help="Keep the private database and topics for inspection.")]
AllowNonDurable = Annotated[
    bool,
    typer.Option(
        help="Measure even if PostgreSQL runs with fsync=off or synchronous_commit=off "
        "(the report then says so in its first lines)."
    ),
]
InstallWrk = Annotated[
    bool, typer.Option(help="Install wrk with scripts/install-bench-tools.sh when it is missing.")
]


def out_option(folder: str) -> Any:
    """The ``--out`` option of a wrk benchmark whose reports go to ``<state dir>/bench/<folder>``."""
    return typer.Option(
        help=f"Directory of report.md, results.json, logs (default: <state dir>/bench/{folder})."
    )


def out_dir(out: Path | None, *folders: str) -> Path:
    """``--out`` if given, else ``<state dir>/bench/<folders...>``."""
    return out if out is not None else ServiceSettings().state_dir.joinpath("bench", *folders)


def counts(text: str, *, what: str, example: str, item: str, distinct: bool = False) -> tuple[int, ...]:
    """A comma-separated list of counts, each >= 1 (``distinct``: without repeats, rising)."""
    try:
        parsed = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"comma-separated {what} counts, e.g. {example}") from None
    values = tuple(sorted(set(parsed))) if distinct else tuple(parsed)
    if not values or min(values) < 1:
        raise typer.BadParameter(f"at least one {item}, each >= 1")
    return values


def run_wrk_bench(options: WrkBenchOptions, quick: bool, module: str) -> None:
    """``module``'s ``run(options)``, shrunk to the smoke-test size when ``quick``, through
    :func:`run_and_report`."""
    run_module(module, options.as_quick() if quick else options)


def run_module(module: str, options: object) -> None:
    """``module``'s ``run(options)`` (imported only now) through :func:`run_and_report`."""
    run_and_report(lambda: run_lazily(module, options))


async def run_lazily(module: str, options: object) -> Outcome:
    """``module.run(options)``, ``module`` imported only now: a run loads the sides and the stack,
    which takes seconds that ``--help`` should not wait for."""
    run: Callable[[object], Awaitable[Outcome]] = importlib.import_module(module).run
    return await run(options)


def run_and_report(run: Callable[[], Awaitable[Outcome]]) -> None:
    """Run the benchmark, print where its reports went and what was not measured, exit accordingly."""
    from benchmarks.commands.durability import NotDurableError  # noqa: PLC0415
    from benchmarks.wrk import WrkError  # noqa: PLC0415

    try:
        paths, errors = asyncio.run(_interruptible(run))
    except (NotDurableError, WrkError) as refused:
        typer.echo(f"error: {refused}", err=True)
        raise typer.Exit(2) from None
    for kind, path in paths.items():
        typer.echo(f"{kind}: {path}")
    for phase, error in errors.items():
        typer.echo(f"not measured: {phase}: {error}", err=True)
    if errors:
        raise typer.Exit(1)


async def _interruptible(run: Callable[[], Awaitable[Outcome]]) -> Outcome:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    return await run()
