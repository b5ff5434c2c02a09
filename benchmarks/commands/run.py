"""One command benchmark run: durability check, private stack, shows, the floor, every case, reports.

Order: wrk is found (or installed); PostgreSQL's durability is read and a
non-durable server is refused before anything is created (unless allowed);
then a private database and topic (``benchmarks.environment``), the stack
(``benchmarks.stack.start_command_stack``: command API with one process per
core, command worker, projector, query API), the venues and shows, the
generator's floor, and the cases. Before each measurement the pipeline is
left to go idle. A case that fails is recorded under ``errors`` and the run
goes on; whatever happens the processes are stopped and the private database
and topics dropped (unless kept), then the reports are written.
"""

import asyncio
import os
import time
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from benchmarks import cpu, machine
from benchmarks.commands import latency_floor
from benchmarks.commands.case_watch import CaseWatch
from benchmarks.commands.clock import ATTEMPTS, ClockedRun, run_clocked
from benchmarks.commands.config import (
    BEST_QUANTITY,
    FIRST_RATE_GUESS,
    MAX_FILL,
    PLANS,
    QUIET_TIMEOUT_SECONDS,
    Case,
    CommandBenchOptions,
    ZonePlan,
)
from benchmarks.commands.durability import read_durability
from benchmarks.commands.floor_summary import summary
from benchmarks.commands.quiet import wait_quiet
from benchmarks.commands.report import snapshot_ages, write_reports
from benchmarks.commands.setup import Creations, create_show, create_venue, taken_seats
from benchmarks.config import CHECKOUT_KEY
from benchmarks.environment import BenchEnv
from benchmarks.isolated_run import Progress
from benchmarks.stack import start_command_stack
from benchmarks.wrk import WrkResult, run_wrk, wrk_argv
from benchmarks.wrk_run import WrkBench, run_wrk_bench, source_state
from infra.db import libpq_dsn

FLOOR_PATH = "/healthz"  # the command API's constant answer: no database, no auth


