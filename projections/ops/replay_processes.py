"""More than one process building a replay's version (``replay --processes N``).

The replay's own process runs one ``ProjectionRunner`` of version N+1; each
extra process (``python -m projections.runtime.process NAME --join-replay
N+1``) runs another one of the same version, in the same consumer group and
under the same ceiling (the serving version's offsets). The group splits the
topic's partitions among them, so the decoding and folding, which take one
core per process, run on as many cores as there are processes.

Nothing about exactness changes: every process stores its partitions' offsets
in the version's one checkpoints table, each batch in the transaction of its
rows and fenced per partition (``BatchWriter``). A partition moving between
processes (a process joining, leaving, or killed and its partitions taken over
when its group session expires) starts again from its stored offset, and a
batch of the process that lost it is refused by the fence: no event is applied
twice or skipped, and per show (one partition) the order stays the log's.

An extra process stops, finishing the batch in hand, on SIGTERM (the replay
stops it before the swap's clean-up), once the version is no longer building
(swapped in or abandoned), or once the process that started it is gone (a
killed replay leaves no process behind; ``--resume`` starts new ones).
"""

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any

from psycopg import AsyncConnection

from infra.db import libpq_dsn
from projections.ops.swap import offsets
from projections.runtime.dead_letter_sink import KafkaDeadLetterSink
from projections.runtime.projection import Deployment
from projections.runtime.runner import ProjectionRunner
from projections.runtime.versions import Version, find

log = logging.getLogger(__name__)
WATCH_INTERVAL = 0.5  # seconds between the extra process's looks at its version and its parent
STOP_GRACE = 30.0  # seconds an extra process has to finish its batch once asked to stop


async def start_processes(
    deployment: Deployment,
    database_url: str,
    bootstrap_servers: str,
    version: int,
    *,
    count: int,
    max_records: int,
) -> list[asyncio.subprocess.Process]:
    """Start ``count`` extra processes building ``version`` of ``deployment`` beside this one; if
    one fails to start (or this is cancelled), the ones already started are stopped before it raises."""
    argv, env = projector_process(
        deployment,
        database_url,
        bootstrap_servers,
        "--max-records",
        str(max_records),
        "--join-replay",
        str(version),
        "--replay-pid",
        str(os.getpid()),
    )
    started: list[asyncio.subprocess.Process] = []
    try:
        for _ in range(count):
            started.append(await asyncio.create_subprocess_exec(*argv, env=env))
    except BaseException:
        await stop_processes(started)
        raise
    return started


def projector_process(
    deployment: Deployment, database_url: str, bootstrap_servers: str, *extra: str
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of ``python -m projections.runtime.process`` running
    ``deployment`` on these services, with ``extra`` options."""
    env = {
        **os.environ,
        "BOXOFFICE_DATABASE_URL": database_url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
    }
    argv = [
        sys.executable,
        "-m",
        "projections.runtime.process",
        deployment.projection.name,
        "--registry-name",
        deployment.registry_name,
        "--topic",
        deployment.topic,
        "--views-schema",
        deployment.views_schema,
        "--dead-letter-topic",
        deployment.dead_letter_topic,
        *extra,
    ]
    return argv, env


async def stop_processes(processes: list[asyncio.subprocess.Process], grace: float = STOP_GRACE) -> None:
    """SIGTERM each process (it finishes its batch in hand), SIGKILL any still running after ``grace``."""
    for process in processes:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def version_runner(  # noqa: PLR0917 - the facts of one version's build
    deployment: Deployment,
    new: Version,
    old: Version | None,
    ceiling_conn: AsyncConnection[Any],
    database_url: str,
    bootstrap_servers: str,
    max_records: int,
) -> tuple[ProjectionRunner, KafkaDeadLetterSink]:
    """A runner building ``new`` from the log, never past the serving version's (``old``) offsets,
    read on ``ceiling_conn``; and its dead-letter sink, for the caller to close."""

    async def ceiling() -> dict[int, int]:
        assert old is not None
        return await offsets(ceiling_conn, old.schema_name)

    sink = KafkaDeadLetterSink(bootstrap_servers, deployment.dead_letter_topic)
    runner = ProjectionRunner(
        deployment,
        new,
        database_url,
        bootstrap_servers,
        sink,
        ceiling=ceiling if old is not None else None,
        max_records=max_records,
    )
    return runner, sink


async def join_replay(
    deployment: Deployment,
    database_url: str,
    bootstrap_servers: str,
    version: int,
    stop: asyncio.Event,
    *,
    max_records: int,
    replay_pid: int,
) -> None:
    """Build ``version`` of ``deployment`` beside the replay's process (``replay_pid``, this one's
    parent) until one of the module docstring's reasons to stop; returns at once if that version
    is not being built or that process is gone already."""
    dsn = libpq_dsn(database_url)
    async with (
        await AsyncConnection.connect(dsn, autocommit=True) as conn,
        await AsyncConnection.connect(dsn, autocommit=True) as ceiling_conn,
    ):
        new = await find(conn, deployment.registry_name, "building")
        if new is None or new.version != version or os.getppid() != replay_pid:
            log.info("%s: no replay of version %d to join", deployment.registry_name, version)
            return
        old = await find(conn, deployment.registry_name, "live")
        runner, sink = version_runner(
            deployment, new, old, ceiling_conn, database_url, bootstrap_servers, max_records
        )
        task = asyncio.create_task(runner.run(stop))
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=WATCH_INTERVAL)
                orphaned = os.getppid() != replay_pid
                if not stop.is_set() and (orphaned or not await _building(conn, deployment, version)):
                    stop.set()
            await task
        except Exception:
            if await _building(conn, deployment, version):
                raise
            # Swapped in or abandoned meanwhile: the serving version's tables may be gone under the
            # ceiling's read. Whatever this process committed is the version's, fenced as any batch.
            log.info("%s: version %d left building; stopping", deployment.registry_name, version)
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await task
            await sink.close()


async def _building(conn: AsyncConnection[Any], deployment: Deployment, version: int) -> bool:
    cur = await conn.execute(
        "SELECT state FROM projection_meta.versions WHERE projection = %s AND version = %s",
        (deployment.registry_name, version),
    )
    row = await cur.fetchone()
    return row is not None and row[0] == "building"
