"""The ``bench`` command, shared by ``boxoffice bench`` and ``python -m benchmarks``."""

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.config import SCALES, BenchOptions
from infra.settings import ServiceSettings


def bench(
    scale: Annotated[
        str,
        typer.Option(help="tiny (seconds, the smoke test), small (a few minutes), large (under 30 minutes)."),
    ] = "small",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Directory for report.md, results.json, plots and logs (default: <state dir>/bench)."
        ),
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the private database and topics for inspection.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated data set.")] = 7,
    publish: Annotated[
        bool,
        typer.Option(
            help="After a run without errors, copy its report and plots to docs/bench and regenerate "
            "docs/performance.md's Latest figures (python -m benchmarks.report.publish)."
        ),
    ] = False,
) -> None:
    """Benchmark the read models against the compute-on-read baseline; write Markdown, JSON, PNG reports."""
    if scale not in SCALES:
        raise typer.BadParameter(f"choose one of {', '.join(SCALES)}", param_hint="--scale")
    out_dir = out if out is not None else ServiceSettings().state_dir / "bench"
    paths, errors = asyncio.run(_interruptible(BenchOptions(SCALES[scale], out_dir, keep=keep, seed=seed)))
    for kind, path in paths.items():
        typer.echo(f"{kind}: {path}")
    for phase, error in errors.items():
        typer.echo(f"not measured: {phase}: {error}", err=True)
    if errors:
        raise typer.Exit(1)
    if publish:
        from benchmarks.report.publish import publish as publish_run  # noqa: PLC0415  # only when asked

        publish_run(out_dir)
        typer.echo(f"published to docs/bench ({scale}-latest.md) and docs/performance.md")


async def _interruptible(options: BenchOptions) -> tuple[dict[str, Path], dict[str, str]]:
    """The run, cancelled by SIGINT or SIGTERM so that its clean-up (processes, database, topics) runs."""
    from benchmarks.runner import run  # noqa: PLC0415  # loads the sides only when a run starts

    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    return await run(options)
