"""The whole dashboard (JSON, unfiltered) built from per-show sections: a new version re-reads only the
shows that moved.

Every hold changes the dashboard's version (the number of shows and the sum of
their watermarks), so a dashboard read while holds land is a new body almost
every time. Most of that body is the by-show and by-zone rows of shows that
did not move. Within one live label a show's watermark identifies its by-show
row and its by-zone rows: the projection updates them and the watermark in one
transaction, and only that show's events touch them. So each show's two
sections are kept here encoded, under ``(label, show, seq)``; a build reads,
in the request's snapshot, the figures spanning every show (totals, sales by
day, referrers: a handful of rows) and the sections of the shows whose seq is
not the one kept (and of any show without a watermark, never kept), then joins
the bytes.

Guarantee: the body equals ``read_dashboard(conn, views).model_dump_json(by_alias=True)``
for the same snapshot, byte for byte (tests compare them). A section is used
only for the label and seq it was read at; a build that finds another label
(a replay's swap) starts from nothing. Event loop only; no locking.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import Row, Uuid, all_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from query_api.models import DashboardFilter, ReferrerSales, SalesByDay, ZoneSales
from query_api.readers.dashboard import BY_REVENUE, read_totals, show_sales
from query_api.readers.versions import DbVersion
from query_api.views import ReadViews

_NO_FILTER = DashboardFilter()
_FILTER_JSON = _NO_FILTER.model_dump_json(by_alias=True).encode()
_KEPT = bindparam("kept", type_=ARRAY(Uuid()))


@dataclass(frozen=True, slots=True)
class _Section:
    """One show's part of the dashboard, encoded, as read at its watermark ``seq``."""

    seq: int | None  # None: the show had no watermark in that snapshot (never kept)
    order: tuple[datetime, UUID] | None  # the by-show order (starts_at, show_id); None without a row
    show: bytes  # its by-show element, b"" without a row
    zones: list[bytes]  # its by-zone elements, in zone order


class DashboardSections:
    """See the module docstring."""

    def __init__(self) -> None:
        self._label = ""
        self._sections: dict[UUID, _Section] = {}
        self.reads = 0  # sections read from the database (shows that moved), for tests and profiles

    async def body(self, conn: AsyncConnection, views: ReadViews, version: DbVersion) -> bytes:
        """The unfiltered JSON dashboard at ``version``, read in ``conn``'s snapshot (which read it)."""
        if version.label != self._label:
            self._label, self._sections = version.label, {}
        marks = dict(version.marks)
        sections = {show: kept for show, kept in self._sections.items() if marks.get(show) == kept.seq}
        moved = await _read_sections(conn, views, exclude=list(sections), marks=marks)
        self.reads += len(moved)
        if self._label == version.label:  # no swap seen while reading: keep what has a watermark
            self._sections.update((show, s) for show, s in moved.items() if s.seq is not None)
        sections.update(moved)
        totals = await read_totals(conn, views, _NO_FILTER)
        days = await conn.execute(select(views.dashboard_sales_by_day).order_by("day"))
        referrers = await conn.execute(select(views.dashboard_by_referrer).order_by(*BY_REVENUE))
        by_show = sorted((s for s in sections.values() if s.order is not None), key=_by_show_order)
        by_zone = [zone for _, s in sorted(sections.items()) for zone in s.zones]
        return b"".join(
            (
                b'{"filter":',
                _FILTER_JSON,
                b',"totals":',
                totals.model_dump_json().encode(),
                b',"sales_by_day":[',
                b",".join(_encoded(SalesByDay, days)),
                b'],"by_show":[',
                b",".join(s.show for s in by_show),
                b'],"by_zone":[',
                b",".join(by_zone),
                b'],"by_referrer":[',
                b",".join(
                    ReferrerSales.model_validate(r._mapping).model_dump_json().encode() for r in referrers
                ),
                b"]}",
            )
        )


def _encoded(model: type[BaseModel], rows: Iterable[Row[Any]]) -> Iterator[bytes]:
    return (model.model_validate(row._mapping).model_dump_json().encode() for row in rows)


def _by_show_order(section: _Section) -> tuple[datetime, UUID]:
    assert section.order is not None  # filtered before sorting
    return section.order


async def _read_sections(
    conn: AsyncConnection, views: ReadViews, *, exclude: list[UUID], marks: dict[UUID, int]
) -> dict[UUID, _Section]:
    """The sections of every show but ``exclude``, encoded, with the seq each was read at."""
    show, zone = views.dashboard_by_show, views.dashboard_by_zone
    kept = {"kept": exclude}  # one array parameter, however many shows are kept
    shows = await conn.execute(select(show).where(show.c.show_id != all_(_KEPT)), kept)
    zones = await conn.execute(
        select(zone).where(zone.c.show_id != all_(_KEPT)).order_by(zone.c.show_id, zone.c.zone_id), kept
    )
    encoded_zones: dict[UUID, list[bytes]] = {}
    for row in zones:
        encoded_zones.setdefault(row.show_id, []).append(next(_encoded(ZoneSales, (row,))))
    sections: dict[UUID, _Section] = {}
    for row in shows:
        show_id: UUID = row.show_id
        encoded = show_sales(row).model_dump_json().encode()
        sections[show_id] = _Section(
            marks.get(show_id), (row.starts_at, show_id), encoded, encoded_zones.pop(show_id, [])
        )
    for show_id, zone_rows in encoded_zones.items():  # zones of a show without a by-show row
        sections[show_id] = _Section(marks.get(show_id), None, b"", zone_rows)
    return sections
