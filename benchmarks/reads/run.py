"""One read benchmark run: durability check, private stack, data, every section, reports.

Order: wrk is found (or installed); PostgreSQL's durability is read and a
non-durable server is refused before anything is created (unless allowed);
then a private database and topic (``benchmarks.environment``), the stack
(the cached baseline, the command API, command worker, projector and one
query API process), the generated history (``benchmarks.datagen``) and fresh
shows for the holds. Then, with a paced background load of holds running:
(a) the closed loop, each process's ``/healthz`` first, then per read the
query API and the cached baseline on the same paths; (b) the open loop of
availability at a steady rate. Without it: (c) freshness. Then the query API
is restarted with more processes and, with the background load again, (d)
availability and its floor. A section that fails is recorded under
``errors`` and the run goes on; whatever happens the processes are stopped and
the private database and topics dropped (unless kept), then the reports are
written.
"""

import asyncio
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from benchmarks import machine
from benchmarks.commands.durability import read_durability
from benchmarks.commands.quiet import wait_quiet
from benchmarks.datagen.load import load_venue
from benchmarks.dataset import DataSet, analyze
from benchmarks.environment import BenchEnv
from benchmarks.isolated_run import Progress
from benchmarks.reads.config import (
    ENDPOINTS,
    FLOOR_PATH,
    HOLD_ZONES,
    QUIET_TIMEOUT_SECONDS,
    Endpoint,
    ReadBenchOptions,
)
from benchmarks.reads.cpu_share import HOLDS_WRK, CpuWindow
from benchmarks.reads.loads import Background, holds_argv, reads_argv
from benchmarks.reads.report import write_reports
from benchmarks.runner import create_baseline_indexes
from benchmarks.scenarios.endpoints import VIEWER, Endpoints
from benchmarks.scenarios.freshness import measure_freshness
from benchmarks.scenarios.setup import create_shows
from benchmarks.wrk import WrkResult, run_wrk
from benchmarks.wrk_run import WrkBench, run_wrk_bench, source_state, uncommitted

BASELINE = "baseline-cached"
SETTLE_SECONDS = 2.0  # the background load runs this long before a section is measured
LOAD_TIMEOUT_SECONDS = 600.0


def read_paths(endpoint: Endpoint, shows: list[UUID]) -> list[str]:
    if endpoint == "dashboard":
        return ["/v1/dashboard"]
    suffix = "?format=compact" if endpoint == "seats" else ""
    return [f"/v1/shows/{show}/{endpoint}{suffix}" for show in shows]


def query_api_name(workers: int) -> str:
    return "query-api" if workers == 1 else f"query-api-w{workers}"


