"""Where the open loop's tail comes from: one query API process under a steady rate, its pauses measured.

``python -m benchmarks.reads.open_tail [--rate 1000] [--seconds 8] [--connections 20]
[--versions-per-s 50] [--shows 16] [--batch 1]``

The app, data and writer of ``benchmarks.reads.lean_wrk`` (uvicorn in this
process, a writer process moving the views and announcing each batch by
NOTIFY). wrk paces its requests at ``--rate`` (``reads_paced.lua``: the
reads benchmark's open loop) against ``/healthz`` (wrk's and uvicorn's own
floor at that rate) and the availability of every show round robin, quiet and
then while the writer runs. Beside each case it measures, in the serving
process:

- the event loop's stalls: a task sleeping 1 ms reports how late it wakes up,
  beyond how late it wakes up in the same process with no load (the idle
  probe's median, printed first: under uvloop the timer's own ~1 ms rounding),
  p50, p99, max, and the count of stalls over 5 ms and 20 ms;
- the garbage collector's pauses (``gc.callbacks``: count, total, longest);
- the NOTIFY handler's time (every notice applied to memory: count, longest);
- the process's time waiting for a core (``/proc/self/schedstat``'s run delay)
  against its CPU time: a loaded machine shows here, not in the app.

So a tail can be put down to the collector, the loop blocked by the app, the
scheduler, or the generator (``/healthz`` shows the same tail). ``--nice``
renices the serving thread only: wrk is started from a thread made before that
(``Generator``), so the load generator keeps the default niceness.
"""

import argparse
import asyncio
import gc
import os
import statistics
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from benchmarks.reads.coalescing import Signals
from benchmarks.reads.loads import reads_argv
from benchmarks.reads.served import (
    add_served_writer_options,
    hall_under_writer,
    run_in_private_database,
    served_query_api,
)
from benchmarks.wrk import WrkResult, ensure_wrk, run_wrk
from query_api.consistency.listener import MemoryFeed

STALL_MS = (5.0, 20.0)
T = TypeVar("T")


