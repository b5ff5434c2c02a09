"""The whole dashboard (JSON, unfiltered) built from per-show sections: a new version re-reads only the
shows that moved, in one statement whose figures PostgreSQL writes as JSON.

Every hold changes the dashboard's version (the number of shows and the sum of
their watermarks), so a dashboard read while holds land is a new body almost
every time. Most of that body is the by-show and by-zone rows of shows that
did not move. Within one live label a show's watermark identifies its by-show
row and its by-zone rows: the projection updates them and the watermark in one
transaction, and only that show's events touch them. So each show's two
sections are kept here encoded, under ``(label, show, seq)``.

A build is one statement (``database.one_statement``: one snapshot, one round
trip, no ``BEGIN``/``ROLLBACK``) returning one row: the version, the figures
spanning every show (totals, sales by day, referrers) as JSON text written by
PostgreSQL and passed through, and the sections of the shows whose watermark
there is not the seq kept (and of any show without a watermark, never kept; the
database leaves the others out): their by-zone elements written by PostgreSQL,
their by-show rows as JSON that Python shapes (``occupancy_pct`` is Python's
rounding of a float, ``starts_at`` pydantic's notation of a datetime). Those
views' columns are uuids, text, dates and bigints, which PostgreSQL's
``row_to_json`` writes as pydantic does (tests compare them, escapes included).

Guarantee: the body equals ``read_dashboard(conn, views).model_dump_json(by_alias=True)``
for the snapshot of the version returned with it, byte for byte (tests compare
them). A section is used only for the label and seq it was read at; a build
that finds another label (a replay's swap) starts from nothing. Event loop
only; no locking.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from operator import attrgetter
from uuid import UUID

from psycopg import sql
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.read_model import WATERMARK_VIEWS
from query_api.database import one_statement
from query_api.models import DashboardFilter, DashboardTotals, ReferrerSales, SalesByDay, ShowSales, ZoneSales
from query_api.readers.dashboard import occupancy_pct
from query_api.readers.versions import DbVersion, VersionReads, all_shows_version
from query_api.views import ReadViews

PROJECTION = "dashboard"
_FILTER_JSON = DashboardFilter().model_dump_json(by_alias=True).encode()
_TOTALS = tuple(name for name in DashboardTotals.model_fields if name != "filtered_by")
_NO_TOTALS = DashboardTotals.model_validate(dict.fromkeys(_TOTALS, 0)).model_dump_json().encode()
_FILTERED_BY = b',"filtered_by":[]}'  # unfiltered totals answer no filter
_BY_ZONE_ORDER = attrgetter("rank")


@dataclass(frozen=True, slots=True)
class _Section:
    """One show's part of the dashboard, encoded, as read at its watermark ``seq``."""

    seq: int | None  # None: the show had no watermark in that snapshot (never kept)
    order: tuple[datetime, int] | None  # the by-show order (starts_at, show_id as int); None without a row
    show: bytes  # its by-show element, b"" without a row
    zones: bytes  # its by-zone elements, in zone order, comma-separated; b"" without any
    rank: int  # the show id as an integer: the by-zone order (UUIDs order as their integers)
    text: str  # the show id as text, for the kept shows' array literal


class DashboardSections:
    """See the module docstring."""

    def __init__(self) -> None:
        self._label = ""
        self._sections: dict[UUID, _Section] = {}
        self.reads = 0  # sections read from the database (shows that moved), for tests and profiles

    async def read(
        self, engine: AsyncEngine, views: ReadViews, versions: VersionReads
    ) -> tuple[DbVersion, bytes]:
        """The unfiltered JSON dashboard and the version it was read at, from one statement (two when the
        sections kept are of a label replaced since: then nothing is kept)."""
        statement = _statement(views.read_schema, versions.all_shows_sql[PROJECTION])
        while True:
            label, kept = self._label, self._sections  # replaced, never changed in place
            # The shows whose kept seq is their watermark in the snapshot are left out by the database.
            # As two array literals: psycopg's dumping of a list element by element cost more than the
            # rest of the build's parameters.
            moved_only: dict[str, object] = {
                "ids": _array(section.text for section in kept.values()),
                "seqs": _array(str(section.seq) for section in kept.values()),
            }
            labels, ids, seqs, totals, days, referrers, shows, zones = (
                await one_statement(engine, statement, moved_only)
            )[0]
            version = all_shows_version((labels, ids, seqs))
            if version.label == label:
                break
            self._label, self._sections = version.label, {}
            if not kept:
                break
        marks = dict(version.marks)
        sections = {show: section for show, section in kept.items() if marks.get(show) == section.seq}
        moved = _sections(shows, zones, marks)
        self.reads += len(moved)
        if self._label == version.label and moved:  # no swap seen while reading: keep what has a watermark
            self._sections = {**self._sections, **{show: s for show, s in moved.items() if s.seq is not None}}
        sections.update(moved)
        by_show = sorted((s for s in sections.values() if s.order is not None), key=_by_show_order)
        return version, b"".join(
            (
                b'{"filter":',
                _FILTER_JSON,
                b',"totals":',
                _NO_TOTALS if totals is None else totals[:-1].encode() + _FILTERED_BY,
                b',"sales_by_day":[',
                (days or "").encode(),
                b'],"by_show":[',
                b",".join(s.show for s in by_show),
                b'],"by_zone":[',
                b",".join(s.zones for s in sorted(sections.values(), key=_BY_ZONE_ORDER) if s.zones),
                b'],"by_referrer":[',
                (referrers or "").encode(),
                b"]}",
            )
        )


