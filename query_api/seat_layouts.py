"""A show's seat map as its fixed layout (kept in memory) plus one string of statuses read per version.

The seat_availability projection writes a show's seats once, when the show is
scheduled (seat id, zone, row, number, layout ordinal), and afterwards changes
only their status. So a rebuilt seat map does not need its 2,000 rows again:
the layout of the show is kept here, and a rebuild reads, in the request's
snapshot, one row: every seat's status code in layout order
(``string_agg(left(status, 1))``: ``a``, ``h``, ``s``). A layout whose length
does not match the statuses read (a show not fully scheduled when first read)
is read again in the same snapshot.

Guarantee: :meth:`SeatLayouts.seat_rows` returns exactly the rows
``readers.shows.seat_rows`` would read in the same snapshot (tests compare
them). At most ``max_shows`` layouts are kept, least recently used out. Event
loop only; no locking.
"""

from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from psycopg import sql
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.database import driver_rows
from query_api.seatmap import CODE_STATUSES, SeatRow
from query_api.views import ReadViews

Layout = list[tuple[Any, ...]]  # (seat_id, zone_id, row, number) in layout order


class SeatLayouts:
    """See the module docstring."""

    def __init__(self, max_shows: int = 256) -> None:
        self._max_shows = max_shows
        self._layouts: OrderedDict[UUID, Layout] = OrderedDict()
        self.layout_reads = 0  # layouts read from the database, for tests

    async def seat_rows(self, conn: AsyncConnection, views: ReadViews, show_id: UUID) -> Sequence[SeatRow]:
        """``(seat_id, zone_id, row, number, status)`` of every seat of the show, in layout order."""
        statuses_query, layout_query = _queries(views.read_schema, views.seats.name)
        statuses: str = (await driver_rows(conn, statuses_query, (show_id,)))[0][0] or ""
        layout = self._layouts.get(show_id)
        if layout is None or len(layout) != len(statuses):
            layout = await driver_rows(conn, layout_query, (show_id,))
            self.layout_reads += 1
            self._layouts[show_id] = layout
            while len(self._layouts) > self._max_shows:
                self._layouts.popitem(last=False)
        self._layouts.move_to_end(show_id)
        return [(*seat, CODE_STATUSES[code]) for seat, code in zip(layout, statuses, strict=True)]


@cache
def _queries(read_schema: str, view: str) -> tuple[sql.Composed, sql.Composed]:
    table = sql.SQL("{}.{}").format(sql.Identifier(read_schema), sql.Identifier(view))
    statuses = sql.SQL(
        "SELECT string_agg(left(status, 1), '' ORDER BY ordinal) FROM {} WHERE show_id = %s"
    ).format(table)
    layout = sql.SQL(
        'SELECT seat_id, zone_id, "row", number FROM {} WHERE show_id = %s ORDER BY ordinal'
    ).format(table)
    return statuses, layout