class Generator:
    """Runs the load generator's coroutines (wrk) on a thread of their own, made on creation: a
    process started there inherits that thread's niceness, not the serving thread's after
    ``renice_this_thread`` (Linux niceness is per thread, and a child inherits its forking thread's)."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="wrk")
        self._thread.submit(int).result()  # the thread exists now, with the current niceness

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(self._thread.submit(asyncio.run, work))

    def close(self) -> None:
        self._thread.shutdown()


def renice_this_thread(nice: int) -> None:
    """The calling thread only (the event loop's: the server), not threads made before."""
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class Pauses:
    """The serving process's pauses over one case (see the module docstring); ``idle_ms``: how late
    the probe wakes up with no load, taken off every lag it reports."""

    def __init__(self, idle_ms: float = 0.0) -> None:
        self.idle_ms = idle_ms
        self.lags: list[float] = []
        self.gc: list[float] = []
        self.notices: list[float] = []
        self._gc_started = 0.0

    def on_gc(self, phase: str, _: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc.append(1000 * (time.perf_counter() - self._gc_started))

    async def watch_loop(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lags.append(1000 * (time.perf_counter() - asked) - 1.0)

    def line(self) -> str:
        lags = sorted(lag - self.idle_ms for lag in self.lags) or [0.0]
        p99 = lags[min(len(lags) - 1, int(0.99 * len(lags)))]
        stalls = ", ".join(f"{sum(lag > ms for lag in lags)} over {ms:g} ms" for ms in STALL_MS)
        return (
            f"loop late beyond idle: p50 {statistics.median(lags):.2f} ms, p99 {p99:.2f} ms,"
            f" max {lags[-1]:.1f} ms"
            f" ({stalls}); GC {len(self.gc)} pauses, {sum(self.gc):.1f} ms in all,"
            f" longest {max(self.gc, default=0):.2f} ms; {len(self.notices)} notices,"
            f" longest {max(self.notices, default=0):.2f} ms"
        )


@asynccontextmanager
async def probing(pauses: Pauses) -> AsyncIterator[None]:
    """The loop's probe (``Pauses.watch_loop``) running while inside; stopped and awaited on exit."""
    watcher = asyncio.create_task(pauses.watch_loop())
    try:
        yield
    finally:
        watcher.cancel()
        with suppress(asyncio.CancelledError):
            await watcher


async def idle_lateness(seconds: float = 1.0) -> float:
    """The probe's median lateness over ``seconds`` with no load: its own floor in this process."""
    pauses = Pauses()
    async with probing(pauses):
        await asyncio.sleep(seconds)
    return statistics.median(pauses.lags) if pauses.lags else 0.0


@contextmanager
def watched(pauses: Pauses) -> Iterator[None]:
    """GC pauses and NOTIFY handling timed into ``pauses`` while inside."""
    apply: Callable[[MemoryFeed, Any], None] = MemoryFeed.apply

    def timed(feed: MemoryFeed, notice: Any) -> None:
        started = time.perf_counter()
        apply(feed, notice)
        pauses.notices.append(1000 * (time.perf_counter() - started))

    gc.callbacks.append(pauses.on_gc)
    MemoryFeed.apply = timed  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        MemoryFeed.apply = apply  # type: ignore[method-assign,assignment]
        gc.callbacks.remove(pauses.on_gc)


def _schedstat() -> tuple[float, float]:
    """This process's main thread: CPU seconds and seconds spent runnable but waiting for a core."""
    cpu, delay, _ = Path("/proc/thread-self/schedstat").read_text().split()
    return int(cpu) / 1e9, int(delay) / 1e9


async def _cases(
    args: argparse.Namespace, base: str, shows: list[UUID], signals: Signals, generator: Generator
) -> None:
    wrk = ensure_wrk()
    cases = {
        "healthz": ["/healthz"],
        "availability": [f"/v1/shows/{show}/availability" for show in shows],
    }
    for paths in cases.values():  # warm-up
        argv = reads_argv(wrk, base, paths, connections=8, seconds=1, auth=False)
        await generator.run(run_wrk(argv, 8))
    idle = await idle_lateness()
    print(f"idle: the loop's probe wakes up {idle:.2f} ms late (its floor, taken off below)", flush=True)
    for phase in ("quiet", "under writes"):
        if phase == "under writes":
            signals.writing.set()
        for name, paths in cases.items():
            argv = reads_argv(
                wrk, base, paths, connections=args.connections, seconds=args.seconds, rate=args.rate,
                auth=False,
            )  # fmt: skip
            pauses = Pauses(idle)
            cpu, delay = _schedstat()
            async with probing(pauses):
                with watched(pauses):
                    result: WrkResult = await generator.run(run_wrk(argv, args.connections))
            cpu, delay = (now - then for now, then in zip(_schedstat(), (cpu, delay), strict=True))
            print(
                f"{phase}: {name} at {args.rate:g}/s: achieved {result.requests_per_s:,.0f}/s,"
                f" p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, max {result.max_ms} ms,"
                f" non-200 {result.other}; CPU {cpu / result.seconds:.0%} of a core, waiting for a"
                f" core {delay / result.seconds:.0%} of the time",
                flush=True,
            )
            print(f"    {pauses.line()}", flush=True)
    signals.writing.clear()


async def _measure(args: argparse.Namespace, url: str) -> None:
    async with hall_under_writer(args, url) as (read_schema, shows, signals):
        generator = Generator()  # before the renice: wrk keeps the default niceness
        try:
            if args.nice:  # after the writer started: it keeps the default
                renice_this_thread(args.nice)
            async with served_query_api(args, url, read_schema) as (base, _):
                await _cases(args, base, shows, signals, generator)
        finally:
            generator.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=20)
    add_served_writer_options(parser)
    parser.add_argument("--nice", type=int, default=0, help="the server's niceness")
    args = parser.parse_args()
    run_in_private_database(_measure, args)


if __name__ == "__main__":
    main()
