"""The dashboard as a Projection: the fold plus its set-based SQL layer.

Figures that every show adds to (totals, sales by day, by referrer) are kept
in one row per *slot* (a partition the writer owns) and summed by the views:
two projector instances never contend on a hot row, and the sums stay exact
however partitions move between them. The same figures are kept per show too
(``show_totals``, ``show_sales_by_day``, ``show_referrer_sales`` by show, day and
referrer): the filtered dashboard (a day range, one show) reads those, so a
filtered read costs what the shows and days it covers cost, never the orders.
"""

from typing import Any

from contracts.read_model import DASHBOARD_VIEWS, ReadView
from projections.dashboard import fold
from projections.dashboard.fold import TOTALS, DashboardChanges
from projections.runtime.decoding import Event
from projections.runtime.sql import columns, ident
from projections.runtime.statements import Statements

_TRIPLE = "orders_paid bigint NOT NULL, tickets_sold bigint NOT NULL, revenue_cents bigint NOT NULL"


class Dashboard:
    """Sales figures, precomputed; each batch is a handful of statements."""

    name = "dashboard"

    def empty(self) -> DashboardChanges:
        return DashboardChanges()

    def apply(self, changes: DashboardChanges, event: Event) -> DashboardChanges:
        return fold.apply(changes, event)

    def ddl(self, schema: str) -> list[str]:
        s = ident(schema)
        totals = ", ".join(f"{t} bigint NOT NULL DEFAULT 0" for t in TOTALS)
        return [
            f"CREATE TABLE IF NOT EXISTS {s}.totals (slot int PRIMARY KEY, {totals})",
            f"CREATE TABLE IF NOT EXISTS {s}.sales_by_day (slot int NOT NULL, day date NOT NULL, {_TRIPLE},"
            " PRIMARY KEY (slot, day))",
            f"CREATE TABLE IF NOT EXISTS {s}.by_referrer (slot int NOT NULL, referrer_id text NOT NULL,"
            f" {_TRIPLE}, PRIMARY KEY (slot, referrer_id))",
            f"CREATE TABLE IF NOT EXISTS {s}.by_show (show_id uuid PRIMARY KEY, title text NOT NULL,"
            " starts_at timestamptz NOT NULL, capacity bigint NOT NULL,"
            " sold bigint NOT NULL CHECK (sold >= 0),"
            " held bigint NOT NULL CHECK (held >= 0), revenue_cents bigint NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {s}.show_totals (show_id uuid PRIMARY KEY, {totals})",
            f"CREATE TABLE IF NOT EXISTS {s}.show_sales_by_day (show_id uuid NOT NULL, day date NOT NULL,"
            f" {_TRIPLE}, PRIMARY KEY (show_id, day))",
            f"CREATE TABLE IF NOT EXISTS {s}.show_referrer_sales (show_id uuid NOT NULL, day date NOT NULL,"
            f" referrer_id text NOT NULL, {_TRIPLE}, PRIMARY KEY (show_id, day, referrer_id))",
            f"CREATE TABLE IF NOT EXISTS {s}.by_zone (show_id uuid NOT NULL, zone_id text NOT NULL,"
            " name text NOT NULL, capacity bigint NOT NULL, sold bigint NOT NULL CHECK (sold >= 0),"
            " revenue_cents bigint NOT NULL, ordinal int NOT NULL, PRIMARY KEY (show_id, zone_id))",
        ]

    def views(self, schema: str) -> dict[str, str]:
        s = ident(schema)
        summed = {"dashboard_totals": "totals", "dashboard_sales_by_day": "sales_by_day",
                  "dashboard_by_referrer": "by_referrer"}  # fmt: skip
        return {
            v.name: _summed_view(v, f"{s}.{summed[v.name]}")
            if v.name in summed
            else f"SELECT {v.select_list} FROM {s}.{v.name.removeprefix('dashboard_')}"
            for v in DASHBOARD_VIEWS
        }

    def stage(self, statements: Statements, schema: str, changes: DashboardChanges, slot: int) -> None:
        s, c, sql = ident(schema), changes, statements
        if c.shows:
            sql.add(
                f"INSERT INTO {s}.by_show SELECT i, t, st, cap, 0, 0, 0 FROM unnest(%s::uuid[],"
                " %s::text[], %s::timestamptz[], %s::bigint[]) AS u(i, t, st, cap)",
                columns(c.shows, 4),
            )
        if c.zones:
            sql.add(
                f"INSERT INTO {s}.by_zone SELECT i, z, n, cap, 0, 0, o FROM unnest(%s::uuid[],"
                " %s::text[], %s::text[], %s::bigint[], %s::int[]) AS u(i, z, n, cap, o)",
                columns(c.zones, 5),
            )
        sql.then()  # the shows and zones just added may sell in this batch
        totals = c.totals
        if any(totals.values()):
            names = ", ".join(TOTALS)
            sets = ", ".join(f"{t} = t.{t} + excluded.{t}" for t in TOTALS)
            marks = ", ".join(["%s"] * (len(TOTALS) + 1))
            sql.add(
                f"INSERT INTO {s}.totals AS t (slot, {names}) VALUES ({marks})"
                f" ON CONFLICT (slot) DO UPDATE SET {sets}",
                [slot, *(totals[t] for t in TOTALS)],
            )
        self._upsert_triples(sql, f"{s}.sales_by_day", "day", "date", slot=slot, rows=c.by_day)
        _write_per_show(sql, s, c)
        self._upsert_triples(sql, f"{s}.by_referrer", "referrer_id", "text", slot=slot, rows=c.by_referrer)
        if c.by_show:
            d = columns(list(c.by_show.values()), 3)
            sql.add(
                f"UPDATE {s}.by_show AS t SET sold = t.sold + u.so, held = t.held + u.h,"
                " revenue_cents = t.revenue_cents + u.r FROM unnest(%s::uuid[], %s::bigint[],"
                " %s::bigint[], %s::bigint[]) AS u(i, so, h, r) WHERE t.show_id = u.i",
                [list(c.by_show), *d],
                rows=len(c.by_show),
                of="shows",
            )
        if c.by_zone:
            keys = list(c.by_zone)
            d = columns(list(c.by_zone.values()), 2)
            sql.add(
                f"UPDATE {s}.by_zone AS t SET sold = t.sold + u.so, revenue_cents = t.revenue_cents + u.r"
                " FROM unnest(%s::uuid[], %s::text[], %s::bigint[], %s::bigint[]) AS u(i, z, so, r)"
                " WHERE t.show_id = u.i AND t.zone_id = u.z",
                [[k[0] for k in keys], [k[1] for k in keys], *d],
                rows=len(keys),
                of="zones",
            )

    @staticmethod
    def _upsert_triples(
        sql: Statements, table: str, key: str, key_type: str, *, slot: int, rows: dict[Any, list[int]]
    ) -> None:
        if not rows:
            return
        d = columns(list(rows.values()), 3)
        sql.add(
            f"INSERT INTO {table} AS t (slot, {key}, orders_paid, tickets_sold, revenue_cents)"
            f" SELECT %s, k, o, n, r FROM unnest(%s::{key_type}[], %s::bigint[], %s::bigint[], %s::bigint[])"
            f" AS u(k, o, n, r) ON CONFLICT (slot, {key}) DO UPDATE SET"
            " orders_paid = t.orders_paid + excluded.orders_paid,"
            " tickets_sold = t.tickets_sold + excluded.tickets_sold,"
            " revenue_cents = t.revenue_cents + excluded.revenue_cents",
            [slot, list(rows), *d],
        )


