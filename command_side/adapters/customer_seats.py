"""How many seats of a show a customer holds or owns, counted with the customer's holds serialized.

Guarantee: holds of one customer on one show take a transaction-level advisory
lock keyed by (show, customer) before they count, and keep it until they commit
or roll back; the count is a statement of its own run after the lock is granted
(under READ COMMITTED it then sees every hold and order committed before; for
an explicit hold the count and the seat lock are that one statement), so
two racing holds of a customer cannot both pass a limit only one of them fits
in. Releases, expiries, orders, payments and cancellations take no such lock:
they lower the count or leave it as it was (a hold becoming an order), so a
count that misses one of them errs on the safe side.

Deadlock-free: a hold takes this lock before any row lock but its idempotency
claim (which runs inside the lock's statement, before the lock: ``direct.carrying``),
and takes no other advisory lock; the two-key form has a key space of its own, so
it never meets the relay's single-key leader lock.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct, seat_inventory
from command_side.domain.holds import SeatState

# First key of the two-key advisory locks of customer limits ("cust"); the second is a hash.
LOCK_SPACE = 0x6375_7374
_LOCK = (
    "SELECT pg_advisory_xact_lock(CAST(:lock_space AS integer), "
    "hashtext(CAST(:show_id AS text) || '/' || CAST(:customer_id AS text)))"
)
# Reads the partial indexes of migration 0003: a customer's live holds and open orders of a show.
_COUNT = (
    "SELECT (SELECT COALESCE(sum(cardinality(seat_ids)), 0) FROM write_model.holds "
    " WHERE show_id = :show_id AND customer_id = :customer_id AND status = 'live' AND expires_at > :now)"
    " + (SELECT COALESCE(sum(jsonb_array_length(lines)), 0) FROM write_model.orders "
    " WHERE show_id = :show_id AND customer_id = :customer_id"
    " AND (status = 'paid' OR (status = 'pending' AND pay_by > :now)))"
)


def _lock(show_id: UUID, customer_id: str) -> direct.Statement:
    """The lock, which carries the transaction's deferred statement (its idempotency claim, first)."""
    params = {"show_id": show_id, "customer_id": customer_id, "lock_space": LOCK_SPACE}
    return direct.Statement(_LOCK, params, carries_deferred=True)


async def count_seats_and_read(
    conn: AsyncConnection, show_id: UUID, customer_id: str, now: datetime, reading: direct.Statement
) -> tuple[int, list[tuple[Any, ...]]]:
    """The customer's seats of the show in live holds (within their TTL) and pending (within their
    pay-by time) or paid orders, with the customer's holds on the show serialized until commit;
    and the rows of ``reading``, run after the count in the same round trip."""
    counting = direct.Statement(_COUNT, {"show_id": show_id, "customer_id": customer_id, "now": now})
    rows = await direct.fetch_many(conn, [_lock(show_id, customer_id), counting, reading])
    return int(rows[1][0][0]), rows[2]


async def count_seats_and_lock(
    conn: AsyncConnection, show_id: UUID, customer_id: str, now: datetime, seat_ids: tuple[str, ...]
) -> tuple[int, list[SeatState]]:
    """``count_seats``, then ``seat_inventory.lock_seats`` of ``seat_ids``, in one round trip.

    Two statements: the lock (with the deferred claim), then the count and the seat
    lock in one statement, whose snapshot is taken once the lock is granted.
    """
    locking = seat_inventory.seat_lock(show_id, seat_ids)
    counting_and_locking = direct.Statement(
        f"WITH locked AS MATERIALIZED ({locking.sql}) "
        f"SELECT c.n, l.* FROM ({_COUNT}) AS c(n) LEFT JOIN locked AS l ON true ORDER BY l.seat_id",
        {**locking.params, "customer_id": customer_id, "now": now},
    )
    rows = await direct.fetch_many(conn, [_lock(show_id, customer_id), counting_and_locking])
    counted = rows[1]
    locked = [row[1:] for row in counted if row[1] is not None]  # no seat found: one row, its NULLs
    return int(counted[0][0]), seat_inventory.seat_states(locked)
