"""``python -m projections.runtime.process NAME``: one projector under explicit names.

Runs one projection with the names of a private deployment (registry name,
topic, views schema, dead-letter topic), which is how the crash tests start and
kill projectors, and how a replay starts its extra processes (``--join-replay``);
services and tunables come from :class:`ProjectorSettings` (``BOXOFFICE_*``).
SIGTERM and SIGINT stop it cleanly (``Projector.serve``).
"""

import argparse
import asyncio
import logging
import os
import signal
from typing import Any

from contracts import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from contracts.read_model import READ_SCHEMA
from infra.telemetry import configure_tracing
from projections.bootstrap import build_projector
from projections.catalog import PROJECTIONS
from projections.runtime.projection import Deployment
from projections.settings import ProjectorSettings


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one projection under explicit names.")
    parser.add_argument("projection", choices=sorted(PROJECTIONS))
    parser.add_argument("--registry-name")
    parser.add_argument("--topic", default=EVENTS_TOPIC)
    parser.add_argument("--views-schema", default=READ_SCHEMA)
    parser.add_argument("--dead-letter-topic", default=DEAD_LETTER_TOPIC)
    parser.add_argument("--max-records", type=int, help="Most events per batch (default: the settings').")
    parser.add_argument("--replay", action="store_true", help="Replay into a new version, then swap.")
    parser.add_argument("--resume", action="store_true", help="With --replay: continue an interrupted one.")
    parser.add_argument("--processes", type=int, default=1, help="With --replay: processes building it.")
    parser.add_argument(
        "--join-replay", type=int, metavar="VERSION", help="Help build VERSION beside its replay's process."
    )
    parser.add_argument(
        "--replay-pid", type=int, help="With --join-replay: the replay's process (the parent)."
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    configure_tracing("boxoffice-projector")
    overrides: dict[str, Any] = {}
    if args.max_records is not None:
        overrides["projector_max_records"] = args.max_records
    settings = ProjectorSettings(**overrides)
    deployment = Deployment(
        PROJECTIONS[args.projection],
        args.registry_name or args.projection,
        args.topic,
        args.views_schema,
        args.dead_letter_topic,
    )
    if args.join_replay is not None:
        asyncio.run(_join(deployment, settings, args.join_replay, args.replay_pid or os.getppid()))
        return
    if args.replay:
        from projections.ops.replay import replay  # noqa: PLC0415 - the ops layer builds on the runtime

        asyncio.run(
            replay(
                deployment,
                settings.database_url,
                settings.kafka_bootstrap_servers,
                resume=args.resume,
                max_records=settings.projector_max_records,
                processes=args.processes,
            )
        )
        return
    asyncio.run(build_projector(settings, [deployment]).serve())


async def _join(deployment: Deployment, settings: ProjectorSettings, version: int, replay_pid: int) -> None:
    """One extra process of a replay (``projections.ops.replay_processes``); SIGTERM/SIGINT stop it."""
    from projections.ops.replay_processes import join_replay  # noqa: PLC0415 - as above

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await join_replay(
        deployment,
        settings.database_url,
        settings.kafka_bootstrap_servers,
        version,
        stop,
        max_records=settings.projector_max_records,
        replay_pid=replay_pid,
    )


if __name__ == "__main__":
    main()
