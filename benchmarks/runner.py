"""One benchmark run, start to finish: private services, data, every measurement, reports.

Order: floors, then per data-size step the reads (both designs, same data,
same shows), then freshness and commands on the largest data set, then
replay of the whole topic. Whatever happens, the run stops its processes and
drops its private database and topics (unless asked to keep them).
"""

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import environment, machine
from benchmarks.baseline.queries import INDEXES
from benchmarks.config import AVAILABILITY_TTL_SECONDS, DASHBOARD_TTL_SECONDS, BenchOptions
from benchmarks.datagen.load import load_venue
from benchmarks.dataset import DataSet
from benchmarks.report.write import write_reports
from benchmarks.scenarios.commands import measure_commands
from benchmarks.scenarios.endpoints import Endpoints
from benchmarks.scenarios.equivalence import compare_answers
from benchmarks.scenarios.floors import measure_floors
from benchmarks.scenarios.freshness import measure_freshness
from benchmarks.scenarios.reads import measure_reads
from benchmarks.scenarios.replay import measure_replay
from benchmarks.stack import Stack
from infra.db import libpq_dsn

Progress = Callable[[str], None]
EQUIVALENCE_SHOWS = 5


def create_baseline_indexes(database_url: str) -> None:
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        for statement in INDEXES:
            conn.execute(statement)


def start_stack(stack: Stack) -> Endpoints:
    env = stack.env
    cold = stack.start(
        "baseline-cold", "baseline", "--availability-ttl", "0", "--dashboard-ttl", "0", http=True
    )
    cached = stack.start(
        "baseline-cached",
        "baseline",
        "--availability-ttl",
        str(AVAILABILITY_TTL_SECONDS),
        "--dashboard-ttl",
        str(DASHBOARD_TTL_SECONDS),
        http=True,
    )
    command = stack.start("command-api", "command-api", http=True)
    stack.start("command-worker", "command-worker")
    stack.start(
        "projector",
        "projector",
        "--registry-prefix",
        env.registry_prefix,
        "--topic",
        env.topic,
        "--dead-letter-topic",
        env.dead_letter_topic,
    )
    query = stack.start("query-api", "query-api", http=True)
    stack.wait_ready("baseline-cold", "baseline-cached", "command-api", "query-api")
    return Endpoints(cold.url, cached.url, query.url, command.url)


async def run(options: BenchOptions, progress: Progress = print) -> dict[str, Path]:
    """Run every measurement at ``options.scale`` and write the reports; returns their paths."""
    scale, out = options.scale, options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    began, started_at = time.monotonic(), datetime.now(UTC)
    env = environment.new_env(options.database_url, options.kafka_bootstrap)
    progress(f"run {env.run_id}: database {env.database_name}, topic {env.topic}")
    results: dict[str, Any] = {"reads": [], "data": [], "equivalence": []}
    environment.create_database(env)
    await environment.create_topics(env)
    stack = Stack(env, out / "logs")
    try:
        results["machine"] = await machine.describe(env.database_url, env.kafka_bootstrap)
        load_venue(env.database_url)
        create_baseline_indexes(env.database_url)
        endpoints = await asyncio.to_thread(start_stack, stack)
        data = DataSet(env, options.seed)
        for step in scale.order_steps:
            progress(f"loading to {step:,} orders")
            loaded = await data.grow_to(step, scale.catch_up_timeout, stack.check_alive)
            results["data"].append(loaded)
            progress(
                f"  {loaded['events']:,} events, {loaded['shows']} shows; projections caught up "
                f"{loaded['caught_up_after_load_s']} s after the load"
            )
            if "floors" not in results:
                results["floors"] = await measure_floors(
                    endpoints.baseline_cached, data.shows[0], scale.floor
                )
            shows = data.sample_shows(scale.reads.shows)
            same = await compare_answers(endpoints, shows[:EQUIVALENCE_SHOWS])
            results["equivalence"].append({"orders": data.orders, **same})
            progress(f"  answers compared {same['compared']}: {same['differences']} difference(s)")
            results["reads"] += await measure_reads(endpoints, shows, scale.reads, data.orders, progress)
        progress("freshness")
        results["freshness"] = await measure_freshness(
            endpoints, data.sample_shows(64), scale.freshness_rate, scale.freshness_seconds
        )
        progress("commands")
        results["commands"] = await measure_commands(
            endpoints.command_api,
            scale.command_levels,
            scale.command_requests,
            scale.command_seconds,
            progress,
        )
        progress("replay")
        results["replay"] = await measure_replay(env, stack, scale.catch_up_timeout)
    finally:
        stack.stop_all()
        if not options.keep:
            environment.drop_database(env)
            await environment.delete_topics(env)
    results["meta"] = {
        "scale": scale.name,
        "config": asdict(scale),
        "run_id": env.run_id,
        "started_at": started_at.isoformat(),
        "duration_s": round(time.monotonic() - began, 1),
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        "isolation": {
            "database": env.database_name,
            "topic": env.topic,
            "dead_letter_topic": env.dead_letter_topic,
            "projection_registry_prefix": env.registry_prefix,
            "kept": options.keep,
        },
    }
    return write_reports(results, out)