def _write_per_show(sql: Statements, s: str, c: DashboardChanges) -> None:
    """The per-show figures of the batch: one set-based upsert per table."""
    if c.show_totals:
        names = ", ".join(TOTALS)
        sets = ", ".join(f"{t} = t.{t} + excluded.{t}" for t in TOTALS)
        arrays = ", ".join(["%s::bigint[]"] * len(TOTALS))
        shows = list(c.show_totals)
        sql.add(
            f"INSERT INTO {s}.show_totals AS t (show_id, {names}) SELECT * FROM unnest(%s::uuid[], {arrays})"
            f" ON CONFLICT (show_id) DO UPDATE SET {sets}",
            [shows, *([c.show_totals[show][t] for show in shows] for t in TOTALS)],
        )
    triple = "orders_paid = t.orders_paid + excluded.orders_paid, tickets_sold = t.tickets_sold"
    triple += " + excluded.tickets_sold, revenue_cents = t.revenue_cents + excluded.revenue_cents"
    if c.show_by_day:
        keys = list(c.show_by_day)
        sql.add(
            f"INSERT INTO {s}.show_sales_by_day AS t SELECT * FROM unnest(%s::uuid[], %s::date[],"
            " %s::bigint[], %s::bigint[], %s::bigint[]) ON CONFLICT (show_id, day) DO UPDATE SET " + triple,
            [[k[0] for k in keys], [k[1] for k in keys], *columns(list(c.show_by_day.values()), 3)],
        )
    if c.show_referrer:
        keys3 = list(c.show_referrer)
        sql.add(
            f"INSERT INTO {s}.show_referrer_sales AS t SELECT * FROM unnest(%s::uuid[], %s::date[],"
            " %s::text[], %s::bigint[], %s::bigint[], %s::bigint[]) ON CONFLICT (show_id, day, referrer_id)"
            " DO UPDATE SET " + triple,
            [
                [k[0] for k in keys3],
                [k[1] for k in keys3],
                [k[2] for k in keys3],
                *columns(list(c.show_referrer.values()), 3),
            ],
        )


def _summed_view(view: ReadView, table: str) -> str:
    """The view summing the per-slot rows of ``table``: its figures summed per key (all rows without one)."""
    keys = [name for name, sql_type in view.columns if sql_type != "bigint"]
    if not keys:
        sums = ", ".join(f"coalesce(sum({name}), 0)::bigint AS {name}" for name in view.column_names)
        return f"SELECT {sums} FROM {table}"
    sums = ", ".join(f"sum({name})::bigint AS {name}" for name in view.column_names if name not in keys)
    return f"SELECT {', '.join(keys)}, {sums} FROM {table} GROUP BY {', '.join(keys)}"
