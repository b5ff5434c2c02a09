"""wrk against one query API process while the read model moves: each read against its own /healthz.

``python -m benchmarks.reads.lean_wrk [--seconds 10] [--connections 8] [--versions-per-s 50] [--shows 16]
[--batch 1]``

The data and the writer of ``benchmarks.reads.coalescing --hall --moving both``
(a private database, 2,000-seat shows, a writer process applying a hold of one
seat then its release, round robin over the shows, each new version announced
by the projections' NOTIFY; ``--batch N``: N events per projector batch, as
the projector batches them under load, so more shows move per second). The
app is served by uvicorn in this process (uvloop and httptools, access log
off, as ``boxoffice query-api`` serves it); wrk (one thread, closed loop,
``benchmarks/wrk/reads.lua``) reads ``/healthz``, the compact seat maps of
every show (round robin) and the whole dashboard, each quiet and then while
the writer runs. ``--versions-per-s`` is what is asked of the writer: on a
loaded machine it applies fewer (its count is printed).

Printed per case: req/s, p50, p99, non-200 answers, this process's CPU per
request (the app and uvicorn; not the writer, wrk or PostgreSQL), bodies
built per second, and the ratio to ``/healthz`` of the same phase. Far
smaller than ``python -m benchmarks.reads`` (no command side: the writer
moves the views directly), so it measures the query API's own cost per read
while versions move; run it from two checkouts in the same minutes to
compare code.
"""

import argparse
import time

from benchmarks.reads.coalescing import VIEWER_KEY
from benchmarks.reads.loads import READS_SCRIPT
from benchmarks.reads.served import (
    add_served_writer_options,
    hall_under_writer,
    run_in_private_database,
    served_query_api,
)
from benchmarks.wrk import WrkResult, ensure_wrk, run_wrk, wrk_argv


async def _case(
    wrk: str, url: str, paths: list[str], headers: list[str], args: argparse.Namespace
) -> tuple[WrkResult, float]:
    """One wrk run; its result and this process's CPU seconds over it."""
    argv = wrk_argv(
        wrk,
        url,
        connections=args.connections,
        seconds=args.seconds,
        options={"paths": ",".join(paths)},
        headers=headers,
        script=READS_SCRIPT,
    )
    cpu = time.process_time()
    result = await run_wrk(argv, args.connections)
    return result, time.process_time() - cpu


async def _measure(args: argparse.Namespace, url: str) -> None:
    async with (
        hall_under_writer(args, url) as (read_schema, shows, signals),
        served_query_api(args, url, read_schema) as (base, state),
    ):
        wrk = ensure_wrk()
        cases = {
            "healthz": (["/healthz"], []),
            "seats (compact)": ([f"/v1/shows/{show}/seats?format=compact" for show in shows], []),
            "dashboard": (["/v1/dashboard"], [f"Authorization: Bearer {VIEWER_KEY}"]),
        }
        for paths, headers in cases.values():  # warm-up: caches, pool, layouts, sections
            await _case(wrk, base, paths, headers, argparse.Namespace(**{**vars(args), "seconds": 1}))
        for phase in ("quiet", "under writes"):
            if phase == "under writes":
                signals.writing.set()
            floor = 0.0
            for name, (paths, headers) in cases.items():
                builds = state.cache.misses
                result, cpu = await _case(wrk, base, paths, headers, args)
                built = (state.cache.misses - builds) / result.seconds
                floor = floor or result.requests_per_s
                print(
                    f"{phase}: {name}: {result.requests_per_s:,.0f} req/s"
                    f" ({result.requests_per_s / floor:.2f}x /healthz), p50 {result.p50_ms} ms,"
                    f" p99 {result.p99_ms} ms, non-200 {result.other},"
                    f" CPU {1000 * cpu / max(result.requests, 1):.3f} ms/request, {built:,.1f} builds/s",
                    flush=True,
                )
        signals.writing.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    add_served_writer_options(parser)
    args = parser.parse_args()
    run_in_private_database(_measure, args)


if __name__ == "__main__":
    main()
