"""The projector's array literals, as PostgreSQL itself reads them (``projections.runtime.sql``).

The unit tests parse the literals in Python; here the server does, through the
dumper the projector's connection uses, with the casts the SQL layers write:
any text (NULL, quotes, backslashes, braces, commas, blanks, empty strings,
non-ASCII) and every other element type must come back equal.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from infra.db import libpq_dsn
from projections.runtime.sql import ArrayLiteralDumper

pytestmark = pytest.mark.integration

TEXT = st.text(st.characters(blacklist_categories=["Cs"], min_codepoint=1))


@pytest.fixture(scope="module")
def conn(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    connection = psycopg.connect(libpq_dsn(database_url), autocommit=True)
    connection.adapters.register_dumper(list, ArrayLiteralDumper)  # as use_array_literals does
    with connection:
        yield connection


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), TEXT)))
@example(
    ["", " ", "NULL", "null", 'a"b', "a\\b", "\\", '"', "{", "}", "{x,y}", "a,b", "é漢字😀", "\t\n", None]
)
def test_any_text_array_reads_back_equal(
    conn: psycopg.Connection[tuple[object, ...]], values: list[str | None]
) -> None:
    row = conn.execute("SELECT %s::text[]", (values,)).fetchone()
    assert row is not None
    assert row[0] == values


def test_every_element_type_of_the_sql_layers_reads_back_equal(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    ids: list[UUID | None] = [uuid4(), None]
    stamps: list[datetime | None] = [
        datetime(2026, 3, 1, 10, 30, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        None,
    ]
    days: list[date | None] = [date(2026, 3, 1), None]
    numbers: list[int | None] = [0, -1, 2**63 - 1, None]
    flags: list[bool | None] = [True, False, None]
    row = conn.execute(
        "SELECT %s::uuid[], %s::timestamptz[], %s::date[], %s::bigint[], %s::bool[], %s::int[]",
        (ids, stamps, days, numbers, flags, []),
    ).fetchone()
    assert row == (ids, stamps, days, numbers, flags, [])
    matched = conn.execute("SELECT %s::uuid = ANY(%s)", (ids[0], ids)).fetchone()
    assert matched == (True,)
