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

from contracts.read_model import PROJECTION_PROGRESS, PROJECTION_VIEWS, READ_SCHEMA, SqlType

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


# The fields of ReadViews named otherwise than their view.
_FIELDS = {
    "seat_availability_shows": "shows",
    "seat_availability_zones": "zones",
    "seat_availability_seats": "seats",
    "seat_availability_watermarks": "seat_watermarks",
}


def read_views(read_schema: str = READ_SCHEMA) -> ReadViews:
    """Describe the views of ``read_schema``."""
    md = MetaData(schema=read_schema)
    agreed = (*(v for views in PROJECTION_VIEWS.values() for v in views), PROJECTION_PROGRESS)
    tables = {
        _FIELDS.get(v.name, v.name): Table(v.name, md, *(Column(name, _TYPES[t]) for name, t in v.columns))
        for v in agreed
    }
    return ReadViews(**tables, read_schema=read_schema)
