"""The one-client latency floor of a durable command, and where an explicit hold's p50 goes above it.

``python -m benchmarks.commands.latency_floor [--samples 2000] [--holds 300]``

On the running PostgreSQL (its own durability settings, read and printed), in
a private database, one client at a time, each figure a p50 / p99 in ms:

- ``round_trip``: ``SELECT 1`` on one connection: one network round trip.
- ``commit``: ``BEGIN``, an ``UPDATE`` of one row, an ``INSERT`` of one row and
  ``COMMIT`` in one psycopg pipeline: one round trip plus the WAL flush that a
  durable commit waits for. No command can answer faster than this.
- ``http``: the command API's constant ``GET /healthz`` through its whole ASGI
  app in process (middleware, routing, answer; no socket).
- ``hold_command``: an explicit hold (one seat, Idempotency-Key, customer limit
  as configured) run by ``commanding.command_answer``, the function both the
  route and the lean hold path call: the command without HTTP.
- ``hold_http``: the same hold as ``POST /v1/shows/{id}/holds`` through the app.

With ``--best`` both kinds of hold are best-available holds of one seat of the zone
instead (one statement too when the best seat is free, ``handlers.best_at_once``).

The two kinds of hold alternate request by request, so the machine's drift
touches both alike. ``breakdown`` splits the HTTP hold's p50: the commit floor,
the hold's other round trips (``HOLD_ROUND_TRIPS``: an explicit hold of a free
seat is one, ``command_side.handlers.hold_at_once``), the HTTP layer
(``hold_http`` - ``hold_command``), and what is left:
the command's own work in this process (its CPU per hold is measured) and in
PostgreSQL (statements beyond the floor's); ``floor_summary`` sets the parts
beside the hold's bound. The command benchmark runs ``measure`` with fewer
samples and reports it beside its one-client cases.
"""

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import orjson
import psycopg
import uvloop
from pydantic import SecretStr

from benchmarks.asgi_call import asgi_request
from benchmarks.commands.api_cpu import CHECKOUT, KEYS, create_shows
from benchmarks.commands.backend_cpu import backend_cpu, pool_backends, run_queue_wait
from benchmarks.commands.durability import read_durability
from benchmarks.commands.floor_summary import breakdown, summary
from benchmarks.environment import create_database, drop_database, new_env
from benchmarks.loadgen import percentile
from command_side.api.commanding import command_answer, idempotency_claim
from command_side.bootstrap import create_app
from command_side.domain.commands import HoldBestAvailable, HoldSeats
from command_side.settings import CommandSettings
from infra.db import libpq_dsn
from infra.settings import ApiKeySettings

SEATS = 50  # per row of the one zone, which has rows enough for every hold of the run (``zone_rows``)
WARM_UP = 20
# Round trips of the measured hold (one free seat): one statement, its own transaction.
HOLD_ROUND_TRIPS = 1
SCRATCH = (
    "CREATE TABLE IF NOT EXISTS latency_floor_counter (id int PRIMARY KEY, n bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS latency_floor_log (id bigserial PRIMARY KEY, n bigint NOT NULL)",
    "INSERT INTO latency_floor_counter VALUES (1, 0) ON CONFLICT DO NOTHING",
)


