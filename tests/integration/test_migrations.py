"""Migrations on an empty database: all applied once, in order; a second run applies nothing.

Each test creates a database of its own on the same server and drops it
afterwards; the shared database is never touched.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy.engine import make_url

from contracts.read_model import READER_ROLE
from infra.db import libpq_dsn
from infra.migrations.runner import discover, upgrade
from infra.settings import ServiceSettings
from tests.support import database

pytestmark = pytest.mark.integration

# The reader role is cluster-wide: use the password everyone else's processes use.
READER_PASSWORD = ServiceSettings().reader_password.get_secret_value()


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    with database.empty_database(database_url, "test_mig") as url:
        yield url


def recorded(url: str) -> list[tuple[str, int, str]]:
    with psycopg.connect(libpq_dsn(url)) as conn:
        rows = conn.execute(
            "SELECT area, version, name FROM public.boxoffice_migrations ORDER BY area, version"
        )
        return [(str(a), int(v), str(n)) for a, v, n in rows]


def test_upgrade_applies_every_migration_then_nothing(empty_database: str) -> None:
    expected = discover()

    first = upgrade(empty_database, READER_PASSWORD)
    second = upgrade(empty_database, READER_PASSWORD)

    assert first == expected
    assert second == []
    assert recorded(empty_database) == sorted((m.area, m.version, m.name) for m in expected)


def test_migrations_are_discovered_in_order_per_area() -> None:
    found = discover()
    for area in {m.area for m in found}:
        versions = [m.version for m in found if m.area == area]
        assert versions == sorted(versions)
        assert len(versions) == len(set(versions))


def test_concurrent_upgrades_apply_each_migration_once(empty_database: str) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: upgrade(empty_database, READER_PASSWORD), range(3)))

    applied = [m for result in results for m in result]
    assert sorted(applied, key=lambda m: (m.area, m.version)) == sorted(
        discover(), key=lambda m: (m.area, m.version)
    )
    assert len(recorded(empty_database)) == len(discover())


def test_the_reader_role_can_connect_and_cannot_write(empty_database: str) -> None:
    upgrade(empty_database, READER_PASSWORD)
    url = make_url(empty_database).set(username=READER_ROLE, password=READER_PASSWORD)

    with psycopg.connect(libpq_dsn(url.render_as_string(hide_password=False))) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (READER_ROLE,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE public.reader_must_not_write (x int)")
