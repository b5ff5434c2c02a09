"""The read model's agreements between the projections and their readers.

Projections create, in a views schema (``read`` in production), the views
named here with exactly these columns in this order, over their live
version; the query API selects from these views and from nothing else of the
projections. The read-only role the query API logs in as is agreed here too
(what projectors announce, and on which channel, is ``contracts.progress``).
A view's SQL type names are PostgreSQL's.
"""

from dataclasses import dataclass
from typing import Literal, cast, get_args

SqlType = Literal["uuid", "text", "timestamptz", "date", "int", "bigint"]
SQL_TYPES: tuple[SqlType, ...] = get_args(SqlType)

READ_SCHEMA = "read"  # the production views schema
REGISTRY_SCHEMA = "projection_meta"  # the projections' version registry: theirs, not for readers
READER_ROLE = "boxoffice_reader"  # the query API's login role: SELECT only, never a write

# The figures of the dashboard's totals, in the order of its views' columns.
TOTAL_FIGURES = (
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
SALES_FIGURES = ("orders_paid", "tickets_sold", "revenue_cents")


@dataclass(frozen=True, slots=True)
class ReadView:
    """One view of a views schema: its name and its (column, SQL type) pairs, in order."""

    name: str
    columns: tuple[tuple[str, SqlType], ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def select_list(self) -> str:
        """The columns as a quoted SQL select list (``"row"`` is a keyword)."""
        return ", ".join(f'"{name}"' for name in self.column_names)


def _view(name: str, columns: str) -> ReadView:
    """A view from ``"column type, column type, ..."``."""
    pairs = [tuple(column.split()) for column in columns.split(",")]
    if any(len(pair) != 2 or pair[1] not in SQL_TYPES for pair in pairs):
        raise ValueError(f"malformed columns of {name}: {columns!r}")
    return ReadView(name, tuple((column, cast(SqlType, sql_type)) for column, sql_type in pairs))


def _bigints(names: tuple[str, ...]) -> str:
    return ", ".join(f"{name} bigint" for name in names)


_COUNTS = "capacity bigint, available bigint, held bigint, sold bigint"
_SALES = _bigints(SALES_FIGURES)
_WATERMARKS = "show_id uuid, seq bigint, event_at timestamptz"

SEAT_AVAILABILITY_VIEWS = (
    _view(
        "seat_availability_shows",
        f"show_id uuid, title text, starts_at timestamptz, venue_name text, {_COUNTS}",
    ),
    _view(
        "seat_availability_zones",
        f"show_id uuid, zone_id text, name text, price_cents bigint, {_COUNTS}, ordinal int",
    ),
    _view(
        "seat_availability_seats",
        "show_id uuid, seat_id text, zone_id text, row text, number int, status text, ordinal int",
    ),
    _view("seat_availability_watermarks", _WATERMARKS),
)
DASHBOARD_VIEWS = (
    _view("dashboard_totals", _bigints(TOTAL_FIGURES)),
    _view("dashboard_sales_by_day", f"day date, {_SALES}"),
    _view(
        "dashboard_by_show",
        "show_id uuid, title text, starts_at timestamptz, capacity bigint, sold bigint, held bigint,"
        " revenue_cents bigint",
    ),
    _view(
        "dashboard_by_zone",
        "show_id uuid, zone_id text, name text, capacity bigint, sold bigint, revenue_cents bigint,"
        " ordinal int",
    ),
    _view("dashboard_by_referrer", f"referrer_id text, {_SALES}"),
    _view("dashboard_watermarks", _WATERMARKS),
    _view("dashboard_show_totals", f"show_id uuid, {_bigints(TOTAL_FIGURES)}"),
    _view("dashboard_show_sales_by_day", f"show_id uuid, day date, {_SALES}"),
    _view("dashboard_show_referrer_sales", f"show_id uuid, day date, referrer_id text, {_SALES}"),
)
# The views of each projection, by projection name.
PROJECTION_VIEWS: dict[str, tuple[ReadView, ...]] = {
    "seat_availability": SEAT_AVAILABILITY_VIEWS,
    "dashboard": DASHBOARD_VIEWS,
}
# The view of each projection's per-show watermarks (the seq up to which it has applied a show).
WATERMARK_VIEWS: dict[str, str] = {name: f"{name}_watermarks" for name in PROJECTION_VIEWS}

# Every version of every projection serving this views schema, with the live
# version's progress (NULL for the others, and where the reader may not read it):
# the sum of its checkpointed next offsets, its latest checkpoint, its open dead letters.
PROJECTION_PROGRESS = _view(
    "projection_progress",
    "projection text, version int, state text, schema_name text, consumer_group text, topic text,"
    " created_at timestamptz, activated_at timestamptz,"
    " position bigint, last_checkpoint_at timestamptz, dlq_count bigint",
)


__all__ = [
    "DASHBOARD_VIEWS",
    "PROJECTION_PROGRESS",
    "PROJECTION_VIEWS",
    "READER_ROLE",
    "READ_SCHEMA",
    "REGISTRY_SCHEMA",
    "SALES_FIGURES",
    "SEAT_AVAILABILITY_VIEWS",
    "TOTAL_FIGURES",
    "WATERMARK_VIEWS",
    "ReadView",
    "SqlType",
]
