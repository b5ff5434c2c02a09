"""The projector process: signal handling around ``run_projectors``.

SIGTERM and SIGINT set the stop event: each runner finishes the batch in hand
(or abandons it uncommitted), leaves its consumer group and returns. Also
runnable as ``python -m projections.runtime.process NAME`` with the names of a
private deployment, which is how the crash tests start and kill projectors.
"""

import argparse
import asyncio
import logging
import os
import signal

from contracts import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from projections.catalog import PROJECTIONS
from projections.runtime import metrics
from projections.runtime.projection import Deployment
from projections.runtime.supervisor import run_projectors


async def serve_projectors(
    deployments: list[Deployment],
    database_url: str,
    bootstrap_servers: str,
    metrics_port: int | None = None,
    max_records: int = 20_000,
) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    if metrics_port:
        metrics.serve(metrics_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_projectors(deployments, database_url, bootstrap_servers, stop, max_records=max_records)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one projection under explicit names.")
    parser.add_argument("projection", choices=sorted(PROJECTIONS))
    parser.add_argument("--registry-name")
    parser.add_argument("--topic", default=EVENTS_TOPIC)
    parser.add_argument("--views-schema", default="read")
    parser.add_argument("--dead-letter-topic", default=DEAD_LETTER_TOPIC)
    parser.add_argument("--max-records", type=int, default=20_000)
    parser.add_argument("--replay", action="store_true", help="Replay into a new version, then swap.")
    parser.add_argument("--resume", action="store_true", help="With --replay: continue an interrupted one.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    deployment = Deployment(
        PROJECTIONS[args.projection],
        args.registry_name or args.projection,
        args.topic,
        args.views_schema,
        args.dead_letter_topic,
    )
    if args.replay:
        from projections.ops.replay import replay  # noqa: PLC0415 - the ops layer builds on this module

        asyncio.run(
            replay(
                deployment,
                os.environ["BOXOFFICE_DATABASE_URL"],
                os.environ["BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"],
                resume=args.resume,
                max_records=args.max_records,
            )
        )
        return
    asyncio.run(
        serve_projectors(
            [deployment],
            os.environ["BOXOFFICE_DATABASE_URL"],
            os.environ["BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"],
            max_records=args.max_records,
        )
    )


if __name__ == "__main__":
    main()
