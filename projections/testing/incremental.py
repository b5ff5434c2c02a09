"""The projector's cost per batch in incremental mode, measured on a private topic (test support,
see :mod:`projections.testing`).

``python -m projections.testing.incremental --events 3000 --rate 200`` runs a
projector process (both projections, as ``boxoffice projector`` does) against a
new topic and private schemas, publishes the shows of a simulation at once, then
the rest at a steady rate in groups of 1-3 events (what holds landing at ~100/s
look like), and prints, for the steady phase: the projector process's CPU per
event and per batch, and the statements and round trips it sent PostgreSQL per
batch (counted from libpq's protocol trace of every connection it opened, in a
second run, so that tracing costs nothing to the CPU figures); and, when
PostgreSQL runs on this machine, the CPU its backends serving the projector
spent per batch. Figures, never assertions. ``--profile PATH`` writes a cProfile
of the projector's steady phase.
"""

import argparse
import asyncio
import cProfile
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from psycopg import AsyncConnection, pq

from contracts import encode_event, partition_key
from projections.catalog import PROJECTIONS
from projections.runtime.batch import BatchResult, BatchWriter
from projections.runtime.decoding import Incoming
from projections.runtime.projection import Deployment
from projections.runtime.projectors import run_projectors
from projections.testing.harness import produce, query, wait_consumed
from projections.testing.simulation import Simulation

_NAMES = ("dashboard", "seat_availability")


# --- the projector process ------------------------------------------------------------------------


class _Probe:
    """Counts, inside the projector process, the batches committed and where its traces stand."""

    def __init__(self, trace_dir: Path | None) -> None:
        self.batches = 0
        self.events = 0
        self.trace_dir = trace_dir
        self.traces: list[Any] = []

    def install(self) -> None:
        probe, commit = self, BatchWriter.commit

        async def counted(self: BatchWriter, conn: Any, batch: list[Incoming], expected: Any) -> BatchResult:
            result = await commit(self, conn, batch, expected)
            probe.batches += 1
            probe.events += len(batch)
            return result

        BatchWriter.commit = counted  # type: ignore[method-assign]
        if self.trace_dir is None:
            return
        connect = AsyncConnection.connect.__func__  # type: ignore[attr-defined]

        async def traced(cls: type[AsyncConnection[Any]], *args: Any, **kwargs: Any) -> Any:
            conn = await connect(cls, *args, **kwargs)
            probe.trace(conn)
            return conn

        AsyncConnection.connect = classmethod(traced)  # type: ignore[assignment,method-assign]

    def trace(self, conn: AsyncConnection[Any]) -> None:
        """Log ``conn``'s protocol messages to a file of its own (libpq's trace)."""
        assert self.trace_dir is not None
        file = open(self.trace_dir / f"conn{len(self.traces)}.trace", "w")  # noqa: SIM115 - open till exit
        self.traces.append(file)
        conn.pgconn.trace(file.fileno())
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def snapshot(self) -> dict[str, Any]:
        sizes = {Path(f.name).name: os.fstat(f.fileno()).st_size for f in self.traces}
        return {"cpu": time.process_time(), "batches": self.batches, "events": self.events, "traces": sizes}


def child(registry_tags: str, topic: str, trace_dir: str | None, profile: str | None) -> None:
    """The projector process: both projections of ``topic``; SIGUSR1 prints a snapshot line."""
    probe = _Probe(Path(trace_dir) if trace_dir else None)
    probe.install()
    profiler = cProfile.Profile(time.thread_time) if profile else None  # CPU, not waiting
    deployments = [_deployment(name, topic, registry_tags) for name in _NAMES]

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)

        marks = 0

        def mark() -> None:  # the first mark starts the steady phase, the second ends it
            nonlocal marks
            marks += 1
            print(json.dumps(probe.snapshot()), flush=True)
            if profiler is not None:
                profiler.enable() if marks == 1 else profiler.disable()

        loop.add_signal_handler(signal.SIGUSR1, mark)
        await run_projectors(deployments, os.environ["BOXOFFICE_DATABASE_URL"], _bootstrap(), stop)

    asyncio.run(main())
    if profiler is not None and profile is not None:
        profiler.dump_stats(profile)


def _deployment(name: str, topic: str, tag: str) -> Deployment:
    return Deployment(PROJECTIONS[name], f"{name}_t{tag}", topic, f"read_t{tag}", f"{topic}.dlq")


def _bootstrap() -> str:
    return os.environ["BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS"]


# --- the measurement ------------------------------------------------------------------------------


