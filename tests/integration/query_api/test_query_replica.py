"""The query API on a real hot standby: tokens stay exact, a lagging replica answers 503, never stale data.

A private primary and its streaming standby are started by the launcher's own
classes (``PostgresCluster``, ``PostgresReplica``: pg_basebackup, a slot of
their own) in a state dir of their own on free ports, so the shared server is
never touched. The projections write the primary through their own
``BatchWriter`` (``seed``); the query API reads the standby as the reader role
and LISTENs on the primary. Replay is paused with ``pg_wal_replay_pause()`` on
the standby to make it lag for as long as a test needs.
"""

import asyncio
import os
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from contracts.progress import PROGRESS_CHANNEL, decode_progress, parse_lsn
from contracts.read_model import READER_ROLE
from infra.db import libpq_dsn, with_credentials
from infra.launcher.postgres import PostgresCluster
from infra.launcher.postgres_replica import PostgresReplica
from infra.launcher.proc import free_ports
from infra.launcher.settings import LauncherSettings
from infra.launcher.status import quiet
from infra.migrations.runner import upgrade
from infra.settings import ApiKeySettings, ServiceSettings
from query_api.app import create_app
from query_api.consistency.replica import ReplicaProgressListener
from query_api.settings import QueryApiSettings
from tests.integration.query_api.conftest import API_KEYS, settled
from tests.integration.query_api.seed import SeededSchema, create_seeded_schema, drop_seeded_schema

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

SEATS = "seat_availability"


class Standby:
    """The private primary and its hot standby."""

    def __init__(self, settings: LauncherSettings, replica: PostgresReplica) -> None:
        self.settings = settings
        self.replica = replica
        self.primary_url = settings.database_url
        self.replica_url = settings.replica_database_urls[0]
        password = ServiceSettings().reader_password.get_secret_value()
        self.replica_reader_url = with_credentials(self.replica_url, READER_ROLE, password)

    def on_replica(self, statement: str) -> Any:
        """One statement on the standby as its superuser; the first column of the first row."""
        return _first(self.settings.admin_dsn(self.settings.replica_ports[0]), statement)

    def on_primary(self, statement: str, params: tuple[object, ...] = ()) -> Any:
        """One statement on the primary's ``boxoffice`` database as its superuser."""
        return _first(libpq_dsn(self.primary_url), statement, params)

    def paused(self) -> bool:
        return bool(self.on_replica("SELECT pg_get_wal_replay_pause_state() = 'paused'"))


def _first(dsn: str, statement: str, params: tuple[object, ...] = ()) -> Any:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(statement, params)
        row = cur.fetchone() if cur.description else None
    return None if row is None else row[0]


@pytest.fixture(scope="module")
def standby() -> Iterator[Standby]:
    # Not pytest's tmp_path: its parent is private to root, and PostgreSQL runs as `postgres`.
    state = Path(tempfile.mkdtemp(prefix="boxoffice-replica-test-"))
    state.chmod(0o755)
    primary_port, replica_port = free_ports(2)
    settings = LauncherSettings(
        state_dir=state,
        postgres_port=primary_port,
        postgres_replica_port=replica_port,
        infra_replicas=1,
        postgres_fsync=False,
    )
    primary = PostgresCluster(settings)
    replica = PostgresReplica(settings, primary, 1)
    try:
        deadline = time.monotonic() + settings.ready_timeout_s
        primary.start(quiet, deadline)
        upgrade(settings.database_url, reader_password=ServiceSettings().reader_password.get_secret_value())
        replica.start(quiet, deadline)
        yield Standby(settings, replica)
    finally:
        replica.stop(quiet)
        primary.stop(quiet)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
async def seeded(standby: Standby) -> AsyncIterator[SeededSchema]:
    schema = await create_seeded_schema(standby.primary_url)
    yield schema
    drop_seeded_schema(schema)


@asynccontextmanager
async def query_api(
    standby: Standby, seeded: SeededSchema, kafka_bootstrap: str, *, replica: bool
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    """The query API over ``seeded``'s views: on the standby (``replica``) or on the primary."""
    services = ServiceSettings(
        database_url=standby.primary_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        query_database_url=standby.replica_reader_url if replica else None,
    )
    settings = QueryApiSettings(read_schema=seeded.read_schema, pool_size=2)
    app = create_app(settings, services, ApiKeySettings(api_keys=API_KEYS))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://query") as client:
            yield client, app


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.05)


