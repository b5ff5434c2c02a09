"""The read views the query API selects from, as SQLAlchemy Core tables.

Names and columns are those agreed in ``contracts.read_model``: the projections
create exactly these views, and the query API reads nothing else of theirs.
The schema is a parameter so that tests can point the readers at a private
views schema; in production it is ``read``.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, MetaData, Table, Text, Uuid
from sqlalchemy.types import TypeEngine

from contracts.read_model import PROJECTION_PROGRESS, READ_SCHEMA, ReadView, SqlType, view

_TYPES: dict[SqlType, TypeEngine[Any]] = {
    "uuid": Uuid(),
    "text": Text(),
    "timestamptz": DateTime(timezone=True),
    "date": Date(),
    "int": Integer(),
    "bigint": BigInteger(),
}


@dataclass(frozen=True, slots=True)
class ReadViews:
    """Table objects of the views of one views schema."""

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
    projection_progress: Table
    read_schema: str


def _table(md: MetaData, agreed: ReadView) -> Table:
    return Table(agreed.name, md, *(Column(name, _TYPES[sql_type]) for name, sql_type in agreed.columns))


def read_views(read_schema: str = READ_SCHEMA) -> ReadViews:
    """Describe the views of ``read_schema``."""
    md = MetaData(schema=read_schema)

    def table(name: str) -> Table:
        return _table(md, view(name))

    return ReadViews(
        shows=table("seat_availability_shows"),
        zones=table("seat_availability_zones"),
        seats=table("seat_availability_seats"),
        seat_watermarks=table("seat_availability_watermarks"),
        dashboard_totals=table("dashboard_totals"),
        dashboard_sales_by_day=table("dashboard_sales_by_day"),
        dashboard_by_show=table("dashboard_by_show"),
        dashboard_by_zone=table("dashboard_by_zone"),
        dashboard_by_referrer=table("dashboard_by_referrer"),
        dashboard_watermarks=table("dashboard_watermarks"),
        dashboard_show_totals=table("dashboard_show_totals"),
        dashboard_show_sales_by_day=table("dashboard_show_sales_by_day"),
        dashboard_show_referrer_sales=table("dashboard_show_referrer_sales"),
        projection_progress=_table(md, PROJECTION_PROGRESS),
        read_schema=read_schema,
    )
