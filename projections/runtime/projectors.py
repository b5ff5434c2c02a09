"""Running the live version of several projections in one process (``boxoffice projector``).

Each projection gets its live version (version 1 is created and made live on
first start); when a replay swaps in a new version, the old version's runner
sees it retired and the supervisor moves on to the new live version.
"""

import asyncio
import contextlib
import logging

from psycopg import AsyncConnection

from infra.db import libpq_dsn
from projections.runtime.dead_letter_sink import KafkaDeadLetterSink
from projections.runtime.projection import Deployment
from projections.runtime.runner import Outcome, ProjectionRunner
from projections.runtime.versions import add_missing_views, ensure_live
from projections.settings import DEFAULT_MAX_RECORDS

log = logging.getLogger(__name__)
RESTART_PAUSE = 2.0


async def supervise(
    deployment: Deployment,
    database_url: str,
    bootstrap_servers: str,
    stop: asyncio.Event,
    *,
    max_records: int = DEFAULT_MAX_RECORDS,
) -> None:
    """Keep the live version of one projection up to date until ``stop`` is set."""
    sink = KafkaDeadLetterSink(bootstrap_servers, deployment.dead_letter_topic)
    try:
        while not stop.is_set():
            try:
                outcome = await _run_live(
                    deployment, database_url, bootstrap_servers, sink, stop=stop, max_records=max_records
                )
            except Exception:
                # A lost connection or a broker hiccup: nothing uncommitted counts, so start over
                # from the stored offsets after a pause rather than taking the process down.
                log.exception("%s failed; restarting in %.0f s", deployment.registry_name, RESTART_PAUSE)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RESTART_PAUSE)
                continue
            if outcome == "stopped":
                return
            log.info("%s: the version was retired; moving to the live one", deployment.registry_name)
    finally:
        await sink.close()


async def _run_live(
    deployment: Deployment,
    database_url: str,
    bootstrap_servers: str,
    sink: KafkaDeadLetterSink,
    *,
    stop: asyncio.Event,
    max_records: int,
) -> Outcome:
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        live = await ensure_live(conn, deployment)
        # Idempotent DDL: code that added a column (ADD COLUMN IF NOT EXISTS) can write to the
        # running version until a replay has built one with the column filled from the whole log.
        for statement in deployment.projection.ddl(live.schema_name):
            await conn.execute(statement)
        async with conn.transaction():
            added = await add_missing_views(conn, deployment, live.schema_name)
        if added:
            log.warning(
                "%s: views %s are new in this release and hold only events applied from now on;"
                " `boxoffice projections replay %s` fills them from the whole log",
                deployment.registry_name,
                ", ".join(added),
                deployment.projection.name,
            )
    log.info("projecting %s into %s", deployment.registry_name, live.schema_name)
    runner = ProjectionRunner(
        deployment, live, database_url, bootstrap_servers, sink, max_records=max_records
    )
    return await runner.run(stop)


async def run_projectors(
    deployments: list[Deployment],
    database_url: str,
    bootstrap_servers: str,
    stop: asyncio.Event,
    *,
    max_records: int = DEFAULT_MAX_RECORDS,
) -> None:
    """Supervise every deployment concurrently; returns once all have stopped."""
    await asyncio.gather(
        *(supervise(d, database_url, bootstrap_servers, stop, max_records=max_records) for d in deployments)
    )
