"""The demo from start to finish: stack, venue and shows, the on-sale, the live view, shutdown."""

import asyncio
import contextlib
import time
from dataclasses import dataclass

import httpx
from rich.console import Console
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

from cli.demo.api import BoxofficeClient, Endpoints
from cli.demo.catalog import Catalog
from cli.demo.display import render
from cli.demo.ratelimit import TokenBucket
from cli.demo.setup import put_on_sale
from cli.demo.simulator import SimulationConfig, run_on_sale
from cli.demo.stats import DemoStats
from cli.demo.watch import ReadSnapshot, poll_read_side, settle
from infra.stop_signals import set_on_stop_signals

# After the load stops, how long to wait for the projections to show every accepted command.
SETTLE_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class DemoOptions:
    shows: int
    customers: int
    rate: float
    duration: float | None
    seed: int


def where_to_look(endpoints: Endpoints, catalog: Catalog) -> Panel:
    """The URLs and keys to try while the demo runs."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("dashboard", f"{endpoints.query_url}/?key={endpoints.viewer_key}")
    first = catalog.shows[0]
    table.add_row("seat map", f"{endpoints.query_url}/shows/{first.show_id}?key={endpoints.viewer_key}")
    table.add_row("command API docs", f"{endpoints.command_url}/docs")
    table.add_row("query API docs", f"{endpoints.query_url}/docs")
    table.add_row("operator key", endpoints.operator_key)
    table.add_row("checkout key", endpoints.checkout_key)
    table.add_row("viewer key", endpoints.viewer_key)
    for show in catalog.shows:
        table.add_row("show", f"{show.show_id}  {show.title}")
    return Panel(table, title="boxoffice demo: where to look")


async def run_demo(endpoints: Endpoints, options: DemoOptions, console: Console) -> DemoStats:
    """Put shows on sale and simulate customers until Ctrl-C or ``options.duration``."""
    stop = asyncio.Event()
    set_on_stop_signals(stop)
    limits = httpx.Limits(max_connections=max(10, options.customers + 4))
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as http:
        operator = BoxofficeClient(http, endpoints)
        catalog, _ = await put_on_sale(operator, options.shows)
        console.print(where_to_look(endpoints, catalog))
        stats = DemoStats(started_at=time.monotonic())
        client = BoxofficeClient(http, endpoints, stats, limiter=TokenBucket(options.rate))
        read = ReadSnapshot(show_ids=frozenset(s.show_id for s in catalog.shows))
        config = SimulationConfig(customers=options.customers, seed=options.seed)
        footer = "Ctrl-C to stop" + (f" · stops after {options.duration:.0f} s" if options.duration else "")
        tasks = [
            asyncio.create_task(run_on_sale(client, catalog, config, stats, stop)),
            asyncio.create_task(poll_read_side(operator, read, stop)),
        ]
        if options.duration:
            asyncio.get_running_loop().call_later(options.duration, stop.set)
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            while not stop.is_set():
                live.update(render(stats, read, time.monotonic(), footer))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.25)
            live.update(render(stats, read, time.monotonic(), "stopping: waiting for the read side…"))
            await asyncio.gather(*tasks)
            caught_up = await settle(operator, read, SETTLE_SECONDS, stats.tickets_sold, stats.revenue_cents)
            ending = (
                "stopped · the read model shows every accepted sale"
                if caught_up
                else "stopped · the read model differs from the accepted sales"
            )
            live.update(render(stats, read, time.monotonic(), ending))
    return stats
