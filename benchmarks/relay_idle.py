"""What an idle command worker costs, and how soon a committed event is on the topic.

``python -m benchmarks.relay_idle [--idle 10] [--commands 200] [--gap-ms 50]
[--set relay_listen=false ...] [--code-root DIR]``

On the configured services (``BOXOFFICE_DATABASE_URL``/``BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS``
or the local launcher's) it creates a private database and topic
(``benchmarks.environment``), starts a command API and a command worker as
child processes (``python -m benchmarks.serve``, run from ``--code-root``, by
default this checkout: point it at an export of another commit to measure
that code), creates a show, then:

1. idles ``--idle`` seconds and reports the CPU of the worker, of the API and of
   the PostgreSQL backends serving the private database (utime+stime from
   ``/proc/<pid>/stat``, in % of one core);
2. sends ``--commands`` holds one at a time (each after ``--gap-ms`` and after
   the previous event was consumed, so each starts from an idle relay) and
   reports per command, p50/p99/max of:
   - ``answer->consumed``: the consumer's receipt minus the HTTP answer's
     arrival (the commit happened before the answer);
   - ``occurred->CreateTime``: the Kafka record timestamp (CreateTime, set by
     the relay's producer; milliseconds) minus the event's ``occurred_at``
     (taken when the command started, before its commit).

``--set KEY=VALUE`` passes ``BOXOFFICE_KEY=VALUE`` to both children, e.g.
``--set relay_listen=false --set relay_fallback_poll_seconds=0.01`` polls
every 10 ms like the relay before LISTEN/NOTIFY. Figures are printed, never
asserted; the private database and topic are dropped at the end.
"""

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer, TopicPartition

from benchmarks.commands.config import ZonePlan
from benchmarks.commands.setup import Creations, create_show, create_venue
from benchmarks.cpu import cpu_seconds
from benchmarks.environment import BenchEnv, new_env, private_services
from benchmarks.scenarios.endpoints import CHECKOUT
from contracts import EVENTS_TOPIC_PARTITIONS, ConsistencyToken, decode_event
from infra.db import libpq_dsn
from infra.launcher.child import ChildProcess
from infra.launcher.proc import free_port
from infra.settings import REPO_ROOT, ServiceSettings
from infra.tasks import cancel_and_wait

PLAN = ZonePlan(
    "relay", "Bench relay idle", ("A",), rows=25, seats_per_row=20, price_cents=1_000
)  # a seat a command


@dataclass(slots=True)
class Children:
    env: BenchEnv
    code_root: Path
    settings: dict[str, str]
    logs: Path
    started: list[ChildProcess] = field(default_factory=list)

    def start(self, name: str, *args: str) -> ChildProcess:
        environ = self.env.child_environment(
            **{f"BOXOFFICE_{k.upper()}": v for k, v in self.settings.items()}
        )
        environ.pop("PYTHONPATH", None)  # the code under test is code_root's
        argv = [sys.executable, "-m", "benchmarks.serve", *args]
        # ``-m`` imports from the working directory first
        child = ChildProcess(name, argv, environ, self.logs / f"{name}.log", cwd=self.code_root)
        child.start()
        self.started.append(child)
        return child

    def stop_all(self) -> None:
        for child in self.started:
            child.stop()


async def backend_pids(env: BenchEnv) -> set[int]:
    """PostgreSQL backends connected to the private database (other than the asking one)."""
    async with await psycopg.AsyncConnection.connect(libpq_dsn(env.database_url), autocommit=True) as conn:
        cursor = await conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {int(row[0]) for row in await cursor.fetchall()}


async def unpublished(env: BenchEnv) -> int:
    async with await psycopg.AsyncConnection.connect(libpq_dsn(env.database_url)) as conn:
        cursor = await conn.execute("SELECT count(*) FROM write_model.outbox WHERE published_at IS NULL")
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def new_show(client: httpx.AsyncClient) -> str:
    """A show of ``PLAN``, created through the command API at ``client``'s base URL."""
    venue = await create_venue(client, "", PLAN)
    show = await create_show(
        client=client, command_api="", plan=PLAN, venue_id=venue, title="relay idle", creations=Creations()
    )
    return str(show)


@dataclass(slots=True)
class Received:
    at: float  # time.time() of receipt
    create_time_ms: int
    occurred_at: float


class Tap:
    """A consumer of the private topic from its end: (show, seq) -> when it arrived."""

    def __init__(self, env: BenchEnv) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=env.kafka_bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100
        )
        self._topic = env.topic
        self.seen: dict[tuple[UUID, int], Received] = {}
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        partitions = [TopicPartition(self._topic, p) for p in range(EVENTS_TOPIC_PARTITIONS)]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        for tp in partitions:  # resolve the end offsets now, not at the first fetch
            await self._consumer.position(tp)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for record in self._consumer:
            at = time.time()
            envelope = decode_event(record.value).envelope
            self.seen[(envelope.stream_id, envelope.seq)] = Received(
                at, record.timestamp, envelope.occurred_at.timestamp()
            )
            self._arrived.set()

    async def wait_for(self, key: tuple[UUID, int], within: float) -> Received | None:
        deadline = time.monotonic() + within
        while key not in self.seen:
            self._arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        return self.seen[key]

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self._consumer.stop()


def percentiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):7.2f} ms   p99 {p99:7.2f} ms   max {ordered[-1]:7.2f} ms"
        f"   (n={len(ordered)})"
    )


async def measure_idle(env: BenchEnv, worker: ChildProcess, api: ChildProcess, seconds: float) -> None:
    pids = await backend_pids(env)
    worker_pid, api_pid = worker.pid, api.pid
    start = {pid: cpu_seconds(pid) for pid in pids | {worker_pid, api_pid}}
    began = time.monotonic()
    await asyncio.sleep(seconds)
    pids_after = await backend_pids(env)
    elapsed = time.monotonic() - began
    end = {pid: cpu_seconds(pid) for pid in pids | pids_after | {worker_pid, api_pid}}

    def used(pid: int) -> float:
        after = end.get(pid)
        return 0.0 if after is None else after - (start.get(pid) or 0.0)

    def pct(seconds_used: float) -> str:
        return f"{100 * seconds_used / elapsed:5.2f} % of a core"

    backends = sum(used(pid) for pid in pids | pids_after)
    print(f"idle {elapsed:.1f} s:")
    print(f"  command worker             {pct(used(worker_pid))}")
    print(f"  command API                {pct(used(api_pid))}")
    print(f"  PostgreSQL backends ({len(pids | pids_after):2d})   {pct(backends)}")


async def measure_latency(
    env: BenchEnv, client: httpx.AsyncClient, show_id: str, args: argparse.Namespace
) -> None:
    tap = Tap(env)
    await tap.start()
    durations: list[float] = []
    to_consumed: list[float] = []
    answer_to_create_time: list[float] = []
    to_create_time: list[float] = []
    missing = 0
    try:
        for i in range(args.commands):
            await asyncio.sleep(args.gap_ms / 1000)
            seat = f"A-{i // PLAN.seats_per_row + 1}-{i % PLAN.seats_per_row + 1}"
            sent = time.time()
            response = await client.post(
                f"/v1/shows/{show_id}/holds",
                json={"customer_id": f"c{i}", "seat_ids": [seat]},
                headers=CHECKOUT,
            )
            answered = time.time()
            response.raise_for_status()
            token = ConsistencyToken.decode(response.json()["consistency_token"])
            assert token.show_id is not None
            received = await tap.wait_for((token.show_id, token.seq), within=10)
            if received is None:
                missing += 1
                continue
            durations.append(1000 * (answered - sent))
            to_consumed.append(1000 * (received.at - answered))
            answer_to_create_time.append(received.create_time_ms - 1000 * answered)
            to_create_time.append(received.create_time_ms - 1000 * received.occurred_at)
    finally:
        await tap.stop()
    print(f"{args.commands} holds, one at a time, {args.gap_ms:g} ms apart:")
    print(f"  command (request->answer)  {percentiles(durations)}")
    print(f"  answer->consumed           {percentiles(to_consumed)}")
    print(f"  answer->CreateTime         {percentiles(answer_to_create_time)}")
    print(f"  occurred->CreateTime       {percentiles(to_create_time)}")
    if missing:
        print(f"  not on the topic within 10 s: {missing}")


async def run(env: BenchEnv, children: Children, args: argparse.Namespace) -> None:
    port = free_port()
    api = children.start("command-api", "command-api", "--port", str(port))
    worker = children.start("command-worker", "command-worker")
    url = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(api.wait_answering, f"{url}/healthz")
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        show_id = await new_show(client)
        async with asyncio.timeout(60):  # the worker leads and has published the show (producer up)
            while await unpublished(env):
                if not worker.alive:
                    raise RuntimeError(f"the worker exited; see {worker.log_path}")
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # let start-up settle
        await measure_idle(env, worker, api, args.idle)
        await measure_latency(env, client, show_id, args)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.relay_idle", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--idle", type=float, default=10.0, help="Seconds of idling measured.")
    parser.add_argument("--commands", type=int, default=200, help="Holds sent one at a time (max 500).")
    parser.add_argument("--gap-ms", type=float, default=50.0, help="Pause before each command.")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="BOXOFFICE_KEY=VALUE for the children.",
    )
    parser.add_argument("--code-root", type=Path, default=REPO_ROOT, help="Checkout the children run from.")
    parser.add_argument("--keep", action="store_true", help="Keep the private database and topic.")
    args = parser.parse_args()
    args.commands = min(args.commands, PLAN.zone_seats)
    settings = dict(item.split("=", 1) for item in args.set)
    env = new_env()
    logs = ServiceSettings().state_dir / "bench" / f"relay-idle-{env.run_id}"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"code: {args.code_root}   settings: {settings or 'defaults'}   logs: {logs}")
    children = Children(env, args.code_root.resolve(), settings, logs)

    async def measured() -> None:
        async with private_services(env, keep=args.keep):
            try:
                await run(env, children, args)
            finally:
                children.stop_all()

    asyncio.run(measured())


if __name__ == "__main__":
    main()
