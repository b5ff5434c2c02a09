"""In-process measurement of versioned reads while the read model moves (issue #14's dashboard under load).

``python -m benchmarks.reads.coalescing [--path dashboard|seats] [--moving dashboard|both]
[--readers 8] [--seconds 10] [--versions-per-s 50] [--shows 48] [--hall] [--cold] [--builds N]``

A real query API app (``create_app``, lifespan, LISTEN connection, pool) on a
private database whose views are filled by the projections' own write path
(``tests.integration.query_api.seed``). ``--readers`` tasks call the app as
an ASGI server would (no HTTP client in between, so the process's CPU is the
app's), each one request after the other, while a writer process (which
seeded the views; its CPU is not counted) applies one event at a time to the
dashboard projection (``--moving both``: and to seat_availability; a hold,
then its release, round robin over the shows): about ``--versions-per-s`` new
versions a second, each announced by the projection's NOTIFY as in production.
The shows have the seed's 8 seats, or with ``--hall`` the reads benchmark's
hall (four zones of ten rows of fifty: 2,000 seats), whose seat maps cost
what they cost under ``python -m benchmarks.reads``.

With ``--cold``, a phase between them empties the body cache before every
request: each read is then a rebuild at an unchanged version, so its CPU per
answer is what a read costs when holds have just moved its resource,
whatever rate the writer reaches. With ``--builds N`` (the dashboard), the
whole dashboard's build is also called alone, N times one after the other,
outside any request: at an unchanged version (every section kept: what each
hold costs the dashboard's readers, less the one show it moved), and from
nothing (every show's sections re-read: a swap, or a process's first build);
its CPU per build is the event loop thread's.

Printed, quiet and then under writes: answers/s, builds/s (bodies built from
the database: the body cache's misses), CPU of the event loop's thread per
answer, p50 and p99. For a before/after comparison run it from two checkouts
in the same minutes (the machine is shared: the figures move with its load).
"""

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import psycopg
from fastapi import FastAPI

import query_api
from benchmarks.asgi_call import asgi_request
from benchmarks.environment import private_database
from contracts import events
from infra.db import libpq_dsn
from infra.settings import ApiKeySettings, ServiceSettings
from query_api.app import create_app
from query_api.dashboard_sections import DashboardSections
from query_api.settings import QueryApiSettings
from tests.integration.query_api.seed import Layout, SeededSchema, create_seeded_schema

VIEWER_KEY = "bench-viewer-key"
PATHS = {"dashboard": ("/v1/dashboard", b""), "seats": ("/v1/shows/{show}/seats", b"format=compact")}


@dataclass
class Figures:
    answers: int
    seconds: float
    builds: int
    cpu_s: float
    latencies: list[float]
    statuses: dict[int, int]

    def line(self, path: str) -> str:
        ms = sorted(self.latencies)
        p50 = statistics.median(ms) if ms else 0.0
        p99 = ms[int(len(ms) * 0.99)] if ms else 0.0
        return (
            f"{path}: {self.answers / self.seconds:,.0f} answers/s,"
            f" {self.builds / self.seconds:,.1f} builds/s,"
            f" CPU {1000 * self.cpu_s / max(self.answers, 1):.3f} ms/answer,"
            f" p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, statuses {self.statuses}"
        )


async def _get(app: FastAPI, path: str, query: bytes) -> int:
    """One GET through the whole app (middleware included), as uvicorn would call it; its status."""
    viewer = (b"authorization", f"Bearer {VIEWER_KEY}".encode())
    status, _ = await asgi_request(app, "GET", path, query=query, headers=[(b"host", b"query"), viewer])
    return status


