"""CPU of the command worker (the outbox relay) per published event, while holds land.

``python -m benchmarks.commands.relay_cpu [--holds 400] [--levels 1,8] [--rounds 2]
[--code-root DIR] [--profile DIR]``

On the configured services it creates a private database and topic, starts a
command worker as a child process (``python -m benchmarks.serve command-worker``,
run from ``--code-root``: point it at an export of another commit to measure that
code) and drives the command API in this process through raw ASGI
(``benchmarks.commands.api_cpu.call``), with the NOTIFY after each commit that
wakes the relay, as ``boxoffice up`` runs it. For each level, ``clients`` callers
send explicit holds one after the other (one seat each, every hold an event).
Before and after each case it waits until the relay has published every row,
and reports the worker's CPU (utime+stime from ``/proc``) per published event,
and its relay passes (from the worker's ``/metrics``) per event. With
``--profile DIR``, py-spy records the worker during each case (collapsed stacks
per case, summarized by library and by the functions in most samples). Figures
are printed, never asserted; compare commits back to back, since the machine's
load moves them.
"""

import argparse
import asyncio
import shutil
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import uvloop
from pydantic import SecretStr

from benchmarks.asgi_call import App
from benchmarks.commands.api_cpu import CHECKOUT, KEYS, call, create_shows
from benchmarks.cpu import cpu_seconds
from benchmarks.environment import BenchEnv, new_env, private_services
from benchmarks.relay_idle import Children, unpublished
from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from infra.launcher.child import ChildProcess
from infra.launcher.proc import free_port
from infra.settings import REPO_ROOT, ApiKeySettings, ServiceSettings

ROWS, SEATS = 100, 100


# Where a sample of the worker's event loop is, by the first of these found in its stack, innermost first.
PLACES = (
    ("aiokafka", "Kafka producer (aiokafka)"),
    ("psycopg", "PostgreSQL driver (psycopg)"),
    ("prometheus_client", "metrics"),
    ("command_side", "the worker's own Python"),
    ("asyncio", "event loop (asyncio)"),
)
_PLUMBING = ("asyncio/", "<frozen runpy>", "benchmarks/serve.py", "threading.py", "selectors.py")


def profile_summary(collapsed: Path, top: int = 12) -> str:
    """Where py-spy's samples (collapsed stacks) of the worker's main thread were, and the functions
    in most of them (below the event loop; each counted once per sample)."""
    places: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if any("threading.py" in f for f in frames):
            continue  # the metrics server's thread, waiting on its socket
        if "EpollSelector.select" in frames[-1]:
            continue  # the event loop waiting for its sockets: idle, whatever py-spy makes of it
        samples = int(count)
        total += samples
        inner_first = list(reversed(frames))
        place = next((name for key, name in PLACES if any(key in f for f in inner_first)), "other")
        places[place] += samples
        for frame in {f for f in frames if not any(p in f for p in _PLUMBING)}:
            functions[frame] += samples
    share = max(total, 1)
    lines = [f"  py-spy: {total} busy samples of the worker's event loop thread"]
    lines += [f"  {n / share:6.1%}  {place}" for place, n in places.most_common()]
    lines += ["  functions in most samples:"]
    lines += [f"  {n / share:6.1%}  {frame}" for frame, n in functions.most_common(top)]
    return "\n".join(lines)


async def _drained(env: BenchEnv, worker: ChildProcess) -> None:
    async with asyncio.timeout(120):
        while await unpublished(env):
            if not worker.alive:
                raise RuntimeError(f"the worker exited; see {worker.log_path}")
            await asyncio.sleep(0.05)


