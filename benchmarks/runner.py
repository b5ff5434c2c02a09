"""One benchmark run, start to finish: private services, data, every measurement, reports.

Order: per data-size step the load, the same-answers check and the reads (plus
the floors once data exists); then commands, freshness and replay on the
largest data set. A measurement that fails is recorded under ``errors`` and
the run goes on to the next one (a failed load ends the steps); whatever
happens, the run stops its processes and drops its private database and
topics (unless asked to keep them), then writes the reports it has.
"""

import asyncio
import os
import time
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import environment, machine
from benchmarks.baseline.queries import INDEXES
from benchmarks.config import BenchOptions
from benchmarks.datagen.load import load_venue
from benchmarks.dataset import DataSet
from benchmarks.environment import BenchEnv
from benchmarks.isolated_run import IsolatedRun, Progress, measure_isolated
from benchmarks.report.write import write_reports
from benchmarks.scenarios.commands import measure_commands
from benchmarks.scenarios.endpoints import Endpoints
from benchmarks.scenarios.equivalence import compare_answers
from benchmarks.scenarios.floors import measure_floors
from benchmarks.scenarios.freshness import measure_freshness
from benchmarks.scenarios.reads import measure_reads
from benchmarks.scenarios.replay import measure_replay
from benchmarks.stack import start_services
from infra.db import libpq_dsn

EQUIVALENCE_SHOWS = 5
FRESHNESS_SHOWS = 64
FRESHNESS_SHARES = (0.2, 0.4, 0.6)


def create_baseline_indexes(database_url: str) -> None:
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        for statement in INDEXES:
            conn.execute(statement)


def freshness_rates(wanted: float, commands: list[dict[str, Any]]) -> list[float]:
    """Command rates for freshness: 20%, 40% and 60% of the best spread hold throughput measured,
    none above the scale's rate. A pipeline is only fresh below saturation; the rising rates show
    how staleness grows as the command load nears what the machine sustains."""
    best = max((c["throughput"] for c in commands if c["scenario"] == "spread"), default=wanted)
    return sorted({round(max(2.0, min(wanted, share * best)), 1) for share in FRESHNESS_SHARES})


class BenchRun(IsolatedRun):
    def __init__(self, options: BenchOptions, env: BenchEnv, progress: Progress) -> None:
        super().__init__(env, options.out_dir, progress, {"reads": [], "data": [], "equivalence": []})
        self.options = options
        self.scale = options.scale
        self.data = DataSet(env, options.seed)

    async def measure(self) -> None:
        self.results["machine"] = await machine.describe(self.env.database_url, self.env.kafka_bootstrap)
        load_venue(self.env.database_url)
        create_baseline_indexes(self.env.database_url)
        endpoints = await asyncio.to_thread(start_services, self.stack)
        for step in self.scale.order_steps:
            if not await self.phase(f"load to {step} orders", partial(self._load, step)):
                break
            if "floors" not in self.results:
                await self.phase("floors", lambda: self._floors(endpoints))
            await self.phase(f"reads at {step} orders", lambda: self._reads(endpoints))
        if not self.data.shows:
            return
        await self.phase("commands", lambda: self._commands(endpoints))
        await self.phase("freshness", lambda: self._freshness(endpoints))
        await self.phase("replay", self._replay)

    async def _load(self, step: int) -> None:
        self.progress(f"loading to {step:,} orders")
        loaded = await self.data.grow_to(step, self.scale.catch_up_timeout, self.stack.check_alive)
        self.results["data"].append(loaded)
        self.progress(f"  {loaded['events']:,} events, {loaded['shows']} shows; projections caught up "
                      f"{loaded['caught_up_after_load_s']} s after the load")  # fmt: skip

    async def _floors(self, endpoints: Endpoints) -> None:
        floors = await measure_floors(endpoints.baseline_cached, self.data.shows[0], self.scale.floor)
        self.results["floors"] = floors

    async def _reads(self, endpoints: Endpoints) -> None:
        shows = self.data.sample_shows(self.scale.reads.shows)
        same = await compare_answers(endpoints, shows[:EQUIVALENCE_SHOWS])
        self.results["equivalence"].append({"orders": self.data.orders, **same})
        self.progress(f"  answers compared {same['compared']}: {same['differences']} difference(s)")
        reads = await measure_reads(endpoints, shows, self.scale.reads, self.data.orders, self.progress)
        self.results["reads"] += reads

    async def _commands(self, endpoints: Endpoints) -> None:
        self.progress("commands")
        scale = self.scale
        self.results["commands"] = await measure_commands(
            endpoints.command_api, scale.command_levels, scale.command_requests, scale.command_seconds,
            self.progress,
        )  # fmt: skip

    async def _freshness(self, endpoints: Endpoints) -> None:
        rates = freshness_rates(self.scale.freshness_rate, self.results.get("commands", []))
        self.progress(f"freshness at {rates} commands/s")
        shows = self.data.sample_shows(FRESHNESS_SHOWS)
        self.results["freshness"] = await measure_freshness(
            endpoints, shows, rates, self.scale.freshness_seconds
        )
        for row in self.results["freshness"]["read_model"]:
            self.progress(f"  {row['target_rate']}/s: p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms")

    async def _replay(self) -> None:
        self.progress("replay")
        self.results["replay"] = await measure_replay(self.env, self.stack, self.scale.catch_up_timeout)


async def run(options: BenchOptions, progress: Progress = print) -> tuple[dict[str, Path], dict[str, str]]:
    """Run every measurement at ``options.scale`` and write the reports.

    Returns the paths written and the measurements that failed (name -> error).
    """
    began, started_at = time.monotonic(), datetime.now(UTC)
    env = environment.new_env(options.database_url, options.kafka_bootstrap)
    progress(f"run {env.run_id}: database {env.database_name}, topic {env.topic}")
    bench = BenchRun(options, env, progress)
    await measure_isolated(bench, options.keep)
    results = bench.results
    results["meta"] = {
        "scale": options.scale.name, "config": asdict(options.scale), "run_id": env.run_id,
        "started_at": started_at.isoformat(), "duration_s": round(time.monotonic() - began, 1),
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        "isolation": {"database": env.database_name, "topic": env.topic,
                      "dead_letter_topic": env.dead_letter_topic,
                      "projection_registry_prefix": env.registry_prefix, "kept": options.keep},
    }  # fmt: skip
    return write_reports(results, options.out_dir), results["errors"]
