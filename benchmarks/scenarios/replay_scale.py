"""Replay at scale without the whole large benchmark: a log of the data set's events, replayed.

``python -m benchmarks.scenarios.replay_scale build --orders 320000`` makes a
private database and topic (``benchmarks.environment``) and publishes the large
data set's events of that many orders (the generator of ``boxoffice bench``;
no write tables are loaded: a replay reads only the topic), then prints the
run id. ``run RUN_ID`` measures, on that log, the plain consumer (the ceiling)
and then a replay as ``boxoffice bench`` measures it (a fresh version of each
projection, one projector process each, from offset 0), sampling the new
versions' offsets every half second: it
prints the replay's events/s, its share of the ceiling, the rate per window of
``--window`` events of each projection (does it fall as the tables grow?),
PostgreSQL's checkpoints and WAL over the replay and the new tables' dead
tuples. ``run`` can be repeated (each under a new registry prefix) to
compare code alternately on the same log; ``drop RUN_ID`` deletes both.
Figures, never assertions.
"""

import argparse
import asyncio
import dataclasses
import os
import subprocess
import sys
import time
from typing import Any
from uuid import uuid4

import psycopg

from benchmarks import environment
from benchmarks.datagen.generate import HistoryGenerator
from benchmarks.datagen.load import publish
from benchmarks.dataset import slice_sizes
from benchmarks.environment import BenchEnv
from contracts import EVENTS_TOPIC_PARTITIONS
from infra.db import libpq_dsn
from projections.runtime.topic_offsets import end_offsets
from projections.testing.bench import read_to_end


def env_of(run_id: str) -> BenchEnv:
    """The names of an existing run's private services."""
    fresh = environment.new_env()
    url = fresh.database_url.replace(fresh.run_id, run_id)
    return dataclasses.replace(
        fresh,
        run_id=run_id,
        database_url=url,
        topic=f"boxoffice.bench.{run_id}.events",
        dead_letter_topic=f"boxoffice.bench.{run_id}.events.dlq",
    )


async def build(orders: int, seed: int) -> None:
    env = environment.new_env()
    async with environment.private_services(env, keep=True):
        generator, events, started = HistoryGenerator(seed), 0, time.monotonic()
        for size in slice_sizes(orders):
            part = await asyncio.to_thread(generator.slice, size)
            await publish(env.kafka_bootstrap, env.topic, part.messages)
            events += part.events
            print(f"{events:,} events published ({time.monotonic() - started:.0f} s)", flush=True)
    print(f"run id: {env.run_id}  events: {events:,}")


def _building(conn: psycopg.Connection[Any], prefix: str) -> dict[str, int]:
    """Events done per version registered under ``prefix`` (by projection), from its checkpoints."""
    rows = conn.execute(
        "SELECT projection, schema_name FROM projection_meta.versions WHERE projection LIKE %s",
        (f"{prefix}\\_%",),
    ).fetchall()
    done: dict[str, int] = {}
    for projection, schema in rows:
        total = conn.execute(f'SELECT coalesce(sum(next_offset), 0) FROM "{schema}".checkpoints').fetchone()
        done[projection] = int(total[0]) if total else 0
    return done


def _pg_counters(conn: psycopg.Connection[Any]) -> dict[str, float]:
    bg = conn.execute(
        "SELECT checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_backend FROM pg_stat_bgwriter"
    ).fetchone()
    wal = conn.execute("SELECT wal_bytes, wal_fpi FROM pg_stat_wal").fetchone()
    assert bg is not None
    assert wal is not None
    names = ("checkpoints_timed", "checkpoints_req", "buffers_checkpoint", "buffers_backend")
    return {
        **dict(zip(names, map(float, bg), strict=True)),
        "wal_mb": float(wal[0]) / 2**20,
        "wal_fpi": wal[1],
    }