def spread(samples_s: list[float]) -> dict[str, float]:
    """p50 / p99 / max in ms of wall times in seconds."""
    values = sorted(v * 1000 for v in samples_s)
    return {
        "p50_ms": round(percentile(values, 50), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "max_ms": round(values[-1], 3) if values else 0.0,
        "samples": len(values),
    }


async def timed(call: Callable[[], Awaitable[Any]], count: int) -> list[float]:
    """Wall seconds of ``count`` calls, one at a time, after a warm-up."""
    for _ in range(WARM_UP):
        await call()
    out = []
    for _ in range(count):
        began = time.perf_counter()
        await call()
        out.append(time.perf_counter() - began)
    return out


async def database_floors(database_url: str, samples: int) -> dict[str, dict[str, float]]:
    """One round trip and one durable commit (UPDATE + INSERT + COMMIT, one pipeline)."""
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        for statement in SCRATCH:
            await conn.execute(statement)

        async def round_trip() -> None:
            await conn.execute("SELECT 1")

        async def commit() -> None:
            async with conn.pipeline():  # autocommit: BEGIN is ours, so nothing waits before COMMIT
                await conn.execute("BEGIN")
                await conn.execute("UPDATE latency_floor_counter SET n = n + 1 WHERE id = 1")
                await conn.execute(
                    "INSERT INTO latency_floor_log (n) SELECT n FROM latency_floor_counter WHERE id = 1"
                )
                await conn.execute("COMMIT")

        pid = conn.info.backend_pid
        round_trips = spread(await timed(round_trip, samples))
        began_cpu, began_server = time.process_time(), backend_cpu([pid]).get(pid, 0.0)
        commits = spread(await timed(commit, samples))
        cpu_ms = (time.process_time() - began_cpu + backend_cpu([pid]).get(pid, 0.0) - began_server) * 1000
        return {
            "round_trip": round_trips,
            "commit": commits | {"cpu_ms": round(cpu_ms / (samples + WARM_UP), 3)},  # client + backend
        }


def zone_rows(holds: int) -> int:
    """Rows of ``SEATS`` seats for the run's holds of one seat (two kinds, ``WARM_UP`` + ``holds``
    of each), and a spare row."""
    return -(-2 * (WARM_UP + holds) // SEATS) + 1


async def command_floors(
    database_url: str, samples: int, holds: int, *, best: bool = False
) -> dict[str, Any]:
    """The app's /healthz, and explicit (or ``best``-available) holds with and without HTTP, alternated."""
    app: Any = create_app(
        CommandSettings(database_url=database_url, relay_notify=False),
        ApiKeySettings(api_keys=SecretStr(KEYS)),
    )
    state = app.state.command
    try:
        rows = zone_rows(holds)
        (show,) = await create_shows(app, 1, rows=rows, seats=SEATS, name="latency floor")
        seats = iter([f"L-{r}-{s}" for r in range(1, rows + 1) for s in range(1, SEATS + 1)])
        path = f"/v1/shows/{show}/holds"

        async def healthz() -> None:
            await asgi_request(app, "GET", "/healthz")

        async def via_http() -> int:
            customer = f"c-{uuid4().hex[:12]}"
            body: dict[str, Any] = (
                {"customer_id": customer, "zone_id": "L", "quantity": 1}
                if best
                else {"customer_id": customer, "seat_ids": [next(seats)]}
            )
            headers = [(b"content-type", b"application/json"), CHECKOUT]
            headers.append((b"idempotency-key", uuid4().hex.encode()))
            status, _ = await asgi_request(app, "POST", path, headers=headers, body=orjson.dumps(body))
            return status

        async def via_command() -> int:
            customer = f"c-{uuid4().hex[:12]}"
            command: HoldSeats | HoldBestAvailable = (
                HoldBestAvailable(UUID(show), customer, "L", 1, None)
                if best
                else HoldSeats(UUID(show), customer, (next(seats),), None)
            )
            claim = idempotency_claim(
                "checkout", uuid4().hex, customer_id=customer, method="POST", path=path, payload=None
            )
            answer = await command_answer(state, command, claim=claim, correlation_id=None)
            return answer.status

        http = spread(await timed(healthz, samples))
        kinds = {"hold_command": via_command, "hold_http": via_http}
        backends: dict[int, float] = {}
        pids: list[int] = []
        waited = 0.0
        walls: dict[str, list[float]] = {k: [] for k in kinds}
        cpu: dict[str, float] = dict.fromkeys(kinds, 0.0)
        statuses: dict[str, int] = dict.fromkeys(kinds, 0)
        for i in range(-WARM_UP, holds):
            if i == 0:  # the pool's connections exist by now
                pids = await pool_backends(state.engine)
                backends, waited = backend_cpu(pids), run_queue_wait(["self", *pids])
            for kind, call in kinds.items():
                began_cpu, began = time.process_time(), time.perf_counter()
                status = await call()
                if i >= 0:
                    walls[kind].append(time.perf_counter() - began)
                    cpu[kind] += time.process_time() - began_cpu
                    statuses[kind] += status == 201
        after, waited = backend_cpu(pids), run_queue_wait(["self", *pids]) - waited
        server = sum(after.get(pid, spent) - spent for pid, spent in backends.items())
        out: dict[str, Any] = {
            "http": http,
            "backend_cpu_ms": round(server * 1000 / (2 * holds), 3),
            "run_queue_wait_ms": round(waited * 1000 / (2 * holds), 3),
        }
        for kind in kinds:
            out[kind] = spread(walls[kind]) | {
                "cpu_ms": round(cpu[kind] * 1000 / holds, 3),
                "accepted": statuses[kind],
            }
        return out
    finally:
        await state.engine.dispose()


async def measure(
    database_url: str, *, samples: int = 600, holds: int = 150, best: bool = False
) -> dict[str, Any]:
    """Every figure of the module docstring, on ``database_url`` (a private database: it gets two
    scratch tables and a show), with the server's durability settings and the ``breakdown``."""
    began = time.monotonic()
    durability = await asyncio.to_thread(read_durability, database_url)
    figures: dict[str, Any] = await database_floors(database_url, samples)
    figures |= await command_floors(database_url, samples, holds, best=best)
    figures["hold_round_trips"] = HOLD_ROUND_TRIPS
    return {
        "durability": durability.settings,
        **figures,
        "breakdown": breakdown(figures),
        "load_1m": round(os.getloadavg()[0], 2),
        "seconds": round(time.monotonic() - began, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000, help="round trips, commits and /healthz calls")
    parser.add_argument("--holds", type=int, default=300, help="holds of each kind (with and without HTTP)")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON too")
    parser.add_argument("--best", action="store_true", help="best-available holds instead of explicit")
    parser.add_argument(
        "--sql", type=Path, help="SQL run after the migrations (earlier functions, to compare in one session)"
    )
    args = parser.parse_args()
    env = new_env(os.environ.get("BOXOFFICE_DATABASE_URL"))
    create_database(env)
    try:
        if args.sql:
            with psycopg.connect(libpq_dsn(env.database_url), autocommit=True) as conn:
                conn.execute(args.sql.read_bytes())
        result = uvloop.run(measure(env.database_url, samples=args.samples, holds=args.holds, best=args.best))
    finally:
        drop_database(env)
    print(
        ("Best-available holds (read 'explicit' as best-available): " if args.best else "") + summary(result)
    )
    if args.json:
        print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