async def measure(events: int, rate: float, *, trace: bool, profile: str | None = None) -> dict[str, float]:
    """One run: a projector process, the shows at once, then ``events`` at ``rate`` per second."""
    bootstrap, url = _bootstrap(), os.environ["BOXOFFICE_DATABASE_URL"]
    sim = Simulation(7, shows=20, zones=2, rows=10, seats=20)
    shows = len(sim.shows)
    while len(sim.events) < shows + events:
        sim.run(1000)
    topic, tag = f"bench.inc.{uuid4().hex[:10]}", uuid4().hex[:10]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 12, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    traces = Path(tempfile.mkdtemp(prefix="proj-trace-")) if trace else None
    cmd = [sys.executable, "-m", "projections.testing.incremental", "--child", tag, "--topic", topic]
    cmd += ["--trace-dir", str(traces)] if traces else []
    cmd += ["--profile", profile] if profile else []
    proc = _start(cmd, app := f"boxoffice-bench-{tag}")
    try:
        await produce(bootstrap, topic, sim.events[:shows])
        for name in _NAMES:
            await wait_consumed(url, _deployment(name, topic, tag), shows)
        await asyncio.sleep(1.0)
        before = _snapshot(proc) | {"pg": _backends_cpu(url, app)}
        published = await _publish_steadily(bootstrap, topic, sim.events[shows : shows + events], rate)
        for name in _NAMES:
            await wait_consumed(url, _deployment(name, topic, tag), shows + published)
        after = _snapshot(proc) | {"pg": _backends_cpu(url, app)}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        await admin.delete_topics([topic, f"{topic}.dlq"])
        await admin.close()
    batches = after["batches"] - before["batches"]
    cpu = after["cpu"] - before["cpu"]
    figures = {
        "events": float(after["events"] - before["events"]),
        "batches": float(batches),
        "cpu_us_per_event": 1e6 * cpu / published,
        "cpu_us_per_batch": 1e6 * cpu / max(batches, 1),
        "postgres_cpu_us_per_batch": 1e6 * _spent(before["pg"], after["pg"]) / max(batches, 1),
    }
    if traces is not None:
        counts = _protocol_counts(traces, before["traces"], after["traces"])
        figures["statements_per_batch"] = (counts["Execute"] + counts["Query"]) / max(batches, 1)
        figures["round_trips_per_batch"] = counts["flights"] / max(batches, 1)
    return figures


def _start(cmd: list[str], application_name: str) -> "subprocess.Popen[str]":
    env = {**os.environ, "PGAPPNAME": application_name}  # names its sessions in pg_stat_activity
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)


def _backends_cpu(database_url: str, application_name: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the projector (from /proc, so only
    when the server runs on this machine; empty otherwise)."""
    sessions = "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
    rows = query(database_url, sessions, (application_name,))
    spent: dict[int, float] = {}
    for (pid,) in rows:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        spent[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return spent


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings by the backends alive at both."""
    return sum(after[pid] - before[pid] for pid in after.keys() & before.keys())


def _snapshot(proc: "subprocess.Popen[str]") -> dict[str, Any]:
    proc.send_signal(signal.SIGUSR1)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return dict(json.loads(line))


async def _publish_steadily(bootstrap: str, topic: str, envelopes: list[Any], rate: float) -> int:
    """Publish in groups of 1-3 events, ``rate`` events per second on average; returns how many."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    rng, sent, started = random.Random(1), 0, time.perf_counter()
    try:
        while sent < len(envelopes):
            group = envelopes[sent : sent + rng.randint(1, 3)]
            for envelope in group:
                await producer.send(topic, encode_event(envelope), key=partition_key(envelope.stream_id))
            sent += len(group)
            await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
        await producer.flush()
    finally:
        await producer.stop()
    return sent


def protocol_messages(trace: str) -> Counter[str]:
    """Frontend messages (``F``) of a libpq trace (``PGconn.trace``) by type, and ``flights``: how
    many times the client spoke after the server had answered (a round trip each)."""
    counts: Counter[str] = Counter()
    previous = "B"
    for line in trace.splitlines():
        fields = line.split("\t")
        if len(fields) > 2 and fields[0] == "F":
            counts[fields[2].split(" ", 1)[0]] += 1
            counts["flights"] += previous == "B"
        previous = fields[0]
    return counts


def _protocol_counts(traces: Path, start: dict[str, int], end: dict[str, int]) -> Counter[str]:
    """``protocol_messages`` of each connection's trace between two snapshots, summed."""
    counts: Counter[str] = Counter()
    for name, stop in end.items():
        with open(traces / name, "rb") as file:
            file.seek(start.get(name, 0))
            counts += protocol_messages(file.read(stop - start.get(name, 0)).decode(errors="replace"))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--profile", help="Write a cProfile of the projector's steady phase here.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--topic", help=argparse.SUPPRESS)
    parser.add_argument("--trace-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.topic, args.trace_dir, args.profile)
        return
    figures = asyncio.run(measure(args.events, args.rate, trace=False, profile=args.profile))
    traced = asyncio.run(measure(min(args.events, 1000), args.rate, trace=True))
    figures["statements_per_batch"] = traced["statements_per_batch"]
    figures["round_trips_per_batch"] = traced["round_trips_per_batch"]
    for key, value in figures.items():
        print(f"{key}: {value:,.1f}")


if __name__ == "__main__":
    main()
