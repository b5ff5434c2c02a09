"""CPU and run-queue waits of the processes serving one client, from ``/proc`` (PostgreSQL runs here).

``latency_floor`` counts what a one-client hold costs the PostgreSQL backend
that serves it (the pool's connection), and how long that backend and the
measuring process waited for a core while the machine was busy.
"""

from contextlib import AsyncExitStack

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from benchmarks import cpu


async def pool_backends(engine: AsyncEngine, at_least: int = 0) -> list[int]:
    """The PostgreSQL backend pid of each connection in ``engine``'s pool (all checked out at once).

    ``at_least``: the pool is first opened to that many connections (checked out
    together, then returned), so that a case of that many clients finds its
    backends already open and listed here instead of opening new ones."""
    async with AsyncExitStack() as stack:
        pool = engine.pool
        idle = pool.checkedin() if isinstance(pool, QueuePool) else 1
        conns = [await stack.enter_async_context(engine.connect()) for _ in range(max(idle, at_least))]
        return [int(await conn.scalar(text("SELECT pg_backend_pid()"))) for conn in conns]


def backend_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds so far of each backend (from ``/proc``: the server runs on this machine)."""
    return {pid: spent for pid in pids if (spent := cpu.cpu_seconds(pid)) is not None}


def run_queue_wait(pids: list[int | str]) -> float:
    """Seconds the (main threads of the) processes have waited for a core so far, together
    (``/proc/<pid>/schedstat``); a process gone meanwhile counts for nothing."""
    total = 0
    for pid in pids:
        try:
            total += int((cpu.PROC / str(pid) / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9
