"""The command benchmark's reading of the oldest outside snapshot (benchmarks.commands.snapshots).

A hot on-sale measured while another session holds an old snapshot measures the
hot rows' dead versions; the benchmark reports the snapshot's age next to the
case, so these tests check that the reading sees one held and sees none after.
"""

import psycopg

from benchmarks.commands.snapshots import database_snapshot_age, held_snapshot
from infra.db import libpq_dsn

TRANSACTIONS = 5


async def _spend_transactions(dsn: str, count: int) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        for _ in range(count):
            await conn.execute("SELECT pg_current_xact_id()")


async def test_a_held_snapshot_ages_with_every_transaction_after_it(command_db: str) -> None:
    dsn = libpq_dsn(command_db)
    async with held_snapshot(dsn):
        await _spend_transactions(dsn, TRANSACTIONS)
        age = await database_snapshot_age(dsn)
    assert age >= TRANSACTIONS


async def test_no_outside_snapshot_reads_as_age_zero_once_it_ends(command_db: str) -> None:
    dsn = libpq_dsn(command_db)
    async with held_snapshot(dsn):
        await _spend_transactions(dsn, TRANSACTIONS)
    assert await database_snapshot_age(dsn) == 0
