"""What the served read measurements share (``lean_wrk``, ``open_tail``): one query API process over
HTTP on the hall's shows while a writer process moves them.

``run_in_private_database`` runs a measurement on uvloop against a private,
migrated database; ``hall_under_writer`` seeds the hall's shows there and
holds the writer process (``coalescing.writer_process``) moving both the seat
maps and the dashboard; ``served_query_api`` serves one app in this process as
``boxoffice query-api`` serves it (uvicorn, uvloop and httptools, access log
off), ready once its LISTEN connection's first re-read is done.
"""

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import uvicorn
import uvloop

from benchmarks.environment import private_database
from benchmarks.reads.coalescing import HALL, VIEWER_KEY, Signals, writer_process
from infra.launcher.proc import free_port
from infra.settings import ApiKeySettings, ServiceSettings
from query_api.app import create_app
from query_api.settings import QueryApiSettings
from query_api.state import QueryState

MOVING = ("seat_availability", "dashboard")
READY_POLLS = 2000  # of 10 ms: how long the app may take to start and re-read its versions


def add_served_writer_options(parser: argparse.ArgumentParser) -> None:
    """The options of a measurement that serves reads over HTTP while a writer process moves shows."""
    parser.add_argument("--versions-per-s", type=float, default=50.0)
    parser.add_argument("--shows", type=int, default=16)
    parser.add_argument("--pool", type=int, default=8)
    parser.add_argument("--batch", type=int, default=1, help="events per projector batch (one NOTIFY)")


def run_in_private_database(
    measure: Callable[[argparse.Namespace, str], Coroutine[Any, Any, None]], args: argparse.Namespace
) -> None:
    """Run ``measure(args, url)`` on uvloop against a private, migrated database (dropped afterwards)."""
    with (
        private_database(ServiceSettings().database_url or "") as url,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        runner.run(measure(args, url))


@asynccontextmanager
async def hall_under_writer(
    args: argparse.Namespace, url: str
) -> AsyncIterator[tuple[str, list[UUID], Signals]]:
    """``args.shows`` hall shows seeded in ``url`` and the writer that moves them (``signals.writing``):
    yields the views' schema, the shows and the signals; prints how many events it applied on exit."""
    async with writer_process(
        url, args.shows, HALL, args.versions_per_s, moving=MOVING, batch=args.batch
    ) as writer:
        read_schema, shows, signals, written = writer
        yield read_schema, shows, signals
    print(f"the writer applied {written[0]} events")


@asynccontextmanager
async def served_query_api(
    args: argparse.Namespace, url: str, read_schema: str
) -> AsyncIterator[tuple[str, QueryState]]:
    """A query API app over ``read_schema`` (a pool of ``args.pool``) served in this process on a free
    port: yields its base URL and its state (``app.state.query``) once ready; stopped on exit."""
    settings = QueryApiSettings(read_schema=read_schema, pool_size=args.pool)
    keys = ApiKeySettings(api_keys=f"viewer:{VIEWER_KEY},operator:op-{uuid4()}")
    app = create_app(settings, ServiceSettings(database_url=url), keys)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(READY_POLLS):  # started, and the LISTEN connection's first re-read done
            if server.started and app.state.query.tracker.synced:
                break
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}", app.state.query
    finally:
        server.should_exit = True
        await serving