class CommandBench(WrkBench):
    def __init__(self, options: CommandBenchOptions, env: BenchEnv, wrk: str, progress: Progress) -> None:
        super().__init__(env, options, wrk, progress, {"cases": [], "floor": []})
        self.options = options
        self.creations = Creations()
        self.venues: dict[str, UUID] = {}
        self.spread_sets: dict[str, list[UUID]] = {}
        self.spread_refreshes = 0
        self.hot_shows: dict[str, UUID] = {}
        self.command_api = ""
        self.wrk_runs = 0

    async def measure(self) -> None:
        self.results["machine"] = await machine.describe(self.env.database_url, self.env.kafka_bootstrap)
        self.progress(f"starting the stack (command API with {self.options.workers} worker process(es))")
        stack = await asyncio.to_thread(start_command_stack, self.stack, self.options.workers)
        self.command_api = stack.command_api
        async with httpx.AsyncClient(timeout=httpx.Timeout(300.0)) as client:
            await self._setup(client)
            await self.phase("floor", self._floor)
            await self.phase("latency floor", self._latency_floor)
            for case in self.options.cases():
                await self.phase(case.name, partial(self._case, client, case))
        self.durability_after = read_durability(self.env.database_url)

    async def _setup(self, client: httpx.AsyncClient) -> None:
        began = time.monotonic()
        for plan in PLANS:
            self.venues[plan.key] = await create_venue(client, self.command_api, plan)
            self.spread_sets[plan.key] = await self._fresh_shows(client, plan, self.options.spread_shows)
        for case in self.options.cases():
            if case.spread == "hot":
                shows = await self._fresh_shows(client, case.plan, 1, title=f"hot {case.name}")
                self.hot_shows[case.name] = shows[0]
        created = time.monotonic() - began
        waited = await self._quiet()
        self.results["setup"] = {
            "seconds": round(created, 1),
            "projections_caught_up_after_s": round(waited, 1) if waited is not None else None,
            "show_creation": self.creations.summary(),
        }
        self.progress(
            f"  {len(self.creations.seconds)} shows of 20,000 seats in {created:.1f} s "
            f"(median {self.creations.summary().get('median_s')} s each)"
        )

    async def _fresh_shows(
        self, client: httpx.AsyncClient, plan: ZonePlan, count: int, title: str = ""
    ) -> list[UUID]:
        venue = self.venues[plan.key]
        label = title or f"spread {plan.key}"
        return [
            await create_show(
                client=client,
                command_api=self.command_api,
                plan=plan,
                venue_id=venue,
                title=f"{label} {i + 1}",
                creations=self.creations,
            )
            for i in range(count)
        ]

    async def _quiet(self) -> float | None:
        """Seconds the relay and projectors took to go idle, None if they did not in time."""
        try:
            return await wait_quiet(self.env, QUIET_TIMEOUT_SECONDS, self.stack.check_alive)
        except TimeoutError as error:
            self.progress(f"  pipeline not idle: {error}")
            return None

    def _max_accepted_rate(self) -> float:
        rates = [c["ok_per_s"] for c in self.results["cases"]]
        return max(rates) if rates else FIRST_RATE_GUESS

    async def _shows_for(self, client: httpx.AsyncClient, case: Case) -> list[UUID]:
        if case.spread == "hot":
            return [self.hot_shows[case.name]]
        shows = self.spread_sets[case.plan.key]
        capacity = case.plan.show_seats * len(shows)
        seats_per_hold = 1 if case.mode == "explicit" else max(BEST_QUANTITY)
        need = 2 * self._max_accepted_rate() * self.options.seconds * seats_per_hold
        if await taken_seats(self.env.database_url, shows) + need > MAX_FILL * capacity:
            self.progress(f"  fresh spread shows for {case.plan.key} zones (the current ones are filling)")
            shows = await self._fresh_shows(client, case.plan, self.options.spread_shows)
            self.spread_sets[case.plan.key] = shows
            self.spread_refreshes += 1
        return shows

    def _argv(self, connections: int, options: dict[str, str | int], auth: bool) -> list[str]:
        headers = [f"Authorization: Bearer {CHECKOUT_KEY}"] if auth else []
        return wrk_argv(
            self.wrk,
            self.command_api,
            connections=connections,
            seconds=self.options.seconds,
            options=options,
            headers=headers,
        )

    async def _floor(self) -> None:
        self.progress(f"generator floor: wrk -t1 against {FLOOR_PATH}")
        for level in self.options.levels:
            argv = self._argv(level, {"mode": "floor", "path": FLOOR_PATH}, auth=False)
            load = os.getloadavg()[0]
            result = await run_wrk(argv, level)
            self.results["floor"].append(
                {"path": FLOOR_PATH, **result.as_dict(), "load_1m_at_start": round(load, 2)}
            )
            self.progress(f"  floor x{level:<3} {result.requests_per_s:>9,.1f} req/s  p50 {result.p50_ms} ms")

    async def _latency_floor(self) -> None:
        """The one-client floor (``latency_floor``), in this process, on the run's database, started
        once the relay and projectors are idle; they relay and fold the floor's own holds meanwhile,
        which its run-queue waits show."""
        self.progress("latency floor: round trip, durable commit, /healthz and explicit holds, in process")
        await self._quiet()
        samples, holds = (100, 30) if self.options.quick else (500, 120)
        floor = await latency_floor.measure(self.env.database_url, samples=samples, holds=holds)
        self.results["latency_floor"] = floor
        self.progress(f"  {summary(floor)}")

    async def _case(self, client: httpx.AsyncClient, case: Case) -> None:
        """Run the case; again (on fresh shows: a hot one, or a new spread set) while the wall clock
        stepped during it, so the rerun starts from empty shows as the first run did."""
        steps = []
        for attempt in range(1, ATTEMPTS + 1):
            run = await self._attempt(client, case)
            if not run.stepped:
                break
            steps.append(run.describe())
            self.progress(
                f"  the wall clock stepped {run.wall_step_s:+.2f} s during the case (wrk counted "
                f"{run.result.seconds:.1f} s, {run.monotonic_s:.1f} s passed)"
                + ("; running it again" if attempt < ATTEMPTS else "; reported as measured")
            )
            if attempt < ATTEMPTS and case.spread == "hot":
                shows = await self._fresh_shows(client, case.plan, 1, title=f"hot {case.name} {attempt + 1}")
                self.hot_shows[case.name] = shows[0]
            elif attempt < ATTEMPTS:
                fresh = await self._fresh_shows(client, case.plan, self.options.spread_shows)
                self.spread_sets[case.plan.key] = fresh
                self.spread_refreshes += 1
        self.results["cases"][-1] |= {"monotonic_s": round(run.monotonic_s, 3), "clock_steps": steps}

    async def _attempt(self, client: httpx.AsyncClient, case: Case) -> ClockedRun:
        """One wrk run of the case; its row replaces a previous attempt's."""
        self.wrk_runs += 1
        index = self.wrk_runs  # its Idempotency-Keys' prefix and seed: new for every run
        if self.results["cases"] and self.results["cases"][-1]["case"] == case.name:
            self.results["cases"].pop()
        plan = case.plan
        shows = await self._shows_for(client, case)
        waited = await self._quiet()
        taken = await taken_seats(self.env.database_url, shows)
        load = os.getloadavg()[0]
        options: dict[str, str | int] = {
            "mode": case.mode,
            "shows": ",".join(str(s) for s in shows),
            "zones": ",".join(plan.zone_ids),
            "rows": plan.rows,
            "seats": plan.seats_per_row,
            "qmin": min(BEST_QUANTITY),
            "qmax": max(BEST_QUANTITY),
            "prefix": f"{self.env.run_id}-{index}",
            "seed": self.options.seed * 1000 + index,
        }
        roots = {name: child.pid for name, child in self.stack.children.items()}
        cpu_before = cpu.snapshot(roots)
        # Every session's snapshot, the stack's included, read every 0.2 s (see case_watch).
        watch = await CaseWatch(libpq_dsn(self.env.database_url)).start()
        run = await run_clocked(self._argv(case.connections, options, auth=True), case.connections)
        result = run.result
        cpu_ms = cpu.per_hold_ms(cpu_before, cpu.snapshot(roots), result.ok)
        ages = (await watch.stop()).ages
        self.stack.check_alive()
        row = _case_row(case, len(shows), taken, waited, result) | {
            "load_1m_at_start": round(load, 2),
            "cpu_ms_per_hold": cpu_ms,
            "oldest_snapshot_age": [ages[0], ages[-1]],  # transactions, at the start and the end
            "oldest_snapshot_age_max": max(ages),  # the largest of the readings every 0.2 s
        }
        self.results["cases"].append(row)
        self.progress(
            f"  {case.mode:<8} {plan.zone_seats:>6}-seat zone {case.spread:<6} x{case.connections:<3}"
            f" {result.ok_per_s:>8.1f} holds/s  p50 {result.p50_ms:>8.2f}  p99 {result.p99_ms:>8.2f}"
            f"  max {result.max_ms:>8.2f} ms  201 {result.ok}  409 {result.conflicts}  other {result.other}"
            f"  oldest snapshot {snapshot_ages(row)}"
        )
        return run


