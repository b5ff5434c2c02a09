"""The whole dashboard (JSON, unfiltered) built from per-show sections: a new version re-reads only the
shows that moved.

Every hold changes the dashboard's version (the number of shows and the sum of
their watermarks), so a dashboard read while holds land is a new body almost
every time. Most of that body is the by-show and by-zone rows of shows that
did not move. Within one live label a show's watermark identifies its by-show
row and its by-zone rows: the projection updates them and the watermark in one
transaction, and only that show's events touch them. So each show's two
sections are kept here encoded, under ``(label, show, seq)``; a build reads,
from one snapshot sent as one pipeline (one round trip), the version, the
figures spanning every show (totals, sales by day, referrers: a handful of
rows) and the sections of the shows whose watermark there is not the seq kept
(and of any show without a watermark, never kept; the database leaves the
others out), then joins the bytes.

Guarantee: the body equals ``read_dashboard(conn, views).model_dump_json(by_alias=True)``
for the snapshot of the version returned with it, byte for byte (tests compare
them). A section is used only for the label and seq it was read at; a build
that finds another label (a replay's swap) starts from nothing. Event loop
only; no locking.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from psycopg import sql
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.read_model import WATERMARK_VIEWS
from query_api.database import snapshot_pipeline
from query_api.models import DashboardFilter, DashboardTotals, ReferrerSales, SalesByDay, ShowSales, ZoneSales
from query_api.readers.dashboard import occupancy_pct
from query_api.readers.versions import DbVersion, VersionReads, all_shows_version
from query_api.views import ReadViews

PROJECTION = "dashboard"
_FILTER_JSON = DashboardFilter().model_dump_json(by_alias=True).encode()
_TOTALS = tuple(name for name in DashboardTotals.model_fields if name != "filtered_by")
Rows = list[dict[str, Any]]


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

    async def read(
        self, engine: AsyncEngine, views: ReadViews, versions: VersionReads
    ) -> tuple[DbVersion, bytes]:
        """The unfiltered JSON dashboard and the version it was read at, from one snapshot read in one
        round trip (two when the sections kept are of a label replaced since: then nothing is kept)."""
        statements = _statements(views.read_schema, versions.all_shows_sql[PROJECTION])
        while True:
            label, kept = self._label, dict(self._sections)
            # The shows whose kept seq is their watermark in the snapshot are left out by the database.
            # As two array literals: psycopg's dumping of a list element by element cost more than the
            # rest of the build's parameters and statements together.
            moved_only = _array(map(str, kept)), _array(str(section.seq) for section in kept.values())
            rows = await snapshot_pipeline(engine, statements, ((), moved_only, moved_only, (), (), ()))
            first = rows[0][0]
            version = all_shows_version((first["labels"], first["ids"], first["seqs"]))
            if version.label == label:
                break
            self._label, self._sections = version.label, {}
            if not kept:
                break
        shows, zones, totals, days, referrers = rows[1:]
        marks = dict(version.marks)
        sections = {show: section for show, section in kept.items() if marks.get(show) == section.seq}
        moved = _sections(shows, zones, marks)
        self.reads += len(moved)
        if self._label == version.label:  # no swap seen while reading: keep what has a watermark
            self._sections.update((show, s) for show, s in moved.items() if s.seq is not None)
        sections.update(moved)
        figures = {name: (totals[0][name] if totals else 0) for name in _TOTALS}
        by_show = sorted((s for s in sections.values() if s.order is not None), key=_by_show_order)
        by_zone = [zone for _, s in sorted(sections.items()) for zone in s.zones]
        return version, b"".join(
            (
                b'{"filter":',
                _FILTER_JSON,
                b',"totals":',
                DashboardTotals.model_validate({**figures, "filtered_by": []}).model_dump_json().encode(),
                b',"sales_by_day":[',
                b",".join(map(_encoder(SalesByDay), days)),
                b'],"by_show":[',
                b",".join(s.show for s in by_show),
                b'],"by_zone":[',
                b",".join(by_zone),
                b'],"by_referrer":[',
                b",".join(map(_encoder(ReferrerSales), referrers)),
                b"]}",
            )
        )


def _array(elements: Iterable[str]) -> str:
    """A PostgreSQL array literal of elements that need no quoting (uuids, integers)."""
    return "{" + ",".join(elements) + "}"


def _encoder(model: type[BaseModel]) -> Any:
    return lambda row: model.model_validate(row).model_dump_json().encode()


def _show_sales(row: dict[str, Any]) -> bytes:
    occupancy = occupancy_pct(row["sold"], row["capacity"])
    return ShowSales.model_validate({**row, "occupancy_pct": occupancy}).model_dump_json().encode()


def _by_show_order(section: _Section) -> tuple[datetime, UUID]:
    assert section.order is not None  # filtered before sorting
    return section.order


@cache
def _statements(read_schema: str, version: str) -> tuple[bytes, ...]:
    """The version, the by-show and by-zone rows of the shows not kept at their watermark (``%s``: the
    kept shows' ids and seqs), totals, days, referrers: the orders of ``read_dashboard``; as bytes,
    composed once."""
    by_show, by_zone, totals, by_day, by_referrer = (
        sql.SQL("SELECT v.* FROM {}.{} AS v").format(sql.Identifier(read_schema), sql.Identifier(name))
        for name in (
            "dashboard_by_show",
            "dashboard_by_zone",
            "dashboard_totals",
            "dashboard_sales_by_day",
            "dashboard_by_referrer",
        )
    )
    moved = sql.SQL(
        " WHERE NOT EXISTS (SELECT FROM unnest(%s::uuid[], %s::bigint[]) AS k(show_id, seq)"
        " JOIN {}.{} AS w USING (show_id, seq) WHERE k.show_id = v.show_id)"
    ).format(sql.Identifier(read_schema), sql.Identifier(WATERMARK_VIEWS[PROJECTION]))
    statements = (
        sql.SQL(version),  # built from quoted identifiers by VersionReads
        by_show + moved,
        by_zone + moved + sql.SQL(" ORDER BY show_id, zone_id"),
        totals,
        by_day + sql.SQL(" ORDER BY day"),
        by_referrer + sql.SQL(" ORDER BY revenue_cents DESC, referrer_id"),
    )
    return tuple(statement.as_bytes(None) for statement in statements)


def _sections(shows: Rows, zones: Rows, marks: dict[UUID, int]) -> dict[UUID, _Section]:
    """The sections of the shows read, encoded, with the seq each was read at."""
    encode_zone = _encoder(ZoneSales)
    encoded_zones: dict[UUID, list[bytes]] = {}
    for row in zones:
        encoded_zones.setdefault(row["show_id"], []).append(encode_zone(row))
    sections: dict[UUID, _Section] = {}
    for row in shows:
        show_id: UUID = row["show_id"]
        encoded = _show_sales(row)
        sections[show_id] = _Section(
            marks.get(show_id), (row["starts_at"], show_id), encoded, encoded_zones.pop(show_id, [])
        )
    for show_id, zone_rows in encoded_zones.items():  # zones of a show without a by-show row
        sections[show_id] = _Section(marks.get(show_id), None, b"", zone_rows)
    return sections
