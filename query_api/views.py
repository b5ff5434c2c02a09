"""The read views the query API selects from, as SQLAlchemy Core tables.

The names and columns are those fixed in docs/internals.md. The schema is a
parameter so that tests can point the readers at a private schema holding
tables of the same names; in production it is ``read`` (views over the live
projection version) and ``projection_meta`` (the version registry).
"""

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, MetaData, Table, Text, Uuid

_TOTALS = (
    "orders_pending",
    "orders_paid",
    "orders_cancelled",
    "orders_expired",
    "tickets_sold",
    "revenue_cents",
    "refunded_cents",
    "live_holds",
    "held_seats",
)


def _show_id() -> Column[object]:
    return Column("show_id", Uuid)


@dataclass(frozen=True, slots=True)
class ReadViews:
    """Table objects of one read schema and one meta schema."""

    shows: Table
    zones: Table
    seats: Table
    seat_watermarks: Table
    dashboard_totals: Table
    dashboard_sales_by_day: Table
    dashboard_by_show: Table
    dashboard_by_zone: Table
    dashboard_by_referrer: Table
    dashboard_watermarks: Table
    dashboard_show_totals: Table
    dashboard_show_sales_by_day: Table
    dashboard_show_referrer_sales: Table
    versions: Table
    read_schema: str


def read_views(read_schema: str = "read", meta_schema: str = "projection_meta") -> ReadViews:
    """Describe the views of ``read_schema`` and the registry of ``meta_schema``."""
    md = MetaData(schema=read_schema)

    def watermarks(name: str) -> Table:
        return Table(name, md, _show_id(), Column("seq", BigInteger), Column("event_at", DateTime(True)))

    return ReadViews(
        shows=Table(
            "seat_availability_shows",
            md,
            _show_id(),
            Column("title", Text),
            Column("starts_at", DateTime(True)),
            Column("venue_name", Text),
            *_counts("capacity", "available", "held", "sold"),
        ),
        zones=Table(
            "seat_availability_zones",
            md,
            _show_id(),
            Column("zone_id", Text),
            Column("name", Text),
            Column("price_cents", BigInteger),
            *_counts("capacity", "available", "held", "sold"),
            Column("ordinal", Integer),
        ),
        seats=Table(
            "seat_availability_seats",
            md,
            _show_id(),
            Column("seat_id", Text),
            Column("zone_id", Text),
            Column("row", Text),
            Column("number", Integer),
            Column("status", Text),
            Column("ordinal", Integer),
        ),
        seat_watermarks=watermarks("seat_availability_watermarks"),
        dashboard_totals=Table(
            "dashboard_totals",
            md,
            *_counts(*_TOTALS),
        ),
        dashboard_sales_by_day=Table(
            "dashboard_sales_by_day",
            md,
            Column("day", Date),
            *_counts("orders_paid", "tickets_sold", "revenue_cents"),
        ),
        dashboard_by_show=Table(
            "dashboard_by_show",
            md,
            _show_id(),
            Column("title", Text),
            Column("starts_at", DateTime(True)),
            *_counts("capacity", "sold", "held", "revenue_cents"),
        ),
        dashboard_by_zone=Table(
            "dashboard_by_zone",
            md,
            _show_id(),
            Column("zone_id", Text),
            Column("name", Text),
            *_counts("capacity", "sold", "revenue_cents"),
        ),
        dashboard_by_referrer=Table(
            "dashboard_by_referrer",
            md,
            Column("referrer_id", Text),
            *_counts("orders_paid", "tickets_sold", "revenue_cents"),
        ),
        dashboard_watermarks=watermarks("dashboard_watermarks"),
        dashboard_show_totals=Table("dashboard_show_totals", md, _show_id(), *_counts(*_TOTALS)),
        dashboard_show_sales_by_day=Table(
            "dashboard_show_sales_by_day",
            md,
            _show_id(),
            Column("day", Date),
            *_counts("orders_paid", "tickets_sold", "revenue_cents"),
        ),
        dashboard_show_referrer_sales=Table(
            "dashboard_show_referrer_sales",
            md,
            _show_id(),
            Column("day", Date),
            Column("referrer_id", Text),
            *_counts("orders_paid", "tickets_sold", "revenue_cents"),
        ),
        versions=Table(
            "versions",
            MetaData(schema=meta_schema),
            Column("projection", Text),
            Column("version", Integer),
            Column("schema_name", Text),
            Column("state", Text),
            Column("consumer_group", Text),
            Column("topic", Text),
            Column("views_schema", Text),
            Column("created_at", DateTime(True)),
            Column("activated_at", DateTime(True)),
        ),
        read_schema=read_schema,
    )


def _counts(*names: str) -> list[Column[int]]:
    return [Column(name, BigInteger) for name in names]