def _array(elements: Iterable[str]) -> str:
    """A PostgreSQL array literal of elements that need no quoting (uuids, integers)."""
    return "{" + ",".join(elements) + "}"


def _by_show_order(section: _Section) -> tuple[datetime, int]:
    assert section.order is not None  # filtered before sorting
    return section.order


def _columns(model: type[BaseModel]) -> sql.Composable:
    """The model's fields as a select list, in its order: ``row_to_json`` then writes its keys."""
    return sql.SQL(", ").join(map(sql.Identifier, model.model_fields))


@cache
def _statement(read_schema: str, version: str) -> bytes:
    """The one statement of a build, as bytes composed once: the version's three columns (``version``),
    then totals, sales by day and referrers as JSON text (NULL when empty), the moved shows' by-show
    rows as a JSON array and their by-zone elements as a JSON array of ``[show_id, "elements"]``
    (NULL when none moved). ``%(ids)s``/``%(seqs)s``: the kept shows; the orders of ``read_dashboard``."""

    def view(name: str) -> sql.Composable:
        return sql.SQL("{}.{}").format(sql.Identifier(read_schema), sql.Identifier(name))

    moved = sql.SQL(
        " WHERE NOT EXISTS (SELECT FROM unnest(%(ids)s::uuid[], %(seqs)s::bigint[]) AS k(show_id, seq)"
        " JOIN {} AS w USING (show_id, seq) WHERE k.show_id = v.show_id)"
    ).format(view(WATERMARK_VIEWS[PROJECTION]))
    by_show = sql.SQL(", ").join(
        map(sql.Identifier, (n for n in ShowSales.model_fields if n != "occupancy_pct"))
    )
    statement = sql.SQL(
        "SELECT ver.labels, ver.ids, ver.seqs,"
        " (SELECT row_to_json(t)::text FROM (SELECT {totals} FROM {totals_view} LIMIT 1) AS t),"
        " (SELECT string_agg(row_to_json(d)::text, ',' ORDER BY d.day)"
        " FROM (SELECT {days} FROM {days_view}) AS d),"
        " (SELECT string_agg(row_to_json(r)::text, ',' ORDER BY r.revenue_cents DESC, r.referrer_id)"
        " FROM (SELECT {referrers} FROM {referrers_view}) AS r),"
        " (SELECT json_agg(s)::text FROM (SELECT {by_show} FROM {by_show_view} AS v{moved}) AS s),"
        " (SELECT json_agg(json_build_array(z.show_id, z.zones))::text FROM"
        " (SELECT e.show_id, string_agg(row_to_json(e)::text, ',' ORDER BY e.zone_id) AS zones"
        " FROM (SELECT {zones} FROM {zones_view} AS v{moved}) AS e GROUP BY e.show_id) AS z)"
        " FROM ({version}) AS ver"
    ).format(
        totals=sql.SQL(", ").join(map(sql.Identifier, _TOTALS)),
        totals_view=view("dashboard_totals"),
        days=_columns(SalesByDay),
        days_view=view("dashboard_sales_by_day"),
        referrers=_columns(ReferrerSales),
        referrers_view=view("dashboard_by_referrer"),
        by_show=by_show,
        by_show_view=view("dashboard_by_show"),
        zones=_columns(ZoneSales),
        zones_view=view("dashboard_by_zone"),
        moved=moved,
        version=sql.SQL(version),  # built from quoted identifiers by VersionReads
    )
    return statement.as_bytes(None)


def _sections(shows: str | None, zones: str | None, marks: dict[UUID, int]) -> dict[UUID, _Section]:
    """The sections of the shows read, encoded, with the seq each was read at."""
    encoded_zones = {UUID(show_id): elements.encode() for show_id, elements in json.loads(zones or "[]")}
    sections: dict[UUID, _Section] = {}
    for row in json.loads(shows or "[]"):
        sales = ShowSales.model_validate(
            {**row, "occupancy_pct": occupancy_pct(row["sold"], row["capacity"])}
        )
        show_id = sales.show_id
        sections[show_id] = _Section(
            marks.get(show_id),
            (sales.starts_at, show_id.int),
            sales.model_dump_json().encode(),
            encoded_zones.pop(show_id, b""),
            show_id.int,
            str(show_id),
        )
    for show_id, elements in encoded_zones.items():  # zones of a show without a by-show row
        sections[show_id] = _Section(marks.get(show_id), None, b"", elements, show_id.int, str(show_id))
    return sections
