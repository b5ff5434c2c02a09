"""The query API connects as the read-only role, and that role cannot write."""

import psycopg
import pytest
from psycopg import sql

from infra.db import libpq_dsn, with_credentials
from tests.integration.query_api.conftest import ClientFactory
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration


def reader_dsn(database_url: str) -> str:
    return libpq_dsn(with_credentials(database_url, "boxoffice_reader", "boxoffice-reader"))


async def test_app_reads_as_the_reader_role(client_factory: ClientFactory) -> None:
    async with client_factory() as (_, app):
        assert app.state.query.database_role == "boxoffice_reader"


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO {r}.seat_availability_watermarks VALUES (gen_random_uuid(), 1, now())",
        "UPDATE {r}.seat_availability_seats SET status = 'sold'",
        "DELETE FROM {r}.dashboard_by_show",
        "CREATE TABLE {r}.intruder (x int)",
        # the version tables under the views, which the reader may SELECT for progress
        "UPDATE {sa}.seats SET status = 'sold'",
        "DELETE FROM {db}.totals",
        "UPDATE {sa}.watermarks SET seq = seq + 1",
        "UPDATE {db}.checkpoints SET next_offset = 0",
        "CREATE TABLE {sa}.intruder (x int)",
    ],
)
async def test_reader_role_cannot_write(database_url: str, seeded: SeededSchema, statement: str) -> None:
    show_id = await seeded.add_show()
    await seeded.sell(show_id, "A-1-1")  # rows in every table that a statement could touch
    schemas = {
        "r": seeded.read_schema,
        "sa": seeded.schema_of("seat_availability"),
        "db": seeded.schema_of("dashboard"),
    }
    with (
        psycopg.connect(reader_dsn(database_url)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(sql.SQL(statement).format(**{k: sql.Identifier(v) for k, v in schemas.items()}))


def test_reader_role_cannot_write_the_real_read_schema(database_url: str) -> None:
    with (
        psycopg.connect(reader_dsn(database_url)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("CREATE TABLE read.intruder (x int)")
