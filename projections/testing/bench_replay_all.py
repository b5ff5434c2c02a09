"""Both projections replayed one after another in one process against at once, a process each (test
support, see :mod:`projections.testing`).

``python -m projections.testing.bench_replay_all --events 120000 --rounds 4``
produces a simulated backlog to a new topic, lets both projections catch up,
then replays both, one after another (as ``replay --all --one-at-a-time``) and
at once (as ``replay --all``), in alternating order for ``rounds`` rounds in the
same minutes, and prints each wall time, with the log's events per second as a share of
how fast a plain consumer reads the same topic in that round (the ceiling). Figures, never
assertions.
"""

import argparse
import asyncio
import os
import time
from collections.abc import Callable

from projections.ops.replay import replay
from projections.ops.replay_concurrent import ReplayFailure, ReplayOptions, replay_concurrently
from projections.runtime.projection import Deployment
from projections.runtime.projectors import run_projectors
from projections.testing.bench import new_topic, produce_simulated, read_to_end
from projections.testing.harness import deployment_for, wait_consumed


async def caught_up_backlog(
    events: int, partitions: int, database_url: str, bootstrap: str
) -> tuple[list[Deployment], int]:
    """A new topic of ``events`` simulated events and both projections caught up on it; and how many
    events it holds."""
    topic = await new_topic(bootstrap, partitions)
    total = await produce_simulated(bootstrap, topic, events)
    deployments = [deployment_for(n, topic) for n in ("seat_availability", "dashboard")]
    stop = asyncio.Event()
    task = asyncio.create_task(run_projectors(deployments, database_url, bootstrap, stop))
    for d in deployments:
        await wait_consumed(database_url, d, total)
    stop.set()
    await task
    return deployments, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=120_000)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    database_url = os.environ["BOXOFFICE_DATABASE_URL"]
    bootstrap = os.environ["BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"]
    deployments, total = asyncio.run(caught_up_backlog(args.events, args.partitions, database_url, bootstrap))
    topic = deployments[0].topic

    def one_after_another() -> None:
        for d in deployments:
            asyncio.run(replay(d, database_url, bootstrap))

    def at_once() -> None:
        results = replay_concurrently(deployments, database_url, bootstrap, ReplayOptions())
        failures = [r for r in results if isinstance(r, ReplayFailure)]
        if failures:
            raise SystemExit(f"a replay failed: {failures}")

    ways: list[tuple[str, Callable[[], None]]] = [
        ("one after another", one_after_another),
        ("at once", at_once),
    ]
    for n in range(args.rounds):
        # The ceiling, in the same minutes: a plain consumer reading the log to its end.
        ceiling = asyncio.run(read_to_end(bootstrap, topic, args.partitions, total))
        print(f"round {n + 1} plain consumer: {ceiling:,.0f} events/s", flush=True)
        for name, run in ways if n % 2 == 0 else ways[::-1]:
            started = time.perf_counter()
            run()
            seconds = time.perf_counter() - started
            load = os.getloadavg()[0]
            rate = total / seconds
            print(
                f"round {n + 1} {name}: {seconds:.1f} s for both, {rate:,.0f} events/s of the log,"
                f" {100 * rate / ceiling:.1f} % of the plain consumer (load average {load:.1f})",
                flush=True,
            )


if __name__ == "__main__":  # the spawned children import this module too, and must not run it
    main()