async def _read(
    app: FastAPI, paths: list[tuple[str, bytes]], readers: int, seconds: float, *, cold: bool = False
) -> Figures:
    """``readers`` readers for ``seconds``; ``cold``: the body cache emptied before each request."""
    state = app.state.query
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def reader(offset: int) -> None:
        turn = offset
        while time.perf_counter() < deadline:
            path, query = paths[turn % len(paths)]
            turn += 1
            if cold:
                state.cache.clear()
            started = time.perf_counter()
            status = await _get(app, path, query)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            await asyncio.sleep(0)  # a server's loop turns between requests (socket reads)

    builds, cpu, started = state.cache.misses, time.thread_time(), time.perf_counter()
    await asyncio.gather(*(reader(i) for i in range(readers)))
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    return Figures(len(latencies), elapsed, state.cache.misses - builds, cpu, latencies, statuses)


class Signals(NamedTuple):
    """Between the measuring process and the writer: a pipe and two flags."""

    pipe: Connection
    writing: EventType  # set: apply events
    done: EventType  # set: stop, send the count
    projections: tuple[str, ...]  # what each event moves
    batch: int = 1  # events applied per projector batch (one transaction, one NOTIFY)


HALL: Layout = {zone: [(str(row), 50) for row in range(1, 11)] for zone in "ABCD"}  # benchmarks.datagen's


async def _seed(url: str, shows: int, layout: Layout | None) -> tuple[SeededSchema, list[UUID]]:
    """``shows`` shows, each with two seats sold (one with a referrer): a dashboard of ``shows``
    by-show rows, twice as many by-zone rows, a day and a few referrers."""
    seeded = await create_seeded_schema(url)
    ids = []
    for n in range(shows):
        show = await seeded.add_show(f"Show {n}", to=(), layout=layout)
        for seat, referrer in (("A-1-1", f"aff-{n % 5}"), ("B-1-1", None)):
            hold = await seeded.hold(show, seat, to=())
            order = await seeded.order(show, hold, referrer=referrer, to=())
            await seeded.pay(show, order, to=())
        ids.append(show)
    await seeded.catch_up("seat_availability", "dashboard")
    return seeded, ids


