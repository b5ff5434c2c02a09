"""Versions of read resources as the database holds them, from which ETags and cache keys derive.

A projection applies each event to its rows and to the show's watermark in one
transaction, so within one live projection version the watermarks identify the
state of the rows: a show's seq for its own resources, the number of shows and
the sum of their seqs for resources that span all shows. The label of the live
versions is part of the version because a replay swaps in new tables at the
same watermarks. The strings are those of :class:`VersionTracker`, which keeps
the same versions in memory; these reads are for cache misses and for when the
tracker is not synced, and run in the request's snapshot, before its body
(``all_shows_sql``: the same statement as text, for reads sent past SQLAlchemy).

Statements are built once per read schema (``text``; no per-request compilation).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.read_model import PROJECTION_PROGRESS, WATERMARK_VIEWS
from query_api.consistency.tracker import KINDS, live_label


@dataclass(frozen=True, slots=True)
class DbVersion:
    """A version read from the database, with the watermarks it was derived from."""

    label: str
    key: str
    marks: Sequence[tuple[UUID, int]]
    seq: int | None = None  # the show's seq, for one show's resources


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class VersionReads:
    """The version queries of one views schema."""

    def __init__(self, read_schema: str) -> None:
        self.read_schema = read_schema
        progress = f"{_quote(read_schema)}.{_quote(PROJECTION_PROGRESS.name)}"
        labels = f"ARRAY(SELECT projection || '@' || version FROM {progress} WHERE state = 'live')"
        marks = {kind: f"{_quote(read_schema)}.{_quote(WATERMARK_VIEWS[kind])}" for kind in KINDS}
        self._show: dict[str, TextClause] = {
            kind: text(f"SELECT (SELECT seq FROM {table} WHERE show_id = :show_id), {labels}")
            for kind, table in marks.items()
        }
        self.all_shows_sql: dict[str, str] = {
            kind: f"SELECT {labels} AS labels, w.ids, w.seqs FROM (SELECT array_agg(show_id) AS ids,"
                  f" array_agg(seq) AS seqs FROM {table}) AS w"
            for kind, table in marks.items()
        }  # fmt: skip
        self._all = {kind: text(query) for kind, query in self.all_shows_sql.items()}
        self._watermark: dict[str, TextClause] = {
            kind: text(f"SELECT seq FROM {table} WHERE show_id = :show_id") for kind, table in marks.items()
        }

    async def show(self, conn: AsyncConnection, kind: str, show_id: UUID) -> DbVersion | None:
        """The version of one show's rows, or None when the projection has not seen the show."""
        row = (await conn.execute(self._show[kind], {"show_id": show_id})).one()
        if row[0] is None:
            return None
        label, seq = live_label(row[1]), int(row[0])
        return DbVersion(label, f"{label}:{seq}", ((show_id, seq),), seq)

    async def all_shows(self, conn: AsyncConnection, kind: str) -> DbVersion:
        """``label:shows:sum-of-seq``: changes whenever any show's rows change."""
        return all_shows_version(tuple((await conn.execute(self._all[kind])).one()))

    async def watermark(self, conn: AsyncConnection, kind: str, show_id: UUID) -> int | None:
        """The seq up to which the projection has applied the show's events, None if none yet."""
        value = await conn.scalar(self._watermark[kind], {"show_id": show_id})
        return None if value is None else int(value)


def all_shows_version(row: Sequence[Any]) -> DbVersion:
    """The version of a row of ``all_shows_sql`` (labels, show ids, their seqs)."""
    label = live_label(row[0])
    marks = list(zip(row[1] or (), map(int, row[2] or ()), strict=True))
    return DbVersion(label, f"{label}:{len(marks)}:{sum(seq for _, seq in marks)}", marks)
