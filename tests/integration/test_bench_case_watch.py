"""The hot case's watch of its database (benchmarks.commands.case_watch) against a real PostgreSQL.

A backend opened after a case starts served the case too, and a snapshot held
only in the middle of a case held back its pruning: both must show in the
figures, which the readings at the start and the end alone missed.
"""

import asyncio

import psycopg

from benchmarks.commands.case_watch import CaseWatch
from benchmarks.commands.snapshots import held_snapshot
from infra.db import libpq_dsn
from tests.support.database import empty_database

TRANSACTIONS = 5
INTERVAL = 0.05


async def test_a_backend_opened_during_the_case_counts_its_cpu(database_url: str) -> None:
    with empty_database(database_url, "boxoffice_watch") as url:
        dsn = libpq_dsn(url)
        watch = await CaseWatch(dsn, interval=INTERVAL).start()
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            await conn.execute("SELECT count(*) FROM generate_series(1, 3000000)")
            case = await watch.stop()
    assert case.backends() == 1
    assert case.backend_seconds() > 0


async def test_a_snapshot_held_only_in_the_middle_shows_in_the_largest_age(database_url: str) -> None:
    with empty_database(database_url, "boxoffice_watch") as url:
        dsn = libpq_dsn(url)
        watch = await CaseWatch(dsn, interval=INTERVAL).start()
        async with held_snapshot(dsn), await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            for _ in range(TRANSACTIONS):
                await conn.execute("SELECT pg_current_xact_id()")
            await asyncio.sleep(INTERVAL * 6)
        case = await watch.stop()
    assert (case.ages[0], case.ages[-1]) == (0, 0)
    assert max(case.ages) >= TRANSACTIONS