def blocking(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    """A blocking check (a psycopg query) run off the event loop, for :func:`eventually`."""
    return lambda: asyncio.to_thread(check)


async def replica_lag(client: httpx.AsyncClient) -> float | None:
    lag = (await client.get("/readyz")).json().get("replica_lag_seconds")
    return None if lag is None else float(lag)


def seat_statuses(body: dict[str, Any]) -> dict[str, str]:
    return {seat["seat_id"]: seat["status"] for seat in body["seats"]}


async def seats(client: httpx.AsyncClient, show_id: UUID, ct: str, *, wait_ms: int) -> httpx.Response:
    params: dict[str, str | int] = {"consistency_token": ct, "wait_ms": wait_ms}
    return await client.get(f"/v1/shows/{show_id}/seats", params=params)


def token(seeded: SeededSchema, show_id: UUID) -> str:
    return f"ct1.{show_id}.{seeded.seq(show_id)}"


@pytest.fixture
def resume_replay(standby: Standby) -> Iterator[None]:
    yield
    standby.on_replica("SELECT pg_wal_replay_resume()")  # whatever the test did


async def test_a_batch_notice_carries_a_position_past_its_commit_record(
    standby: Standby, seeded: SeededSchema
) -> None:
    standby.on_primary("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    start = standby.on_primary("SELECT pg_current_wal_insert_lsn()::text")
    async with await psycopg.AsyncConnection.connect(libpq_dsn(standby.primary_url), autocommit=True) as conn:
        await conn.execute(f"LISTEN {PROGRESS_CHANNEL}")
        show_id = await seeded.add_show(to=[SEATS])
        notices = [decode_progress(n.payload) async for n in conn.notifies(timeout=10.0, stop_after=1)]
    assert len(notices) == 1
    notice = notices[0]
    assert notice.seqs == {show_id: 1}
    assert notice.lsn is not None
    # The batch's transaction wrote the show's watermark row: its commit record, read from the WAL.
    xid = standby.on_primary(
        f"SELECT xmin::text FROM {seeded.schema_of(SEATS)}.watermarks WHERE show_id = %s", (show_id,)
    )
    commit_end = standby.on_primary(
        "SELECT max(end_lsn)::text FROM pg_get_wal_records_info(%s, pg_current_wal_flush_lsn())"
        " WHERE xid = %s::xid AND resource_manager = 'Transaction' AND record_type = 'COMMIT'",
        (start, xid),
    )
    assert commit_end is not None
    assert notice.lsn >= parse_lsn(commit_end)  # a standby replayed up to it has the batch


async def test_a_token_read_on_the_replica_is_exact(
    standby: Standby, seeded: SeededSchema, kafka_bootstrap: str
) -> None:
    async with query_api(standby, seeded, kafka_bootstrap, replica=True) as (client, app):
        assert isinstance(app.state.query.listener, ReplicaProgressListener)
        show_id = await seeded.add_show()
        await seeded.sell(show_id, "A-1-1", "A-1-2")
        answer = await client.get(
            f"/v1/shows/{show_id}/seats",
            params={"consistency_token": token(seeded, show_id), "wait_ms": 5000},
        )
        assert answer.status_code == 200
        statuses = seat_statuses(answer.json())
        assert statuses["A-1-1"] == statuses["A-1-2"] == "sold"
        assert list(statuses.values()).count("sold") == 2
        await settled(app, seeded)  # memory follows the standby too, once it replayed
        availability = await client.get(f"/v1/shows/{show_id}/availability")
        zone_a = next(z for z in availability.json()["zones"] if z["zone_id"] == "A")
        assert (zone_a["sold"], zone_a["held"], zone_a["available"]) == (2, 0, 4)


async def test_a_lagging_replica_answers_projection_behind_never_stale_data(
    standby: Standby, seeded: SeededSchema, kafka_bootstrap: str, resume_replay: None
) -> None:
    async with query_api(standby, seeded, kafka_bootstrap, replica=True) as (client, app):
        show_id = await seeded.add_show()
        await seeded.hold(show_id, "B-1-1")
        await settled(app, seeded)
        tracker, listener = app.state.query.tracker, app.state.query.listener
        standby.on_replica("SELECT pg_wal_replay_pause()")
        await eventually(blocking(standby.paused), "replay never paused")
        await seeded.sell(show_id, "A-2-3")  # committed on the primary, not replayed on the standby
        newer = token(seeded, show_id)

        async def arrived() -> bool:  # the sale's notice reached the app: held (or, were it not, claimed)
            return bool(listener.held > 0 or (tracker.seq(SEATS, show_id) or 0) >= seeded.seq(show_id))

        await eventually(arrived, "the primary's notices never arrived")
        behind = await seats(client, show_id, newer, wait_ms=300)
        assert behind.status_code == 503
        assert behind.json()["error"]["code"] == "projection_behind"
        assert behind.headers["retry-after"]
        assert (tracker.seq(SEATS, show_id) or 0) < seeded.seq(show_id)  # memory claims nothing unreplayed
        # Without a token: what the standby has, all that memory claims (never the unreplayed sale).
        plain = await client.get(f"/v1/shows/{show_id}/seats")
        assert seat_statuses(plain.json())["A-2-3"] == "available"

        async def lagging() -> bool:
            lag = await replica_lag(client)
            return lag is not None and lag > 0

        await eventually(lagging, "a paused standby with WAL waiting reports no lag")

        standby.on_replica("SELECT pg_wal_replay_resume()")
        answer = await seats(client, show_id, newer, wait_ms=5000)
        assert answer.status_code == 200
        assert seat_statuses(answer.json())["A-2-3"] == "sold"
        assert seat_statuses(answer.json())["B-1-1"] == "held"
        await settled(app, seeded)


async def test_a_swap_is_claimed_only_once_the_replica_replayed_it(
    standby: Standby, seeded: SeededSchema, kafka_bootstrap: str, resume_replay: None
) -> None:
    async with query_api(standby, seeded, kafka_bootstrap, replica=True) as (client, app):
        show_id = await seeded.add_show()
        await settled(app, seeded)
        tracker, listener = app.state.query.tracker, app.state.query.listener
        old_label, resyncs = tracker.label, tracker.resyncs
        standby.on_replica("SELECT pg_wal_replay_pause()")
        await eventually(blocking(standby.paused), "replay never paused")
        new = await seeded.replay(SEATS)  # a new version, swapped in on the primary

        async def arrived() -> bool:
            return bool(listener.held > 0 or tracker.label != old_label or tracker.resyncs > resyncs)

        await eventually(arrived, "the swap's notice never arrived")
        assert tracker.label == old_label  # the standby still serves the old version: so does memory
        assert (await client.get(f"/v1/shows/{show_id}/availability")).status_code == 200
        standby.on_replica("SELECT pg_wal_replay_resume()")
        await settled(app, seeded)
        live = f"{seeded.deployments[SEATS].registry_name}@{new.version}"
        assert live in tracker.label.split(",")


async def test_a_replica_killed_and_restarted_answers_503_or_exact_data(
    standby: Standby, seeded: SeededSchema, kafka_bootstrap: str
) -> None:
    async with query_api(standby, seeded, kafka_bootstrap, replica=True) as (client, app):
        show_id = await seeded.add_show()
        await settled(app, seeded)
        pid = standby.replica.pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # crash recovery on restart, from its last restartpoint
        await eventually(blocking(lambda: standby.replica.pid() is None), "the replica outlived kill -9")
        await seeded.sell(show_id, "A-1-3")
        newer = token(seeded, show_id)
        during = await seats(client, show_id, newer, wait_ms=300)
        assert during.status_code == 503  # projection_behind or database_unavailable: never stale data
        assert during.json()["error"]["code"] in {"projection_behind", "database_unavailable"}

        await asyncio.to_thread(standby.replica.start, quiet, time.monotonic() + 120)
        answer = await seats(client, show_id, newer, wait_ms=5000)
        for _ in range(10):  # each of the pool's connections to the killed server fails once
            if answer.status_code != 503 or answer.json()["error"]["code"] != "database_unavailable":
                break
            answer = await seats(client, show_id, newer, wait_ms=5000)
        assert answer.status_code == 200
        assert seat_statuses(answer.json())["A-1-3"] == "sold"
        await settled(app, seeded)  # memory is back in sync with the standby


async def test_readyz_names_the_role_and_the_replica_lag(
    standby: Standby, seeded: SeededSchema, kafka_bootstrap: str
) -> None:
    async with query_api(standby, seeded, kafka_bootstrap, replica=False) as (client, _):
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["database_role"] == "primary"
        assert "replica_lag_seconds" not in ready.json()
    async with query_api(standby, seeded, kafka_bootstrap, replica=True) as (client, _):
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["database_role"] == "replica"

        # All received WAL replayed: 0, however long ago the last replayed commit was.
        async def no_lag() -> bool:
            return await replica_lag(client) == 0.0

        await eventually(no_lag, "an idle, caught-up standby reports lag")
