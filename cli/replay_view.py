"""What ``boxoffice projections replay`` shows: one progress bar per projection, and each outcome.

Two ways to run the replays, the same outcome lines either way: one after
another in this process (one projection, or ``--one-at-a-time``; the first
failure stops the rest, as it always did), or all at once in a process each
(``projections.ops.replay_concurrent``: a failure does not stop the others; the
exit code is 1 if any failed, 130 if interrupted).
"""

import asyncio
import signal
from functools import partial
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from projections.ops.replay import ReplayOutcome
    from projections.ops.replay_concurrent import ReplayOptions, ReplayResult
    from projections.runtime.projection import Deployment

INTERRUPTED = 130  # the shell's code for a process stopped by SIGINT


def _bars(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]} ev/s"),
        TimeRemainingColumn(),
        console=console,
    )


def _show(bars: Progress, task: TaskID, done: int, total: int) -> None:
    bars.update(task, completed=done, total=total)
    speed = next(t.speed for t in bars.tasks if t.id == task)
    bars.update(task, rate=f"{speed:,.0f}" if speed else "-")


def _print_outcome(console: Console, outcome: "ReplayOutcome") -> None:
    old = f"v{outcome.old.version}" if outcome.old else "nothing"
    dropped = " (dropped)" if outcome.dropped_old else ""
    console.print(f"{outcome.projection}: v{outcome.new.version} is live, replacing {old}{dropped}")


def one_at_a_time(
    console: Console,
    deployments: "list[Deployment]",
    database_url: str,
    bootstrap: str,
    options: "ReplayOptions",
) -> None:
    """Each replay in this process, one after another; stops at the first failure (exit code 1)."""
    from projections.ops.replay import ReplayError, replay

    for d in deployments:
        with _bars(console) as bars:
            task = bars.add_task(d.registry_name, total=None, rate="-")
            try:
                outcome = asyncio.run(
                    replay(
                        d,
                        database_url,
                        bootstrap,
                        resume=options.resume,
                        keep_old=options.keep_old,
                        verify=options.verify,
                        on_progress=partial(_show, bars, task),
                        max_records=options.max_records,
                        processes=options.processes,
                    )
                )
            except ReplayError as exc:
                console.print(f"[red]{d.registry_name}: {exc}[/red]")
                raise typer.Exit(1) from None
        _print_outcome(console, outcome)


def concurrently(
    console: Console,
    deployments: "list[Deployment]",
    database_url: str,
    bootstrap: str,
    options: "ReplayOptions",
) -> None:
    """All replays at once, a process each; exit code 1 if any failed, 130 if interrupted (SIGINT or
    SIGTERM: every child stopped, every unfinished replay left for ``--resume``)."""
    from projections.ops.replay import ReplayOutcome
    from projections.ops.replay_concurrent import replay_concurrently

    failed = False

    def report(result: "ReplayResult") -> None:
        nonlocal failed
        if isinstance(result, ReplayOutcome):
            _print_outcome(bars.console, result)
        else:
            failed = True
            bars.console.print(f"[red]{result.projection}: {result.reason}[/red]")

    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped as by Ctrl-C
    try:
        with _bars(console) as bars:
            tasks = {
                d.registry_name: bars.add_task(d.registry_name, total=None, rate="-") for d in deployments
            }
            replay_concurrently(
                deployments,
                database_url,
                bootstrap,
                options,
                on_progress=lambda name, done, total: _show(bars, tasks[name], done, total),
                on_result=report,
            )
    except KeyboardInterrupt:
        console.print("[red]stopped: each replay that had begun is left building (--resume)[/red]")
        raise typer.Exit(INTERRUPTED) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    if failed:
        raise typer.Exit(1)
