"""Seat availability as a Projection: the fold plus its set-based SQL layer."""

from typing import Any

from psycopg import AsyncConnection, AsyncCursor

from contracts.read_model import SEAT_AVAILABILITY_VIEWS
from projections.runtime.decoding import Event
from projections.runtime.projection import ApplyError
from projections.runtime.sql import columns, ident
from projections.seat_availability import fold
from projections.seat_availability.fold import SeatChanges

_COUNTS = "available bigint NOT NULL CHECK (available >= 0), held bigint NOT NULL CHECK (held >= 0), "
_COUNTS += "sold bigint NOT NULL CHECK (sold >= 0)"


class SeatAvailability:
    """Per seat status, per zone and per show counts; each batch is a handful of statements."""

    name = "seat_availability"

    def empty(self) -> SeatChanges:
        return SeatChanges()

    def apply(self, changes: SeatChanges, event: Event) -> SeatChanges:
        return fold.apply(changes, event)

    def ddl(self, schema: str) -> list[str]:
        s = ident(schema)
        return [
            f"CREATE TABLE IF NOT EXISTS {s}.shows (show_id uuid PRIMARY KEY, title text NOT NULL,"
            " starts_at timestamptz NOT NULL, venue_name text NOT NULL,"
            f" capacity bigint NOT NULL, {_COUNTS})",
            f"CREATE TABLE IF NOT EXISTS {s}.zones (show_id uuid NOT NULL, zone_id text NOT NULL,"
            f" name text NOT NULL, price_cents bigint NOT NULL, capacity bigint NOT NULL, {_COUNTS},"
            " ordinal int NOT NULL, PRIMARY KEY (show_id, zone_id))",
            f"CREATE TABLE IF NOT EXISTS {s}.seats (show_id uuid NOT NULL, seat_id text NOT NULL,"
            ' zone_id text NOT NULL, "row" text NOT NULL, number int NOT NULL,'
            " status text NOT NULL CHECK (status IN ('available', 'held', 'sold')),"
            " ordinal int NOT NULL, PRIMARY KEY (show_id, seat_id))",
        ]

    def views(self, schema: str) -> dict[str, str]:
        s = ident(schema)
        tables = {
            "seat_availability_shows": "shows",
            "seat_availability_zones": "zones",
            "seat_availability_seats": "seats",
            "seat_availability_watermarks": "watermarks",
        }
        return {v.name: f"SELECT {v.select_list} FROM {s}.{tables[v.name]}" for v in SEAT_AVAILABILITY_VIEWS}

    async def write(self, conn: AsyncConnection[Any], schema: str, changes: SeatChanges, slot: int) -> None:
        s = ident(schema)
        c = changes
        async with conn.cursor() as cur:
            if c.shows:
                await cur.execute(
                    f"INSERT INTO {s}.shows SELECT i, t, st, v, cap, cap, 0, 0 FROM unnest("
                    "%s::uuid[], %s::text[], %s::timestamptz[], %s::text[], %s::bigint[])"
                    " AS u(i, t, st, v, cap)",
                    columns(c.shows, 5),
                )
            if c.zones:
                await cur.execute(
                    f"INSERT INTO {s}.zones SELECT i, z, n, p, cap, cap, 0, 0, o FROM unnest("
                    "%s::uuid[], %s::text[], %s::text[], %s::bigint[], %s::bigint[], %s::int[])"
                    " AS u(i, z, n, p, cap, o)",
                    columns(c.zones, 6),
                )
            if c.seats:
                await cur.execute(
                    f"INSERT INTO {s}.seats SELECT i, seat, z, r, n, 'available', o FROM unnest("
                    "%s::uuid[], %s::text[], %s::text[], %s::text[], %s::int[], %s::int[])"
                    " AS u(i, seat, z, r, n, o)",
                    columns(c.seats, 6),
                )
            if c.seat_status:
                keys = list(c.seat_status)
                await cur.execute(
                    f"UPDATE {s}.seats AS t SET status = u.st FROM unnest(%s::uuid[], %s::text[], %s::text[])"
                    " AS u(i, seat, st) WHERE t.show_id = u.i AND t.seat_id = u.seat",
                    [[k[0] for k in keys], [k[1] for k in keys], list(c.seat_status.values())],
                )
                _expect(cur.rowcount, len(keys), "seats")
            if c.zone_deltas:
                zones = list(c.zone_deltas)
                key = ["%s::uuid[], %s::text[]", "i, z", "t.show_id = u.i AND t.zone_id = u.z"]
                zone_keys: list[list[Any]] = [[k[0] for k in zones], [k[1] for k in zones]]
                await _add_counts(cur, f"{s}.zones", key, zone_keys, list(c.zone_deltas.values()))
            if c.show_deltas:
                key = ["%s::uuid[]", "i", "t.show_id = u.i"]
                await _add_counts(cur, f"{s}.shows", key, [list(c.show_deltas)], list(c.show_deltas.values()))


async def _add_counts(
    cur: AsyncCursor[Any],
    table: str,
    key: list[str],
    keys: list[list[Any]],
    deltas: list[list[int]],
) -> None:
    """Add (available, held, sold) deltas to the rows of ``table`` named by ``keys``, in one statement.

    ``key`` is the key's unnest types, its column aliases and the join condition.
    """
    types, names, match = key
    await cur.execute(
        f"UPDATE {table} AS t SET available = t.available + u.a, held = t.held + u.h,"
        f" sold = t.sold + u.so FROM unnest({types}, %s::bigint[], %s::bigint[], %s::bigint[])"
        f" AS u({names}, a, h, so) WHERE {match}",
        [*keys, *columns(deltas, 3)],
    )
    _expect(cur.rowcount, len(deltas), table.rsplit(".", 1)[-1])


def _expect(got: int, wanted: int, what: str) -> None:
    if got != wanted:
        raise ApplyError(f"{wanted - got} of {wanted} {what} named by the events do not exist")
