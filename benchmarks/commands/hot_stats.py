"""Where a hot case's PostgreSQL work went: the write model's table and index counters, and the SLRUs.

``hot_best --table-stats`` reads these before and after each case and prints
the differences per accepted hold: index entries read per scan of the indexes
the holds walk (a page of free seats should read about a page of entries),
updates made HOT, dead row versions left, autovacuum runs and analyzes during
the case, and the commit-status (``Xact``) and ``MultiXact`` SLRU lookups. The
counters are PostgreSQL's cumulative statistics: a backend sends its own at
most once a second, when it goes idle, so ``flushed`` waits that long and then
ends a transaction on every pool connection before the closing reading. The
SLRU counters cover the whole server (other databases' work shows there too).
"""

import asyncio
from typing import Any

import psycopg
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.commands.backend_cpu import pool_backends

STATS_FLUSH_SECONDS = 1.1  # PGSTAT_MIN_INTERVAL is 1 s

_TABLES = """
SELECT 'table ' || relname, n_tup_upd, n_tup_hot_upd, n_dead_tup, autovacuum_count, autoanalyze_count
  FROM pg_stat_user_tables WHERE schemaname = 'write_model'
"""
_INDEXES = """
SELECT 'index ' || indexrelname, idx_scan, idx_tup_read, idx_tup_fetch
  FROM pg_stat_user_indexes WHERE schemaname = 'write_model'
"""
_SLRU = """
SELECT 'slru ' || name, blks_hit, blks_read
  FROM pg_stat_slru WHERE name IN ('Xact', 'MultiXact Member', 'MultiXact Offset', 'Subtrans')
"""

Counters = dict[str, tuple[int, ...]]


async def read_counters(conn: psycopg.AsyncConnection[Any]) -> Counters:
    """Every counter, by ``kind name`` (each statement its own snapshot of the statistics)."""
    found: Counters = {}
    for query in (_TABLES, _INDEXES, _SLRU):
        cur = await conn.execute(query)
        found |= {str(row[0]): tuple(int(v or 0) for v in row[1:]) for row in await cur.fetchall()}
    return found


async def flushed(engine: AsyncEngine, clients: int) -> None:
    """Waits until every pool backend may send its statistics, and makes each do so."""
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    await pool_backends(engine, at_least=clients)


def per_hold(before: Counters, after: Counters, holds: int) -> list[str]:
    """The case's counters, as lines: per accepted hold, and per scan for index entries read."""
    per = max(holds, 1)
    lines = []
    for name, now in sorted(after.items()):
        was = before.get(name, (0,) * len(now))
        d = [a - b for a, b in zip(now, was, strict=True)]
        if name.startswith("table ") and d[0]:
            lines.append(
                f"{name}: updates/hold {d[0] / per:.2f}  HOT {d[1] / d[0]:.0%}  dead now {now[2]}"
                f"  autovacuums {d[3]}  autoanalyzes {d[4]}"
            )
        elif name.startswith("index ") and d[0]:
            lines.append(
                f"{name}: scans/hold {d[0] / per:.2f}  entries read/scan {d[1] / d[0]:.1f}"
                f"  rows fetched/scan {d[2] / d[0]:.1f}"
            )
        elif name.startswith("slru ") and (d[0] or d[1]):
            lines.append(f"{name}: hits/hold {d[0] / per:.0f}  reads/hold {d[1] / per:.1f}")
    return lines
