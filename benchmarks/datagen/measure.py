"""Seconds per data-set step (generate, COPY, publish) without the rest of a benchmark run.

``python -m benchmarks.datagen.measure --orders 100000`` builds the data set of
``boxoffice bench`` in a private database and topic (``benchmarks.environment``),
with no projector consuming it, prints the seconds of each step, then drops
both. Figures for comparing the loader before and after a change; run it twice
in the same minutes on a shared machine.
"""

import argparse
import asyncio
import time

from benchmarks import environment
from benchmarks.datagen.load import load_venue
from benchmarks.dataset import DataSet


async def measure(orders: int, seed: int) -> dict[str, float]:
    async with environment.private_services(environment.new_env()) as env:
        load_venue(env.database_url)
        data = DataSet(env, seed)
        started = time.monotonic()
        steps = await data.load(orders)
        return {"orders": data.orders, "events": data.events, **steps, "total_s": time.monotonic() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for key, value in asyncio.run(measure(args.orders, args.seed)).items():
        print(f"{key}: {value:,.2f}")


if __name__ == "__main__":
    main()
