"""A show's seat map as its fixed layout (kept in memory) plus one string of statuses read per version.

The seat_availability projection writes a show's seats once, when the show is
scheduled (seat id, zone, row, number, layout ordinal), and afterwards changes
only their status. So a rebuilt seat map does not need its 2,000 rows again:
the layout of the show is kept here, and a rebuild reads one row: the show's
version and every seat's status code in layout order
(``string_agg(left(status, 1))``: ``a``, ``h``, ``s``), in one statement (one
snapshot, one round trip), and the compact map is encoded from that string
(``KeptLayout``). A show whose layout is not kept, or whose kept
layout's length does not match the statuses read (a show not fully scheduled
when first read), is read in full, version included, by one statement too.

Guarantee: :meth:`SeatLayouts.read` returns the version ``VersionReads.show``
reads and exactly the rows of ``readers.shows.seats_at`` in one snapshot
(tests compare them). At most ``max_shows`` layouts are kept, least recently
used out. Event loop only; no locking.
"""

from collections import OrderedDict
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from query_api.kept_layout import KeptLayout
from query_api.readers.shows import seat_statuses_at, seats_at
from query_api.readers.versions import DbVersion
from query_api.seatmap import SeatRow
from query_api.views import ReadViews


class SeatLayouts:
    """See the module docstring."""

    def __init__(self, max_shows: int = 256) -> None:
        self._max_shows = max_shows
        self._layouts: OrderedDict[UUID, KeptLayout] = OrderedDict()
        self.layout_reads = 0  # layouts read from the database, for tests

    async def read(
        self, engine: AsyncEngine, views: ReadViews, kind: str, show_id: UUID
    ) -> tuple[DbVersion, Sequence[SeatRow]] | None:
        """The show's version and ``(seat_id, zone_id, row, number, status)`` of every seat of the
        show at that version, in layout order; None: no such show."""
        read = await self.read_statuses(engine, views, kind, show_id)
        if read is None:
            return None
        version, layout, statuses = read
        return version, layout.rows(statuses)

    async def read_statuses(
        self, engine: AsyncEngine, views: ReadViews, kind: str, show_id: UUID
    ) -> tuple[DbVersion, KeptLayout, str] | None:
        """The show's version, its kept layout and every seat's status code at that version, in
        layout order (``layout.rows(statuses)`` are the rows of :meth:`read`); None: no such show."""
        layout = self._layouts.get(show_id)
        if layout is not None:
            read = await seat_statuses_at(engine, views, kind, show_id)
            if read is None:
                return None
            version, statuses = read
            if layout.fits(statuses):
                self._layouts.move_to_end(show_id)
                return version, layout, statuses
        full = await seats_at(engine, views, kind, show_id, None)
        if full is None:
            return None
        self.layout_reads += 1
        layout, statuses = KeptLayout.of_rows(full[1])
        self._layouts[show_id] = layout
        self._layouts.move_to_end(show_id)
        while len(self._layouts) > self._max_shows:
            self._layouts.popitem(last=False)
        return full[0], layout, statuses
