"""How many seats of a show a customer holds or owns, counted with the customer's holds serialized.

Guarantee: holds of one customer on one show take a transaction-level advisory
lock keyed by (show, customer) before they count, and keep it until they commit
or roll back; the count is a statement of its own run after the lock is granted
(under READ COMMITTED it then sees every hold and order committed before), so
two racing holds of a customer cannot both pass a limit only one of them fits
in. Releases, expiries, orders, payments and cancellations take no such lock:
they lower the count or leave it as it was (a hold becoming an order), so a
count that misses one of them errs on the safe side.

Deadlock-free: a hold takes this lock before any row lock but its idempotency
claim, and takes no other advisory lock; the two-key form has a key space of its
own, so it never meets the relay's single-key leader lock.
"""

from datetime import datetime
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


def _statements(show_id: UUID, customer_id: str, now: datetime) -> list[direct.Statement]:
    key = {"show_id": show_id, "customer_id": customer_id}
    return [
        direct.Statement(_LOCK, key | {"lock_space": LOCK_SPACE}),
        direct.Statement(_COUNT, key | {"now": now}),
    ]


async def count_seats(conn: AsyncConnection, show_id: UUID, customer_id: str, now: datetime) -> int:
    """The customer's seats of the show in live holds (within their TTL) and pending (within their
    pay-by time) or paid orders, with the customer's holds on the show serialized until commit."""
    rows = await direct.fetch_many(conn, _statements(show_id, customer_id, now))
    return int(rows[1][0][0])


async def count_seats_and_lock(
    conn: AsyncConnection, show_id: UUID, customer_id: str, now: datetime, seat_ids: tuple[str, ...]
) -> tuple[int, list[SeatState]]:
    """``count_seats``, then ``seat_inventory.lock_seats`` of ``seat_ids``, in one round trip."""
    locking = seat_inventory.seat_lock(show_id, seat_ids)
    rows = await direct.fetch_many(conn, [*_statements(show_id, customer_id, now), locking])
    return int(rows[1][0][0]), seat_inventory.seat_states(rows[2])
