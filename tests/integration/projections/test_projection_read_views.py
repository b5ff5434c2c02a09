"""The views a projection creates are those of the agreement, column for column, and
``projection_progress`` reports the live version's progress to the reader role."""

from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from psycopg import AsyncConnection, sql

from contracts.read_model import PROJECTION_PROGRESS, PROJECTION_VIEWS, READER_ROLE, ReadView, SqlType
from infra.db import libpq_dsn, with_credentials
from projections.runtime import versions
from projections.runtime.projection import Deployment
from projections.runtime.versions import Version
from projections.testing.harness import deployment_for

pytestmark = pytest.mark.integration

# information_schema.columns.data_type of each agreed SQL type
_CATALOG_TYPES: dict[SqlType, str] = {
    "uuid": "uuid",
    "text": "text",
    "timestamptz": "timestamp with time zone",
    "date": "date",
    "int": "integer",
    "bigint": "bigint",
}


@pytest.fixture(params=sorted(PROJECTION_VIEWS))
async def live(
    request: pytest.FixtureRequest, database_url: str
) -> AsyncIterator[tuple[Deployment, Version]]:
    """Live version 1 of a projection in a private views schema (no projector, no topic needed)."""
    deployment = deployment_for(request.param, "test.proj.unpublished")
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        async with conn.transaction():
            version = await versions.create_version(conn, deployment, "live")
        yield deployment, version
        for schema in (deployment.views_schema, version.schema_name):
            await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        await conn.execute(
            "DELETE FROM projection_meta.versions WHERE projection = %s", (deployment.registry_name,)
        )


async def columns_of(conn: AsyncConnection[Any], schema: str, view: str) -> list[tuple[str, str]]:
    cur = await conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, view),
    )
    return [(str(name), str(data_type)) for name, data_type in await cur.fetchall()]


def agreed(view: ReadView) -> list[tuple[str, str]]:
    return [(name, _CATALOG_TYPES[sql_type]) for name, sql_type in view.columns]


async def test_the_views_have_the_agreed_names_columns_and_types(
    database_url: str, live: tuple[Deployment, Version]
) -> None:
    deployment, _ = live
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        for view in (*PROJECTION_VIEWS[deployment.projection.name], PROJECTION_PROGRESS):
            assert await columns_of(conn, deployment.views_schema, view.name) == agreed(view), view.name


async def test_projection_progress_reports_the_live_version_to_the_reader(
    database_url: str, live: tuple[Deployment, Version]
) -> None:
    deployment, version = live
    schema = sql.Identifier(version.schema_name)
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("INSERT INTO {}.checkpoints (partition, next_offset, updated_at) VALUES (0, 5, now()),"
                    " (1, 7, now())").format(schema)
        )  # fmt: skip
        conn.execute(
            sql.SQL('INSERT INTO {}.dead_letters (partition, "offset", error, redriven_at)'
                    " VALUES (0, 1, 'poison', NULL), (0, 2, 'poison', now())").format(schema)
        )  # fmt: skip
    reader = libpq_dsn(with_credentials(database_url, READER_ROLE, "boxoffice-reader"))
    query = sql.SQL(
        "SELECT projection, version, state, position, dlq_count FROM {}.projection_progress"
    ).format(sql.Identifier(deployment.views_schema))
    with psycopg.connect(reader, autocommit=True) as conn:
        rows = conn.execute(query).fetchall()
        assert rows == [(deployment.registry_name, 1, "live", 12, 1)]
        # Not live: its progress is not reported.
        with psycopg.connect(libpq_dsn(database_url), autocommit=True) as owner:
            owner.execute(
                "UPDATE projection_meta.versions SET state = 'retired' WHERE projection = %s",
                (deployment.registry_name,),
            )
        assert conn.execute(query).fetchall() == [(deployment.registry_name, 1, "retired", None, None)]
