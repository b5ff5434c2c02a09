"""A private read schema shaped like the ``read`` views, seeded by the tests themselves."""

from dataclasses import dataclass
from uuid import UUID, uuid4

import psycopg
from psycopg import sql

from infra.db import libpq_dsn

TABLES = """
CREATE TABLE {r}.seat_availability_shows (show_id uuid PRIMARY KEY, title text, starts_at timestamptz,
    venue_name text, capacity bigint, available bigint, held bigint, sold bigint);
CREATE TABLE {r}.seat_availability_zones (show_id uuid, zone_id text, name text, price_cents bigint,
    capacity bigint, available bigint, held bigint, sold bigint, ordinal int, PRIMARY KEY (show_id, zone_id));
CREATE TABLE {r}.seat_availability_seats (show_id uuid, seat_id text, zone_id text, row text, number int,
    status text, ordinal int, PRIMARY KEY (show_id, seat_id));
CREATE TABLE {r}.seat_availability_watermarks (show_id uuid PRIMARY KEY, seq bigint, event_at timestamptz);
CREATE TABLE {r}.dashboard_totals (orders_pending bigint, orders_paid bigint, orders_cancelled bigint,
    orders_expired bigint, tickets_sold bigint, revenue_cents bigint, refunded_cents bigint,
    live_holds bigint, held_seats bigint);
CREATE TABLE {r}.dashboard_sales_by_day (day date PRIMARY KEY, orders_paid bigint, tickets_sold bigint,
    revenue_cents bigint);
CREATE TABLE {r}.dashboard_by_show (show_id uuid PRIMARY KEY, title text, starts_at timestamptz,
    capacity bigint, sold bigint, held bigint, revenue_cents bigint);
CREATE TABLE {r}.dashboard_by_zone (show_id uuid, zone_id text, name text, capacity bigint, sold bigint,
    revenue_cents bigint);
CREATE TABLE {r}.dashboard_by_referrer (referrer_id text, orders_paid bigint, tickets_sold bigint,
    revenue_cents bigint);
CREATE TABLE {r}.dashboard_watermarks (show_id uuid PRIMARY KEY, seq bigint, event_at timestamptz);
CREATE TABLE {m}.versions (projection text, version int, schema_name text, state text,
    consumer_group text, topic text, views_schema text, created_at timestamptz DEFAULT now(),
    activated_at timestamptz);
"""

# Zone A: rows 1 and 2 of 3 seats; zone B: row 1 of 2 seats.
LAYOUT = {"A": [("1", 3), ("2", 3)], "B": [("1", 2)]}


@dataclass
class SeededSchema:
    """Names of a private read schema and meta schema and a connection that writes them."""

    url: str
    read_schema: str
    meta_schema: str

    def execute(self, query: str, params: tuple[object, ...] = ()) -> None:
        with psycopg.connect(libpq_dsn(self.url), autocommit=True) as conn:
            conn.execute(sql.SQL(query).format(r=sql.Identifier(self.read_schema)), params)

    def add_show(self, title: str = "Hamlet", seq: int = 1) -> UUID:
        """A show of the layout above with every seat available, at watermark ``seq``."""
        show_id = uuid4()
        seats = [
            (z, row, n) for z, rows in LAYOUT.items() for row, count in rows for n in range(1, count + 1)
        ]
        with psycopg.connect(libpq_dsn(self.url), autocommit=True) as conn, conn.transaction():
            r = sql.Identifier(self.read_schema)
            conn.execute(
                sql.SQL(
                    "INSERT INTO {}.seat_availability_shows VALUES (%s, %s, now(), 'Globe', 8, 8, 0, 0)"
                ).format(r),
                (show_id, title),
            )
            for ordinal, (zone, price) in enumerate((("A", 5000), ("B", 2500))):
                capacity = sum(c for _, c in LAYOUT[zone])
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {}.seat_availability_zones VALUES (%s,%s,%s,%s,%s,%s,0,0,%s)"
                    ).format(r),
                    (show_id, zone, f"Zone {zone}", price, capacity, capacity, ordinal),
                )
            for ordinal, (zone, row, number) in enumerate(seats):
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {}.seat_availability_seats VALUES (%s,%s,%s,%s,%s,'available',%s)"
                    ).format(r),
                    (show_id, f"{zone}-{row}-{number}", zone, row, number, ordinal),
                )
            for table in ("seat_availability_watermarks", "dashboard_watermarks"):
                conn.execute(
                    sql.SQL("INSERT INTO {}.{} VALUES (%s, %s, now())").format(r, sql.Identifier(table)),
                    (show_id, seq),
                )
            conn.execute(
                sql.SQL("INSERT INTO {}.dashboard_by_show VALUES (%s, %s, now(), 8, 0, 0, 0)").format(r),
                (show_id, title),
            )
        return show_id

    def set_seat(self, show_id: UUID, seat_id: str, status: str, seq: int, notify: bool = True) -> None:
        """Change one seat and the show's watermark in one transaction, as a projector batch does."""
        with psycopg.connect(libpq_dsn(self.url), autocommit=True) as conn, conn.transaction():
            r = sql.Identifier(self.read_schema)
            conn.execute(
                sql.SQL(
                    "UPDATE {}.seat_availability_seats SET status = %s WHERE show_id = %s AND seat_id = %s"
                ).format(r),
                (status, show_id, seat_id),
            )
            conn.execute(
                sql.SQL("UPDATE {}.seat_availability_watermarks SET seq = %s WHERE show_id = %s").format(r),
                (seq, show_id),
            )
            if notify:
                conn.execute("SELECT pg_notify('boxoffice_projection_progress', 'seat_availability')")


def create_seeded_schema(url: str) -> SeededSchema:
    suffix = uuid4().hex[:12]
    seeded = SeededSchema(url, f"qtest_read_{suffix}", f"qtest_meta_{suffix}")
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn, conn.transaction():
        r, m = sql.Identifier(seeded.read_schema), sql.Identifier(seeded.meta_schema)
        reader = sql.Identifier("boxoffice_reader")
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(r))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(m))
        conn.execute(sql.SQL(TABLES).format(r=r, m=m))
        for schema in (r, m):
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, reader))
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, reader))
        conn.execute(
            sql.SQL(
                "INSERT INTO {}.versions (projection, version, schema_name, state, consumer_group, topic,"
                " views_schema, activated_at) VALUES"
                " ('seat_availability', 1, %s, 'live', 'g1', 't', %s, now()),"
                " ('dashboard', 1, %s, 'live', 'g2', 't', %s, now())"
            ).format(m),
            (f"sa_{suffix}", seeded.read_schema, f"db_{suffix}", seeded.read_schema),
        )
    return seeded


def drop_seeded_schema(seeded: SeededSchema) -> None:
    """Drop only the test's own private schemas."""
    with psycopg.connect(libpq_dsn(seeded.url), autocommit=True) as conn:
        for schema in (seeded.read_schema, seeded.meta_schema):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
