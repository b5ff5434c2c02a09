"""Several projections replayed at the same time, each in a process of its own (``replay --all``).

One replay's decoding and folding take one core; replayed one after another,
two projections leave the second core idle and the operator waits for the sum.
Here each named projection's ``replay`` runs in its own process (the
``spawn`` context: no inherited event loop or connections), with everything a
replay guarantees unchanged: each is the same ``replay`` as in one process, and
the projections share no version, table, group or checkpoint.

Guarantees of ``replay_concurrently``:
- It returns one result per deployment, in their order: a ``ReplayOutcome``, or
  a ``ReplayFailure`` with the reason (its ``ReplayError``, or how its process
  ended). One projection failing does not stop the others: each finishes (or
  fails) on its own, so a healthy replay's work is never thrown away.
- Progress and outcomes are reported from the children as they happen, one pipe
  per child (a child killed mid-message cannot block the others' reports).
- Interrupted (``KeyboardInterrupt``, which the CLI also raises on SIGTERM), it
  sends each running child SIGTERM, on which the child cancels its replay as a
  Ctrl-C cancels a replay in one process (its extra ``--processes`` stopped, its
  batch in hand committed or rolled back whole), waits ``grace`` seconds, kills
  any still running, then re-raises. Every interrupted projection is left
  ``building``, so ``--resume`` continues each from its checkpoints.
- Children ignore SIGINT: a Ctrl-C in the terminal reaches the whole process
  group, and only the parent decides how its children stop.
"""

import asyncio
import contextlib
import multiprocessing
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from projections.ops.replay import ReplayError, ReplayOutcome, replay
from projections.runtime.projection import Deployment
from projections.settings import DEFAULT_MAX_RECORDS

STOP_GRACE = 60.0  # seconds a child has to stop its replay once asked, before it is killed


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """The options every projection's replay is run with (those of ``projections replay``)."""

    resume: bool = False
    keep_old: bool = False
    verify: bool = False
    processes: int = 1
    max_records: int = DEFAULT_MAX_RECORDS


@dataclass(frozen=True, slots=True)
class ReplayFailure:
    projection: str
    reason: str


ReplayResult = ReplayOutcome | ReplayFailure
OnStart = Callable[[str, int], None]  # (registry name, the child's pid)
OnProgress = Callable[[str, int, int], None]  # (registry name, events done, events in the log)
OnResult = Callable[[ReplayResult], None]


@dataclass(slots=True)
class _Child:
    deployment: Deployment
    process: BaseProcess
    reports: Connection
    result: ReplayResult | None = field(default=None)


def replay_concurrently(
    deployments: list[Deployment],
    database_url: str,
    bootstrap_servers: str,
    options: ReplayOptions,
    *,
    on_start: OnStart | None = None,
    on_progress: OnProgress | None = None,
    on_result: OnResult | None = None,
    grace: float = STOP_GRACE,
) -> list[ReplayResult]:
    """Replay every deployment at once, one process each; blocks until all have ended (see above)."""
    context = multiprocessing.get_context("spawn")
    children: list[_Child] = []
    try:
        for d in deployments:
            reports, sender = context.Pipe(duplex=False)
            args = (d, database_url, bootstrap_servers, options, sender)
            process = context.Process(target=_replay_in_child, args=args, name=f"replay-{d.registry_name}")
            process.start()
            sender.close()  # the child holds the only writing end: its end is this end's EOF
            children.append(_Child(d, process, reports))
            if on_start is not None and process.pid is not None:
                on_start(d.registry_name, process.pid)
        running = list(children)
        while running:
            wait([c.reports for c in running])
            for child in list(running):
                if _read_reports(child, on_progress):
                    running.remove(child)
                    if on_result is not None and child.result is not None:
                        on_result(child.result)
    except BaseException:
        _stop(children, grace)
        raise
    finally:
        for child in children:
            child.reports.close()
    return [c.result for c in children if c.result is not None]


def _read_reports(child: _Child, on_progress: OnProgress | None) -> bool:
    """Read what ``child`` has sent so far; True once it has ended (its result then set)."""
    name = child.deployment.registry_name
    try:
        while child.reports.poll():
            kind, *body = child.reports.recv()
            if kind == "progress" and on_progress is not None:
                on_progress(name, body[0], body[1])
            elif kind == "outcome":
                child.result = body[0]
            elif kind == "failure":
                child.result = ReplayFailure(name, body[0])
        return False
    except EOFError:
        child.process.join()
        if child.result is None:
            code = child.process.exitcode
            child.result = ReplayFailure(name, f"its process ended with exit code {code} before the swap")
        return True


def _stop(children: list[_Child], grace: float) -> None:
    for child in children:
        if child.process.is_alive() and child.process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                child.process.terminate()
    for child in children:
        child.process.join(grace)
        if child.process.is_alive():
            child.process.kill()
            child.process.join()


def _replay_in_child(
    deployment: Deployment,
    database_url: str,
    bootstrap_servers: str,
    options: ReplayOptions,
    reports: Connection,
) -> None:
    """A child's body: one ``replay``, its progress and its end sent to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def progress(done: int, total: int) -> None:
        reports.send(("progress", done, total))

    async def run() -> ReplayOutcome:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await replay(
            deployment,
            database_url,
            bootstrap_servers,
            resume=options.resume,
            keep_old=options.keep_old,
            verify=options.verify,
            on_progress=progress,
            max_records=options.max_records,
            processes=options.processes,
        )

    try:
        reports.send(("outcome", asyncio.run(run())))
    except ReplayError as exc:
        reports.send(("failure", str(exc)))
    except asyncio.CancelledError:
        reports.send(("failure", "stopped; continue it with --resume"))
    except Exception as exc:  # reported to the parent, which prints it beside the others' outcomes
        reports.send(("failure", f"{type(exc).__name__}: {exc}"))
    finally:
        reports.close()
