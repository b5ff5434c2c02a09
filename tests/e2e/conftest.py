"""One stack of real processes for the e2e tests of this folder (not command_side/)."""

from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from infra.db import libpq_dsn
from tests.e2e.stack import Stack, build_stack


@pytest.fixture(scope="session")
def stack(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    running = build_stack(database_url, kafka_bootstrap, log_dir, uuid4().hex[:10])
    # Both projectors create the views schema on start; made here first so that their
    # concurrent CREATE SCHEMA IF NOT EXISTS cannot collide.
    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(running.views_schema)))
    running.start_all()
    try:
        running.wait_ready()
        running.wait_caught_up(database_url, kafka_bootstrap)
        yield running
    finally:
        running.stop_all()