class ReadBench(WrkBench):
    def __init__(self, options: ReadBenchOptions, env: BenchEnv, wrk: str, progress: Progress) -> None:
        super().__init__(env, options, wrk, progress, {"closed": [], "background": []})
        self.options = options
        self.data = DataSet(env, options.seed)
        self.urls: dict[str, str] = {}
        self.hold_shows: list[UUID] = []
        self.freshness_shows: list[UUID] = []
        self.read_shows: list[UUID] = []
        self.background: Background | None = None

    # -- setup ---------------------------------------------------------------------------------

    def _start_stack(self) -> None:
        env, stack = self.env, self.stack
        load_venue(env.database_url)
        create_baseline_indexes(env.database_url)
        baseline = stack.start_baseline(BASELINE, cached=True)
        workers = str(self.options.command_workers)
        command = stack.start("command-api", "command-api", "--workers", workers, http=True)
        stack.start("command-worker", "command-worker")
        stack.start_projector()
        first = self.options.query_workers[0]
        query = stack.start(query_api_name(first), "query-api", "--workers", str(first), http=True)
        stack.wait_ready(BASELINE, "command-api", query_api_name(first))
        self.urls = {"baseline": baseline.url, "command_api": command.url, "query_api": query.url}

    async def setup(self) -> None:
        options = self.options
        began = time.monotonic()
        self.progress(
            f"starting the stack (query API with {options.query_workers[0]} process(es), command API "
            f"with {options.command_workers})"
        )
        await asyncio.to_thread(self._start_stack)
        self.progress(f"loading {options.orders:,} orders")
        loaded = await self.data.grow_to(options.orders, LOAD_TIMEOUT_SECONDS, self.stack.check_alive)
        async with httpx.AsyncClient(timeout=httpx.Timeout(120.0)) as client:
            command_api = self.urls["command_api"]
            self.hold_shows = await create_shows(client, command_api, options.hold_shows, label="held")
            self.freshness_shows = await create_shows(
                client, command_api, options.freshness_shows, label="freshness"
            )
        waited = await wait_quiet(self.env, QUIET_TIMEOUT_SECONDS, self.stack.check_alive)
        # fresh statistics for the fresh shows' rows too (the load's own VACUUM ANALYZE ran before them)
        await asyncio.to_thread(analyze, self.env.database_url)
        self.read_shows = [*self.data.sample_shows(options.history_shows), *self.hold_shows]
        self.results["setup"] = {
            **loaded,
            "hold_shows": len(self.hold_shows),
            "freshness_shows": len(self.freshness_shows),
            "read_shows": len(self.read_shows),
            "caught_up_after_shows_s": round(waited, 2),
            "seconds": round(time.monotonic() - began, 1),
        }
        self.progress(
            f"  {loaded['events']:,} events, {loaded['shows']} generated shows, "
            f"{len(self.hold_shows) + len(self.freshness_shows)} fresh shows; "
            f"setup {self.results['setup']['seconds']} s"
        )

    async def warm_up(self, base: str) -> None:
        """One pass over every read path (fills the baseline's cache and the query API's)."""
        async with httpx.AsyncClient(timeout=httpx.Timeout(120.0)) as client:
            for endpoint in ENDPOINTS:
                for path in read_paths(endpoint, self.read_shows):
                    (await client.get(base + path, headers=VIEWER)).raise_for_status()

    async def readiness(self, label: str) -> None:
        """The query API's ``/readyz`` (``versions``: memory or database) before a section."""
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client:
            response = await client.get(self.urls["query_api"] + "/readyz")
        body = (
            response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        )
        self.results.setdefault("readiness", []).append(
            {"before": label, "status": response.status_code, **body}
        )
        self.progress(f"  query API /readyz before {label}: {response.status_code} {body}")

    # -- background holds ----------------------------------------------------------------------

    async def start_background(self) -> None:
        options = self.options
        argv = holds_argv(
            self.wrk,
            self.urls["command_api"],
            [str(s) for s in self.hold_shows],
            HOLD_ZONES,
            rate=options.background_rate,
            connections=options.background_connections,
            prefix=f"bg-{self.env.run_id}-{len(self.results['background'])}",  # one per run: new holds
        )
        self.background = Background(argv, options.background_connections)
        await self.background.start()
        await asyncio.sleep(SETTLE_SECONDS)
        self.background.check_alive()

    async def stop_background(self, during: str) -> None:
        background, self.background = self.background, None
        if background is None:
            return
        result = await background.stop()
        self.results["background"].append(
            {"during": during, "target_rate": self.options.background_rate, **result.as_dict()}
        )
        self.progress(
            f"  background holds during {during}: {result.ok_per_s:,.1f} accepted/s of "
            f"{result.requests_per_s:,.1f} requests/s (target {self.options.background_rate:g})"
        )

    # -- sections ------------------------------------------------------------------------------

    def _cpu_roots(self) -> dict[str, int]:
        """The process trees a case's CPU window counts: the stack's, and the background holds' wrk."""
        roots = {name: child.pid for name, child in self.stack.children.items()}
        if self.background is not None and self.background.process is not None:
            roots[HOLDS_WRK] = self.background.process.pid
        return roots

    async def _wrk(self, argv: list[str], connections: int) -> tuple[WrkResult, float, dict[str, Any]]:
        """wrk's result, the load average at its start, and the CPU window over its run."""
        if self.background is not None:
            self.background.check_alive()
        load = os.getloadavg()[0]
        self.stack.check_alive()
        window = CpuWindow.open(self._cpu_roots())
        result = await run_wrk(argv, connections)
        return result, round(load, 2), window.close()

    async def closed_case(
        self, target: str, base: str, endpoint: str, paths: list[str], workers: int
    ) -> None:
        options = self.options
        argv = reads_argv(
            self.wrk,
            base,
            paths,
            connections=options.connections,
            seconds=options.seconds,
            auth=endpoint != "healthz",
        )
        result, load, used = await self._wrk(argv, options.connections)
        self.results["closed"].append(
            {
                "target": target,
                "endpoint": endpoint,
                "query_api_workers": workers,
                "paths": len(paths),
                "path_example": paths[0],
                "load_1m_at_start": load,
                **result.as_dict(),
                "cpu": used,
            }
        )
        self.progress(
            f"  {target:<15} {endpoint:<12} {result.requests_per_s:>9,.1f} req/s  "
            f"p50 {result.p50_ms:>6} ms  p99 {result.p99_ms:>6} ms  non-200 {result.other}"
        )

    async def closed_loop(self, workers: int, endpoints: tuple[str, ...]) -> None:
        query, baseline = self.urls["query_api"], self.urls["baseline"]
        await self.closed_case("query_api", query, "healthz", [FLOOR_PATH], workers)
        await self.closed_case("baseline_cached", baseline, "healthz", [FLOOR_PATH], workers)
        for endpoint in endpoints:
            paths = read_paths(endpoint, self.read_shows)  # type: ignore[arg-type]
            await self.closed_case("query_api", query, endpoint, paths, workers)
            await self.closed_case("baseline_cached", baseline, endpoint, paths, workers)

    async def open_loop(self) -> None:
        options = self.options
        paths = read_paths("availability", self.read_shows)
        argv = reads_argv(
            self.wrk,
            self.urls["query_api"],
            paths,
            connections=options.open_connections,
            seconds=options.seconds,
            rate=options.open_rate,
        )
        result, load, used = await self._wrk(argv, options.open_connections)
        self.results["open"] = {
            "target": "query_api",
            "endpoint": "availability",
            "target_rate": options.open_rate,
            "paths": len(paths),
            "load_1m_at_start": load,
            **result.as_dict(),
            "cpu": used,
        }
        self.progress(
            f"  open loop at {options.open_rate:g}/s: achieved {result.requests_per_s:,.1f}/s, "
            f"p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, max {result.max_ms} ms"
        )

    async def freshness(self) -> None:
        options = self.options
        await wait_quiet(self.env, QUIET_TIMEOUT_SECONDS, self.stack.check_alive)
        endpoints = Endpoints("", self.urls["baseline"], self.urls["query_api"], self.urls["command_api"])
        window = CpuWindow.open(self._cpu_roots())
        measured = await measure_freshness(
            endpoints, self.freshness_shows, [options.freshness_rate], options.freshness_seconds
        )
        self.results["freshness"] = {**measured, "cpu": window.close()}
        row = measured["read_model"][0]
        self.progress(
            f"  freshness at {options.freshness_rate:g} holds/s: {row['throughput']}/s visible, "
            f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms"
        )

    async def more_query_processes(self, workers: int) -> None:
        """Replace the query API by a fresh one of ``workers`` processes (on a new port)."""
        for name in list(self.stack.children):
            if name.startswith("query-api"):
                self.stack.stop(name)
        name = query_api_name(workers)
        child = self.stack.start(name, "query-api", "--workers", str(workers), http=True)
        await asyncio.to_thread(self.stack.wait_ready, name)
        self.urls["query_api"] = child.url
        # every process has its own memory and cache: warm them all (the kernel spreads connections)
        for _ in range(workers * 2):
            await self.warm_up(child.url)

    async def measure(self) -> None:
        options = self.options
        self.results["machine"] = await machine.describe(self.env.database_url, self.env.kafka_bootstrap)
        await self.setup()
        if options.restart_query_api:
            self.progress("  a fresh query API process, started after the data load")
            await self.more_query_processes(options.query_workers[0])
        await self.warm_up(self.urls["query_api"])
        await self.warm_up(self.urls["baseline"])
        first, *more = options.query_workers
        self.progress(f"background: {options.background_rate:g} holds/s through the command API")
        await self.readiness("(a)")
        await self.start_background()
        try:
            self.progress(f"(a) closed loop, wrk -t1 -c{options.connections}, {options.seconds} s per case")
            await self.phase("closed", lambda: self.closed_loop(first, ENDPOINTS))
            self.progress(f"(b) open loop: availability at {options.open_rate:g}/s")
            await self.phase("open", self.open_loop)
        finally:
            await self.stop_background("(a) and (b)")
        self.progress(f"(c) freshness at {options.freshness_rate:g} holds/s")
        await self.phase("freshness", self.freshness)
        for workers in more:
            self.progress(f"(d) availability with {workers} query API processes")

            async def section(workers: int = workers) -> None:
                await self.more_query_processes(workers)
                await self.readiness(f"(d) {workers} processes")
                await self.start_background()
                try:
                    await self.closed_loop(workers, ("availability",))
                finally:
                    await self.stop_background(f"(d) {workers} processes")

            await self.phase(f"workers {workers}", section)
        self.durability_after = await asyncio.to_thread(read_durability, self.env.database_url)

    async def kill_background(self) -> None:
        background, self.background = self.background, None
        if background is not None:
            await background.kill()

    async def close(self) -> None:
        await self.kill_background()
        await super().close()


async def run(
    options: ReadBenchOptions, progress: Progress = print
) -> tuple[dict[str, Path], dict[str, str]]:
    """Measure every section and write the reports; (paths written, sections that failed).

    Raises NotDurableError (nothing created yet) on a non-durable server unless allowed, and
    WrkError when wrk is missing."""

    def details(_: ReadBench) -> dict[str, Any]:
        return {
            "options": {k: v for k, v in asdict(options).items() if k not in ("out_dir", "database_url")},
            "source": {
                **source_state(),
                "uncommitted": uncommitted(("command_side", "projections", "query_api")),
            },
        }

    results = await run_wrk_bench(
        options, lambda env, wrk: ReadBench(options, env, wrk, progress), details, progress
    )
    return write_reports(results, options.out_dir), results["errors"]