async def _relay_counters(metrics_url: str) -> tuple[float, float]:
    """(events published, relay passes) from the worker's /metrics."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(metrics_url)).text
    published = passes = 0.0
    for line in text.splitlines():
        if line.startswith("boxoffice_relay_published_events_total"):
            published = float(line.split()[-1])
        elif line.startswith("boxoffice_relay_passes_total"):  # absent from older workers: 0
            passes = float(line.split()[-1])
    return published, passes


async def _case(app: App, show: str, seats: list[str], clients: int, holds: int) -> int:
    """``holds`` explicit holds of ``show`` from ``clients`` concurrent callers; the number accepted."""
    path = f"/v1/shows/{show}/holds"
    accepted = 0

    async def caller(n: int) -> None:
        nonlocal accepted
        for i in range(n, holds, clients):
            body: dict[str, Any] = {"customer_id": f"r{i}", "seat_ids": [seats[i]]}
            key = (b"idempotency-key", uuid4().hex.encode())
            status, _ = await call(app, path, body, CHECKOUT, key)
            accepted += status == 201

    await asyncio.gather(*(caller(n) for n in range(clients)))
    return accepted


async def measure(env: BenchEnv, worker: ChildProcess, metrics_url: str, args: argparse.Namespace) -> None:
    settings = CommandSettings(database_url=env.database_url, kafka_bootstrap_servers=env.kafka_bootstrap)
    app: Any = create_app(settings, ApiKeySettings(api_keys=SecretStr(KEYS)))
    levels = [int(x) for x in args.levels.split(",")] * args.rounds
    shows = await create_shows(app, len(levels), rows=ROWS, seats=SEATS, name="relay-cpu")
    seats = [f"L-{r}-{s}" for r in range(1, ROWS + 1) for s in range(1, SEATS + 1)]
    await _drained(env, worker)
    await asyncio.sleep(1.0)
    for n, (clients, show) in enumerate(zip(levels, shows, strict=True)):
        await _drained(env, worker)
        published0, passes0 = await _relay_counters(metrics_url)
        cpu0, wall0 = cpu_seconds(worker.pid) or 0.0, time.perf_counter()
        spy = None
        if args.profile is not None:
            out = args.profile / f"relay-c{clients}-{n}.txt"
            py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
            command = [py_spy, "record", "-p", str(worker.pid), "-o", str(out), "-r", "250", "-f", "raw"]
            spy = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
            )
        accepted = await _case(app, show, seats, clients, args.holds)
        await _drained(env, worker)
        cpu1, wall1 = cpu_seconds(worker.pid) or 0.0, time.perf_counter()
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its samples and exits
            await asyncio.wait_for(spy.wait(), 30)
            print(profile_summary(args.profile / f"relay-c{clients}-{n}.txt"))
        published1, passes1 = await _relay_counters(metrics_url)
        events = max(published1 - published0, 1)
        print(
            f"clients {clients:3}  worker CPU {(cpu1 - cpu0) * 1000 / events:6.3f} ms/event  "
            f"passes/event {(passes1 - passes0) / events:5.2f}  events {events:.0f}  "
            f"accepted {accepted}/{args.holds}  wall {wall1 - wall0:5.1f} s"
        )
    if app.state.outbox_notifier is not None:
        await app.state.outbox_notifier.aclose()
    await app.state.command.engine.dispose()


async def run(env: BenchEnv, children: Children, args: argparse.Namespace) -> None:
    port = free_port()
    children.settings["worker_metrics_port"] = str(port)
    worker = children.start("command-worker", "command-worker")
    await measure(env, worker, f"http://127.0.0.1:{port}/metrics", args)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.commands.relay_cpu", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--holds", type=int, default=400, help="Holds per case (at most 10,000).")
    parser.add_argument("--levels", default="1,8", help="Concurrent callers per case, comma-separated.")
    parser.add_argument("--rounds", type=int, default=2, help="Times each level is measured.")
    parser.add_argument("--code-root", type=Path, default=REPO_ROOT, help="Checkout the worker runs from.")
    parser.add_argument("--profile", type=Path, default=None, help="Directory for py-spy flame graphs.")
    args = parser.parse_args()
    args.holds = min(args.holds, ROWS * SEATS)
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    env = new_env()
    logs = ServiceSettings().state_dir / "bench" / f"relay-cpu-{env.run_id}"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"code: {args.code_root}   logs: {logs}")
    children = Children(env, args.code_root.resolve(), {}, logs)

    async def measured() -> None:
        async with private_services(env):
            try:
                await run(env, children, args)
            finally:
                children.stop_all()

    uvloop.run(measured())


if __name__ == "__main__":
    main()
