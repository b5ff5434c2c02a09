"""Running a wrk benchmark from its command line: interruptible, reported, with exit codes.

Shared by ``python -m benchmarks.commands`` and ``python -m benchmarks.reads``:
SIGINT or SIGTERM cancel the run so that its clean-up (processes, database,
topics) runs; a refusal (PostgreSQL not durable, no wrk) exits 2, a section
that could not be measured exits 1.
"""

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import typer

Outcome = tuple[dict[str, Path], dict[str, str]]


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
