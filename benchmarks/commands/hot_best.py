"""A hot on-sale of best-available holds, in process: the 200-seat zones against the 20,000-seat zone.

``python -m benchmarks.commands.hot_best [--clients 8 32] [--seconds 5] [--rounds 1] [--sql FILE]
[--held-snapshot]``

The command benchmark's hot best-available case (every client on one show;
``config.SMALL``: a request picks one of a hundred 200-seat zones of 10 rows of
20, ``config.LARGE``: one zone of 200 rows of 100) without its stack: the
command API's app is called through raw ASGI by ``clients`` concurrent tasks for
``seconds``, on a fresh show per case, against a private database (created and
dropped here). No relay or projector runs. Per case it reports accepted holds
per second, requests and refusals (409), the command API's CPU per accepted
hold, PostgreSQL's CPU per accepted hold and per request (every client backend
of the private database, see ``case_watch``; its autovacuum workers' CPU apart,
in seconds), and how many holds the one statement left to the usual path
(``boxoffice_one_statement_fallbacks_total``) per hold, with the 1-minute load
average at the case's start. ``--sql FILE`` runs that SQL after the migrations
(e.g. an earlier migration's function, its ``CREATE`` made ``CREATE OR
REPLACE``), so two versions of a function compare in the same minutes.
``snap_age_max`` is the largest age, in transactions, of the oldest snapshot
another session of the database (or a replication slot, or a standby's
feedback) held, read at the case's start, every 0.2 s and at its end (see
``snapshots``): a case run under one measures dead row versions, not the holds;
a snapshot held less than 0.2 s can still slip between two readings.
``--held-snapshot`` runs every case twice, alone and then under a snapshot held
open on purpose (a ``REPEATABLE READ`` transaction), to measure what one costs.
Compare ratios within one run: absolute figures drift with the load.
"""

import argparse
import asyncio
import os
import random
import re
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from uuid import uuid4

import orjson
import psycopg
import uvloop
from pydantic import SecretStr

from benchmarks.asgi_call import App, asgi_request
from benchmarks.commands.api_cpu import CHECKOUT, KEYS, OPERATOR, call
from benchmarks.commands.backend_cpu import pool_backends
from benchmarks.commands.case_watch import CaseWatch
from benchmarks.commands.config import BEST_QUANTITY, LARGE, SMALL, ZonePlan
from benchmarks.commands.hot_figures import case_figures, holds_ratio
from benchmarks.commands.hot_stats import flushed, per_hold, read_counters
from benchmarks.commands.snapshots import held_snapshot
from benchmarks.environment import create_database, drop_database, new_env
from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from infra.db import libpq_dsn
from infra.settings import ApiKeySettings

_FALLBACKS = re.compile(
    rb'^boxoffice_one_statement_fallbacks_total\{command="HoldBestAvailable"\} (\S+)$', re.M
)


async def fallbacks(app: App) -> float:
    """Best-available holds the one statement left to the usual path so far (the app's metric)."""
    status, body = await asgi_request(app, "GET", "/metrics", headers=[OPERATOR])
    found = _FALLBACKS.search(body) if status == 200 else None
    return float(found.group(1)) if found else float("nan")


async def new_show(app: App, plan: ZonePlan, venue_id: str) -> str:
    show = {"venue_id": venue_id, "title": plan.key, "starts_at": "2030-01-01T20:00:00Z"}
    prices = {"prices": dict.fromkeys(plan.zone_ids, 100)}
    status, body = await call(app, "/v1/shows", show | prices, OPERATOR)
    assert status == 201, body
    return str(orjson.loads(body)["show_id"])


async def new_venue(app: App, plan: ZonePlan) -> str:
    rows = [{"row": str(r + 1), "seats": plan.seats_per_row} for r in range(plan.rows)]
    zones = [{"zone_id": z, "name": z, "rows": rows} for z in plan.zone_ids]
    status, body = await call(app, "/v1/venues", {"name": plan.venue_name, "zones": zones}, OPERATOR)
    assert status == 201, body
    return str(orjson.loads(body)["venue_id"])


