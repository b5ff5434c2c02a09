"""The query API's database role cannot write: the app's own connection pool is tried."""

import pytest
from sqlalchemy import exc, text

from infra.settings import ServiceSettings
from query_api.app import create_app
from tests.security.conftest import Apis

pytestmark = pytest.mark.integration

WRITES = [
    "INSERT INTO read.seat_availability_watermarks VALUES (gen_random_uuid(), 1, now())",
    "UPDATE read.seat_availability_seats SET status = 'sold'",
    "DELETE FROM read.dashboard_watermarks",
    "UPDATE proj_seat_availability_v1.seats SET status = 'sold'",
    "TRUNCATE proj_dashboard_v1.totals",
    "DELETE FROM projection_meta.versions",
    "INSERT INTO write_model.venues (venue_id, name, seat_count) VALUES (gen_random_uuid(), 'x', 1)",
    "UPDATE write_model.orders SET status = 'paid'",
    "DELETE FROM write_model.outbox",
    "CREATE TABLE read.intruder (x int)",
    "CREATE TABLE public.intruder (x int)",
    "CREATE SCHEMA intruder",
    "DROP VIEW read.seat_availability_seats",
    "SET ROLE boxoffice",
]


@pytest.mark.parametrize("statement", WRITES)
async def test_the_query_apis_own_connections_cannot_write(apis: Apis, statement: str) -> None:
    services = ServiceSettings(database_url=apis.database_url, kafka_bootstrap_servers="127.0.0.1:9")
    app = create_app(None, services)
    async with app.router.lifespan_context(app):
        engine = app.state.query.engine
        assert app.state.query.database_role == "boxoffice_reader"
        async with engine.connect() as conn:
            with pytest.raises(exc.DBAPIError) as refused:
                await conn.execute(text(statement))
            await conn.rollback()
    assert type(refused.value.orig).__name__ in ("InsufficientPrivilege", "ReadOnlySqlTransaction"), (
        refused.value
    )
