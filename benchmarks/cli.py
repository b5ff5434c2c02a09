"""The ``bench`` command, shared by ``boxoffice bench`` and ``python -m benchmarks``."""

from pathlib import Path
from typing import Annotated

import typer

from benchmarks.config import SCALES, BenchOptions
from benchmarks.run_cli import Keep, out_dir, run_module


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
    keep: Keep = False,
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
    options = BenchOptions(SCALES[scale], out_dir(out), keep=keep, seed=seed)
    run_module("benchmarks.runner", options)
    if publish:
        from benchmarks.report.publish import publish as publish_run  # noqa: PLC0415  # only when asked

        publish_run(options.out_dir)
        typer.echo(f"published to docs/bench ({scale}-latest.md) and docs/performance.md")