def _case_row(case: Case, shows: int, taken: int, waited: float | None, result: WrkResult) -> dict[str, Any]:
    capacity = case.plan.show_seats * shows
    return {
        "case": case.name,
        "mode": case.mode,
        "spread": case.spread,
        "zone_seats": case.plan.zone_seats,
        "zones_per_show": len(case.plan.zone_ids),
        "shows": shows,
        "fill_at_start": round(taken / capacity, 4) if capacity else 0.0,
        "idle_wait_s": round(waited, 2) if waited is not None else None,
        **result.as_dict(),
    }


async def run(
    options: CommandBenchOptions, progress: Progress = print
) -> tuple[dict[str, Path], dict[str, str]]:
    """Measure and write the reports; returns the paths written (name -> Path) and the errors.

    Raises NotDurableError (before creating anything) on a non-durable server
    unless ``options.allow_non_durable``, and WrkError when wrk is missing.
    """

    def details(bench: CommandBench) -> dict[str, Any]:
        return {
            "command_api_workers": options.workers,
            "levels": list(options.levels),
            "seconds_per_case": options.seconds,
            "spread_shows": options.spread_shows,
            "quick": options.quick,
            "max_fill": MAX_FILL,
            "spread_refreshes": bench.spread_refreshes,
            "best_quantity": list(BEST_QUANTITY),
            "plans": {p.key: p.describe() for p in PLANS},
            "source": source_state(),
        }

    results = await run_wrk_bench(
        options, lambda env, wrk: CommandBench(options, env, wrk, progress), details, progress
    )
    return write_reports(results, options.out_dir), results["errors"]