def _windows(samples: list[tuple[float, dict[str, int]]], window: int) -> dict[str, list[float]]:
    """Events/s of each projection over each ``window`` events (from the first sample past each bound)."""
    rates: dict[str, list[float]] = {}
    for name in {n for _, done in samples for n in done}:
        points = [(t, done[name]) for t, done in samples if name in done]
        out, bound, start = [], window, points[0] if points else (0.0, 0)
        for t, n in points:
            if n >= bound:
                out.append((n - start[1]) / (t - start[0]) if t > start[0] else 0.0)
                start, bound = (t, n), (n // window + 1) * window
        rates[name] = out
    return rates


def run(run_id: str, processes: int, window: int, extra: list[str]) -> None:
    env = env_of(run_id)
    ends = asyncio.run(end_offsets(env.kafka_bootstrap, env.topic))
    events = sum(ends.values())
    ceiling = asyncio.run(read_to_end(env.kafka_bootstrap, env.topic, EVENTS_TOPIC_PARTITIONS, events))
    load_before = os.getloadavg()
    prefix = f"scale{uuid4().hex[:6]}"
    topics = ["--topic", env.topic, "--dead-letter-topic", env.dead_letter_topic]
    argv = [sys.executable, "-m", "benchmarks.serve", "projector", "--registry-prefix", prefix, *topics]
    with psycopg.connect(libpq_dsn(env.database_url), autocommit=True) as conn:
        before = _pg_counters(conn)
        started = time.monotonic()
        children = [
            subprocess.Popen([*argv, "--projection", name, *extra], env=env.child_environment())
            for name in ("seat_availability", "dashboard")
        ]
        print(f"projector pids {[c.pid for c in children]}", flush=True)
        samples: list[tuple[float, dict[str, int]]] = []
        while True:
            done = _building(conn, prefix)
            samples.append((time.monotonic() - started, done))
            if len(done) == 2 and all(n >= events for n in done.values()):
                break
            if any(c.poll() is not None for c in children):
                raise SystemExit("a projector exited")
            time.sleep(0.5)
        seconds = time.monotonic() - started
        for c in children:
            c.terminate()
            c.wait()
        after = _pg_counters(conn)
        tables = conn.execute(
            "SELECT schemaname || '.' || relname, n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd,"
            " autovacuum_count, autoanalyze_count, pg_total_relation_size(relid) / 1048576"
            " FROM pg_stat_user_tables WHERE n_live_tup > 10000 ORDER BY n_live_tup DESC LIMIT 8"
        ).fetchall()
    rate = events / seconds
    print(f"events {events:,}; ceiling {ceiling:,.0f} events/s")
    print(f"load average before {load_before}, after {os.getloadavg()}")
    print(f"replay, a projector process each: {seconds:.1f} s, {rate:,.0f} events/s")
    print(f"share of the ceiling: {100 * rate / ceiling:.1f} %")
    for name, rates in sorted(_windows(samples, window).items()):
        print(f"  {name} per {window:,} events: " + " ".join(f"{r:,.0f}" for r in rates))
    print("  postgres: " + ", ".join(f"{k} +{after[k] - before[k]:,.0f}" for k in before))
    for row in tables:
        line = "  table {} live {:,} dead {:,} upd {:,} hot {:,} autovacuum {} autoanalyze {} {} MB"
        print(line.format(*row))


def explain(run_id: str, keys: int, settings: list[str]) -> None:
    """The plan and time of one replay-sized seat update on the live seat tables (rolled back)."""
    with psycopg.connect(libpq_dsn(env_of(run_id).database_url)) as conn:
        row = conn.execute(
            "SELECT schema_name FROM projection_meta.versions"
            " WHERE projection = 'seat_availability' AND state = 'live'"
        ).fetchone()
        assert row is not None, "no live seat_availability version"
        schema = row[0]
        for setting in settings:
            conn.execute(f"SET {setting}")
        pairs = conn.execute(
            f'SELECT show_id, seat_id FROM "{schema}".seats TABLESAMPLE SYSTEM (5) LIMIT %s', (keys,)
        ).fetchall()
        plan = conn.execute(
            f'EXPLAIN (ANALYZE, BUFFERS) UPDATE "{schema}".seats AS t SET status = u.st'
            " FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS u(i, seat, st)"
            " WHERE t.show_id = u.i AND t.seat_id = u.seat",
            ([p[0] for p in pairs], [p[1] for p in pairs], ["held"] * len(pairs)),
        ).fetchall()
        conn.rollback()
    print("\n".join(r[0] for r in plan))


async def drop(run_id: str) -> None:
    env = env_of(run_id)
    await environment.delete_topics(env)
    environment.drop_database(env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--orders", type=int, default=320_000)
    b.add_argument("--seed", type=int, default=7)
    r = sub.add_parser("run")
    r.add_argument("run_id")
    r.add_argument("--processes", type=int, default=1)
    r.add_argument("--window", type=int, default=100_000)
    r.add_argument("--replay-arg", action="append", default=[], help="passed to `projections replay`")
    e = sub.add_parser("explain")
    e.add_argument("run_id")
    e.add_argument("--keys", type=int, default=20_000)
    e.add_argument("--set", action="append", default=[], help="a setting for the session, e.g. jit=off")
    d = sub.add_parser("drop")
    d.add_argument("run_id")
    args = parser.parse_args()
    if args.command == "build":
        asyncio.run(build(args.orders, args.seed))
    elif args.command == "run":
        run(args.run_id, args.processes, args.window, args.replay_arg)
    elif args.command == "explain":
        explain(args.run_id, args.keys, args.set)
    else:
        asyncio.run(drop(args.run_id))


if __name__ == "__main__":
    main()
