"""Seat availability as a Projection: the fold plus its set-based SQL layer."""

from collections.abc import Sequence
from typing import Any

from contracts.read_model import SEAT_AVAILABILITY_VIEWS
from projections.runtime.decoding import Event
from projections.runtime.sql import columns, ident
from projections.runtime.statements import Statements
from projections.seat_availability import fold
from projections.seat_availability.fold import SeatChanges

# Room left in each page of seats for its rows' next versions: a status change then stays a HOT
# update on the same page (status is in no index), instead of a new index entry and a dead row.
SEATS_FILLFACTOR = 70
_COUNTS = "available bigint NOT NULL CHECK (available >= 0), held bigint NOT NULL CHECK (held >= 0), "
_COUNTS += "sold bigint NOT NULL CHECK (sold >= 0)"
# The rows a batch adds (shows, zones, seats): table, what each unnested row inserts, the arrays' columns.
_NEW_ROWS = (
    ("shows", "i, t, st, v, cap, cap, 0, 0", "i uuid, t text, st timestamptz, v text, cap bigint"),
    ("zones", "i, z, n, p, cap, cap, 0, 0, o", "i uuid, z text, n text, p bigint, cap bigint, o int"),
    ("seats", "i, seat, z, r, n, 'available', o", "i uuid, seat text, z text, r text, n int, o int"),
)


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
            " ordinal int NOT NULL, PRIMARY KEY (show_id, seat_id))"
            f" WITH (fillfactor = {SEATS_FILLFACTOR})",
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

    def stage(self, statements: Statements, schema: str, changes: SeatChanges, slot: int) -> None:
        s, c, sql = ident(schema), changes, statements
        new_rows: tuple[Sequence[Sequence[Any]], ...] = (c.shows, c.zones, c.seats)
        for rows, (table, select, spec) in zip(new_rows, _NEW_ROWS, strict=True):
            if rows:
                names, types = zip(*(column.split() for column in spec.split(", ")), strict=True)
                arrays = ", ".join(f"%s::{t}[]" for t in types)
                alias = ", ".join(names)
                sql.add(
                    f"INSERT INTO {s}.{table} SELECT {select} FROM unnest({arrays}) AS u({alias})",
                    columns(rows, len(names)),
                )
        sql.then()  # the seats, zones and shows just added may change status or counts in this batch
        seat_status, zone_deltas, show_deltas = c.seat_status, c.zone_deltas, c.show_deltas
        if seat_status:
            keys = list(seat_status)
            sql.add(
                f"UPDATE {s}.seats AS t SET status = u.st FROM unnest(%s::uuid[], %s::text[], %s::text[])"
                " AS u(i, seat, st) WHERE t.show_id = u.i AND t.seat_id = u.seat",
                [[k[0] for k in keys], [k[1] for k in keys], list(seat_status.values())],
                rows=len(keys),
                of="seats",
            )
        if zone_deltas:
            zones = list(zone_deltas)
            key = ["%s::uuid[], %s::text[]", "i, z", "t.show_id = u.i AND t.zone_id = u.z"]
            zone_keys: list[list[Any]] = [[k[0] for k in zones], [k[1] for k in zones]]
            _add_counts(sql, f"{s}.zones", key, zone_keys, list(zone_deltas.values()))
        if show_deltas:
            key = ["%s::uuid[]", "i", "t.show_id = u.i"]
            _add_counts(sql, f"{s}.shows", key, [list(show_deltas)], list(show_deltas.values()))


def _add_counts(
    sql: Statements,
    table: str,
    key: list[str],
    keys: list[list[Any]],
    deltas: list[list[int]],
) -> None:
    """Add (available, held, sold) deltas to the rows of ``table`` named by ``keys``, in one statement.

    ``key`` is the key's unnest types, its column aliases and the join condition.
    """
    types, names, match = key
    sql.add(
        f"UPDATE {table} AS t SET available = t.available + u.a, held = t.held + u.h,"
        f" sold = t.sold + u.so FROM unnest({types}, %s::bigint[], %s::bigint[], %s::bigint[])"
        f" AS u({names}, a, h, so) WHERE {match}",
        [*keys, *columns(deltas, 3)],
        rows=len(deltas),
        of=table.rsplit(".", 1)[-1],
    )