async def _apply_events(
    seeded: SeededSchema,
    ids: list[UUID],
    per_s: float,
    signals: Signals,
    conn: psycopg.AsyncConnection[Any],
) -> int:
    """Events while ``writing`` is set, until ``done``, ``signals.batch`` per projector batch (one
    transaction and one NOTIFY per projection, as the projector batches them); how many it applied."""
    turn, next_at, projections = 0, time.perf_counter(), signals.projections
    while not signals.done.is_set():
        if not signals.writing.is_set():
            await asyncio.sleep(0.01)
            next_at = time.perf_counter()
            continue
        show = ids[(turn // 2) % len(ids)]
        if turn % 2 == 0:
            await seeded.hold(show, "B-1-2", to=())
        else:
            hold_id, seats = seeded.shows[show].holds.popitem()
            released = events.HoldReleased(
                hold_id=hold_id, customer_id="c1", seat_ids=seats, reason="released"
            )
            await seeded.publish(show, released, to=())
        turn += 1
        if turn % signals.batch == 0:
            await seeded.catch_up(*projections, conn=conn)
        next_at += 1 / per_s
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    return turn


def write_events(url: str, shows: int, layout: Layout | None, per_s: float, signals: Signals) -> None:
    """The writer process: seeds the views, sends their schema and shows, applies events (a hold of
    one seat, then its release, round robin over the shows) while asked, then sends their count."""

    async def run() -> int:
        seeded, ids = await _seed(url, shows, layout)
        signals.pipe.send((seeded.read_schema, ids))
        async with await psycopg.AsyncConnection.connect(libpq_dsn(url), autocommit=True) as conn:
            return await _apply_events(seeded, ids, per_s, signals, conn)

    signals.pipe.send(asyncio.run(run()))


async def _serve(
    args: argparse.Namespace, url: str, read_schema: str, shows: list[UUID], signals: Signals
) -> None:
    settings = QueryApiSettings(read_schema=read_schema, pool_size=args.pool)
    services = ServiceSettings(database_url=url)
    keys = ApiKeySettings(api_keys=f"viewer:{VIEWER_KEY},operator:op-{uuid4()}")
    app = create_app(settings, services, keys)
    async with app.router.lifespan_context(app):
        for _ in range(1000):  # the LISTEN connection's first re-read
            if app.state.query.tracker.synced:
                break
            await asyncio.sleep(0.01)
        template, query = PATHS[args.path]
        paths = [(template.format(show=show), query) for show in shows]
        await _read(app, paths, args.readers, 1.0)  # warm-up: caches, pool, sections
        print(f"query_api from {query_api.__file__}")
        quiet = await _read(app, paths, args.readers, args.seconds)
        print(f"quiet (no writes): {quiet.line(args.path)}")
        if args.cold:
            cold = await _read(app, paths, args.readers, args.seconds, cold=True)
            print(f"quiet, every read a rebuild: {cold.line(args.path)}")
        if args.builds:
            for line in await _builds_alone(app, args.builds):
                print(line)
        signals.writing.set()
        loaded = await _read(app, paths, args.readers, args.seconds)
        signals.writing.clear()
        print(f"under writes: {loaded.line(args.path)}")


async def _builds_alone(app: FastAPI, builds: int) -> list[str]:
    """The whole dashboard's build called alone ``builds`` times, with its sections kept and from nothing:
    the event loop thread's CPU per build and the builds per second."""
    state, lines = app.state.query, []
    for kept in (True, False):
        sections = DashboardSections()
        await sections.read(state.engine, state.views, state.versions)  # fills the sections kept
        cpu, wall = time.thread_time(), time.perf_counter()
        for _ in range(builds):
            if not kept:
                sections = DashboardSections()
            await sections.read(state.engine, state.views, state.versions)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        what = "sections kept" if kept else "every section re-read"
        lines.append(
            f"the dashboard's build alone, {what}: CPU {1000 * cpu / builds:.3f} ms/build,"
            f" {builds / wall:,.0f} builds/s"
        )
    return lines


@contextlib.asynccontextmanager
async def writer_process(
    url: str, shows: int, layout: Layout | None, per_s: float, *, moving: tuple[str, ...], batch: int = 1
) -> AsyncIterator[tuple[str, list[UUID], Signals, list[int]]]:
    """The writer (``write_events``) in a process of its own: yields the seeded views' schema, their
    shows, the signals that start and stop its events, and a list that holds the count of events it
    applied once the block is left."""
    spawn = multiprocessing.get_context("spawn")
    pipe, child = spawn.Pipe()
    signals = Signals(child, spawn.Event(), spawn.Event(), moving, batch)
    writer = spawn.Process(target=write_events, args=(url, shows, layout, per_s, signals), name="writer")
    writer.start()
    written: list[int] = []
    try:
        read_schema, ids = await asyncio.to_thread(pipe.recv)
        yield read_schema, ids, signals, written
    finally:
        signals.done.set()
        written.append(await asyncio.to_thread(pipe.recv) if writer.is_alive() else 0)
        writer.join()


async def _measure(args: argparse.Namespace, url: str) -> None:
    moving = ("seat_availability", "dashboard") if args.moving == "both" else ("dashboard",)
    layout = HALL if args.hall else None
    async with writer_process(url, args.shows, layout, args.versions_per_s, moving=moving) as writer:
        read_schema, shows, signals, written = writer
        await _serve(args, url, read_schema, shows, signals)
    print(f"the writer applied {written[0]} events in {args.seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--path", choices=sorted(PATHS), default="dashboard")
    parser.add_argument(
        "--moving", choices=("dashboard", "both"), default="dashboard", help="what events move"
    )
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--versions-per-s", type=float, default=50.0)
    parser.add_argument("--shows", type=int, default=48)
    parser.add_argument("--pool", type=int, default=8)
    parser.add_argument("--cold", action="store_true", help="also: quiet, the body cache emptied per read")
    parser.add_argument("--builds", type=int, default=0, help="also: the dashboard's build alone, N times")
    parser.add_argument("--hall", action="store_true", help="2,000-seat shows (the reads benchmark's hall)")
    args = parser.parse_args()
    with private_database(ServiceSettings().database_url or "") as url:
        asyncio.run(_measure(args, url))


if __name__ == "__main__":
    main()