async def hot_case(app: Any, plan: ZonePlan, venue_id: str, clients: int, seconds: float) -> dict[str, float]:
    """``clients`` tasks holding best-available seats on one fresh show for ``seconds``.

    The pool is opened to ``clients`` connections first, and the PostgreSQL CPU
    counts every backend of the database (``case_watch``), so no backend that
    served the case is left out. CPU per accepted hold and per request are both
    reported: refused requests cost CPU too."""
    path = f"/v1/shows/{await new_show(app, plan, venue_id)}/holds"
    engine = app.state.command.engine
    backends = await pool_backends(engine, at_least=clients)
    dsn = libpq_dsn(engine.url.render_as_string(hide_password=False))
    rng = random.Random(11)
    statuses: Counter[int] = Counter()
    ends = time.perf_counter() + seconds

    async def client(n: int) -> None:
        i = 0
        while time.perf_counter() < ends:
            i += 1
            body = {
                "customer_id": f"hot-{n}-{i}",
                "zone_id": rng.choice(plan.zone_ids),
                "quantity": rng.choice(BEST_QUANTITY),
            }
            key = (b"idempotency-key", uuid4().hex.encode())
            status, _ = await call(app, path, body, CHECKOUT, key)
            statuses[status] += 1

    load, before_fallbacks = os.getloadavg()[0], await fallbacks(app)
    watch = await CaseWatch(dsn, backends).start()
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    watched = await watch.stop()
    accepted, requests = statuses[201], statuses.total()
    return case_figures(
        accepted=accepted,
        requests=requests,
        refused=statuses[409],
        wall=wall,
        api_cpu=cpu,
        pg_cpu=watched.backend_seconds(),
        fallbacks=await fallbacks(app) - before_fallbacks,
    ) | {
        "autovac_cpu_s": watched.autovacuum_seconds(),
        "backends": watched.backends(),
        "snap_age_max": max(watched.ages),
        "load": load,
    }


async def measure(
    database_url: str,
    clients: list[int],
    seconds: float,
    rounds: int,
    sql: str | None,
    *,
    held: bool,
    large_first: bool = False,
    table_stats: bool = False,
) -> None:
    dsn = libpq_dsn(database_url)
    if sql:
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            await conn.execute(sql.encode())
    settings = CommandSettings(database_url=database_url, relay_notify=False, db_pool_size=max(clients))
    app: Any = create_app(settings, ApiKeySettings(api_keys=SecretStr(KEYS)))
    engine = app.state.command.engine
    venues = {plan.key: await new_venue(app, plan) for plan in (SMALL, LARGE)}
    stats = await psycopg.AsyncConnection.connect(dsn, autocommit=True) if table_stats else None
    plans = (LARGE, SMALL) if large_first else (SMALL, LARGE)
    for _ in range(rounds):
        for level in clients:
            holds_per_s = {}
            for plan in plans:
                for snapshot in (False, True) if held else (False,):
                    if stats:
                        await flushed(engine, level)
                        before = await read_counters(stats)
                    async with held_snapshot(dsn) if snapshot else nullcontext():
                        got = await hot_case(app, plan, venues[plan.key], level, seconds)
                    if not snapshot:
                        holds_per_s[plan.key] = got["holds_per_s"]
                    figures = "  ".join(f"{name} {value:.3g}" for name, value in got.items())
                    under = " held-snapshot" if snapshot else ""
                    print(f"best-{plan.zone_seats}-hot-c{level:<3} {figures}{under}", flush=True)
                    if stats:
                        await flushed(engine, level)
                        lines = per_hold(before, await read_counters(stats), int(got["accepted"]))
                        print("".join(f"    {line}\n" for line in lines), end="", flush=True)
            ratio = holds_ratio(holds_per_s[SMALL.key], holds_per_s[LARGE.key])
            print(f"  20,000-seat / 200-seat holds/s: {ratio}", flush=True)
    if stats:
        await stats.close()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32], help="concurrent clients per case")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each case")
    parser.add_argument("--rounds", type=int, default=1, help="times every case is run")
    parser.add_argument("--sql", type=Path, help="SQL run after the migrations (an earlier function)")
    parser.add_argument(
        "--held-snapshot", action="store_true", help="run each case again under an old snapshot"
    )
    parser.add_argument("--large-first", action="store_true", help="the 20,000-seat case first at each level")
    parser.add_argument(
        "--table-stats", action="store_true", help="print each case's table, index and SLRU counters per hold"
    )
    args = parser.parse_args()
    env = new_env(os.environ.get("BOXOFFICE_DATABASE_URL"))
    create_database(env)
    try:
        sql = args.sql.read_text() if args.sql else None
        uvloop.run(
            measure(
                env.database_url,
                args.clients,
                args.seconds,
                args.rounds,
                sql,
                held=args.held_snapshot,
                large_first=args.large_first,
                table_stats=args.table_stats,
            )
        )
    finally:
        drop_database(env)


if __name__ == "__main__":
    main()
