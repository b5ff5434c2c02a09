"""Rows through the real PostgreSQL with SQLAlchemy 2 and psycopg 3, sync and async.

Each test works in a schema of its own (uuid4), dropped afterwards, so shared
tables are never touched.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from infra.db import sqlalchemy_url

pytestmark = pytest.mark.integration

metadata = sa.MetaData()
holds = sa.Table(
    "holds",
    metadata,
    sa.Column("hold_id", sa.Uuid, primary_key=True),
    sa.Column("seat_ids", sa.ARRAY(sa.Text), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text),
)


@pytest.fixture
def schema(database_url: str) -> Iterator[str]:
    name = f"test_rt_{uuid4().hex}"
    engine = sa.create_engine(sqlalchemy_url(database_url))
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        metadata.create_all(conn.execution_options(schema_translate_map={None: name}))
    yield name
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def test_rows_round_trip_with_types_intact(database_url: str, schema: str) -> None:
    engine = sa.create_engine(
        sqlalchemy_url(database_url), execution_options={"schema_translate_map": {None: schema}}
    )
    hold_id, expires = uuid4(), datetime(2026, 5, 1, 20, 15, 30, 123456, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(holds).values(hold_id=hold_id, seat_ids=["A-1-1", "A-1-2"], expires_at=expires)
        )

    with engine.connect() as conn:
        row = conn.execute(sa.select(holds).where(holds.c.hold_id == hold_id)).one()

    assert isinstance(row.hold_id, UUID)
    assert row.hold_id == hold_id
    assert row.seat_ids == ["A-1-1", "A-1-2"]
    assert row.expires_at == expires
    assert row.note is None
    engine.dispose()


def test_a_rolled_back_transaction_leaves_nothing(database_url: str, schema: str) -> None:
    engine = sa.create_engine(
        sqlalchemy_url(database_url), execution_options={"schema_translate_map": {None: schema}}
    )
    hold_id = uuid4()

    with engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(
            sa.insert(holds).values(hold_id=hold_id, seat_ids=["B-1-1"], expires_at=datetime.now(UTC))
        )
        assert conn.execute(sa.select(sa.func.count()).select_from(holds)).scalar_one() == 1
        transaction.rollback()

    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(holds)).scalar_one() == 0
    engine.dispose()


def test_a_duplicate_key_is_refused(database_url: str, schema: str) -> None:
    engine = sa.create_engine(
        sqlalchemy_url(database_url), execution_options={"schema_translate_map": {None: schema}}
    )
    row = {"hold_id": uuid4(), "seat_ids": ["C-1-1"], "expires_at": datetime.now(UTC)}
    with engine.begin() as conn:
        conn.execute(sa.insert(holds).values(**row))

    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(holds).values(**row))
    engine.dispose()


async def test_async_engine_round_trip(database_url: str, schema: str) -> None:
    engine = create_async_engine(
        sqlalchemy_url(database_url), execution_options={"schema_translate_map": {None: schema}}
    )
    hold_id = uuid4()
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(holds).values(
                    hold_id=hold_id, seat_ids=["D-1-1"], expires_at=datetime.now(UTC), note="x"
                )
            )
        async with engine.connect() as conn:
            note = (
                await conn.execute(sa.select(holds.c.note).where(holds.c.hold_id == hold_id))
            ).scalar_one()
    finally:
        await engine.dispose()
    assert note == "x"


def test_the_server_is_postgresql_15_or_newer_in_utf8(database_url: str) -> None:
    engine = sa.create_engine(sqlalchemy_url(database_url))
    with engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version_num")).scalar_one()
        encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
    engine.dispose()
    assert int(version) >= 150000
    assert encoding == "UTF8"
