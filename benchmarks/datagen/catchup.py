"""Waiting until the projections have consumed the topic up to given offsets."""

import asyncio
import time
from collections.abc import Callable

import psycopg

from contracts.read_model import REGISTRY_SCHEMA
from infra.db import libpq_dsn

STALL_SECONDS = 90.0


async def positions(database_url: str, registry_name: str) -> dict[int, int]:
    """The next offset per partition of the live version of ``registry_name`` (empty before it starts)."""
    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        cur = await conn.execute(
            f"SELECT schema_name FROM {REGISTRY_SCHEMA}.versions WHERE projection = %s AND state = 'live'",
            (registry_name,),
        )
        row = await cur.fetchone()
        if row is None:
            return {}
        cur = await conn.execute(f'SELECT partition, next_offset FROM "{row[0]}".checkpoints')
        return {int(p): int(o) for p, o in await cur.fetchall()}


async def wait_caught_up(
    database_url: str,
    registry_names: list[str],
    ends: dict[int, int],
    limit_s: float,
    *,
    check: Callable[[], None] = lambda: None,
    stall_s: float = STALL_SECONDS,
) -> float:
    """Seconds until every projection's offsets reach ``ends``.

    TimeoutError past ``limit_s``, or when no projection moved for ``stall_s``
    (a projector that is alive but stuck); ``check`` runs at every poll and may
    raise, e.g. when the projector process died.
    """
    started = moved = time.monotonic()
    remaining, last = list(registry_names), -1
    while remaining:
        done, progress = [], 0
        for name in remaining:
            at = await positions(database_url, name)
            progress += sum(at.values())
            if all(at.get(p, 0) >= end for p, end in ends.items()):
                done.append(name)
        remaining = [n for n in remaining if n not in done]
        now = time.monotonic()
        if progress != last:
            moved, last = now, progress
        if remaining:
            check()
            if now - started > limit_s or now - moved > stall_s:
                raise TimeoutError(
                    f"projections {remaining} did not catch up (waited {now - started:.0f}s, "
                    f"no progress for {now - moved:.0f}s)"
                )
            await asyncio.sleep(0.1)
    return time.monotonic() - started
