"""A command API and a query API as real processes over a database of their own.

The database is created for the session on the shared PostgreSQL server (a
unique name, dropped at the end), migrated, and given live projection
versions so that the read views exist. No worker runs: nothing is relayed to
the shared Kafka topic. Keys are random per session, so the log checks can
grep for them; every process's output is kept in a log file.
"""

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from psycopg import AsyncConnection

from infra.db import libpq_dsn
from infra.settings import REPO_ROOT
from projections.catalog import PROJECTIONS, deployment
from projections.runtime.versions import ensure_live
from tests.support.database import private_database
from tests.support.processes import ChildProcess, boxoffice_argv, clean_environment, free_ports

ROLES = ("operator", "checkout", "viewer")


@dataclass(frozen=True, slots=True)
class Apis:
    command_url: str
    query_url: str
    database_url: str
    keys: dict[str, str]
    children: tuple[ChildProcess, ...]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def logs(self) -> str:
        return "\n".join(c.log_text() for c in self.children)

    def post_venue(self, client: httpx.Client, name: Any, seats: Any) -> httpx.Response:
        """The operator's POST of a venue ``name`` with one zone ``A`` of one row of ``seats``
        (any value, valid or not); the raw answer."""
        layout = [{"zone_id": "A", "name": "A", "rows": [{"row": "1", "seats": seats}]}]
        return client.post(
            f"{self.command_url}/v1/venues",
            headers=self.auth("operator"),
            json={"name": name, "zones": layout},
        )

    def post_show(
        self, client: httpx.Client, venue_id: str, price_cents: Any, title: Any = "t"
    ) -> httpx.Response:
        """The operator's POST of a show in ``venue_id`` with zone ``A`` at ``price_cents`` (any
        value, valid or not); the raw answer."""
        body = {
            "venue_id": venue_id,
            "title": title,
            "starts_at": "2031-01-01T20:00:00Z",
            "prices": {"A": price_cents},
        }
        return client.post(f"{self.command_url}/v1/shows", headers=self.auth("operator"), json=body)

    def post_payment(
        self, client: httpx.Client, order_id: str, payment_ref: Any, amount_cents: Any
    ) -> httpx.Response:
        """Alice's payment of ``order_id`` through the checkout role (any values); the raw answer."""
        return client.post(
            f"{self.command_url}/v1/orders/{order_id}/payment",
            headers={**self.auth("checkout"), "X-Customer-Id": "alice"},
            json={"payment_ref": payment_ref, "amount_cents": amount_cents},
        )

    def post_venue_bytes(self, client: httpx.Client, body: bytes) -> httpx.Response:
        """The operator's POST of a venue whose body is ``body`` as it is, sent as JSON; the raw answer."""
        return client.post(
            f"{self.command_url}/v1/venues",
            content=body,
            headers={**self.auth("operator"), "Content-Type": "application/json"},
        )

    def new_show(self, client: httpx.Client, name: str, seats: int, price_cents: int) -> tuple[str, str]:
        """A venue ``name`` with one zone ``A`` of one row of ``seats`` and a show in it at
        ``price_cents``; (venue_id, show_id). Fails the test unless both are created."""
        venue_id = str(created(self.post_venue(client, name, seats))["venue_id"])
        return venue_id, str(created(self.post_show(client, venue_id, price_cents))["show_id"])

    def post_hold(self, client: httpx.Client, show_id: str, body: dict[str, Any]) -> httpx.Response:
        """The checkout role's POST of a hold of ``show_id`` (any body); the raw answer."""
        return client.post(
            f"{self.command_url}/v1/shows/{show_id}/holds", headers=self.auth("checkout"), json=body
        )

    def hold(self, client: httpx.Client, show_id: str, customer_id: str, *seat_ids: str) -> dict[str, Any]:
        """The checkout role's hold of ``seat_ids`` for ``customer_id`` (the answer's body); fails the
        test unless it is created."""
        return created(
            self.post_hold(client, show_id, {"customer_id": customer_id, "seat_ids": list(seat_ids)})
        )

    def post_order(self, client: httpx.Client, hold_id: Any, customer_id: Any) -> httpx.Response:
        """The checkout role's POST of an order of ``hold_id`` for ``customer_id`` (any values); the raw
        answer."""
        return client.post(
            f"{self.command_url}/v1/orders",
            headers=self.auth("checkout"),
            json={"hold_id": hold_id, "customer_id": customer_id},
        )

    def order(self, client: httpx.Client, hold_id: str, customer_id: str) -> dict[str, Any]:
        """The checkout role's order of ``hold_id`` for ``customer_id`` (the answer's body); fails the
        test unless it is created."""
        return created(self.post_order(client, hold_id, customer_id))


def created(response: httpx.Response) -> dict[str, Any]:
    """The body of a 201 answer; fails the test, with the answer, on any other."""
    assert response.status_code == 201, f"{response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One HTTP client for a test module's requests to both APIs."""
    with httpx.Client(timeout=30) as c:
        yield c


async def _register_projections(database_url: str) -> None:
    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        for name in PROJECTIONS:
            await ensure_live(conn, deployment(name))


@pytest.fixture(scope="session")
def security_database(database_url: str) -> Iterator[str]:
    """A migrated database of its own on the shared server, with the read views in place."""
    with private_database(database_url, "boxoffice_sec") as url:
        asyncio.run(_register_projections(url))
        yield url


@pytest.fixture(scope="session")
def apis(security_database: str) -> Iterator[Apis]:
    keys = {role: f"{role}-{secrets.token_hex(16)}" for role in ROLES}
    env = clean_environment(
        BOXOFFICE_DATABASE_URL=security_database,
        BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",  # no worker runs; nothing may need Kafka
        BOXOFFICE_API_KEYS=",".join(f"{role}:{key}" for role, key in keys.items()),
        BOXOFFICE_QUERY_MAX_WAIT_MS="300",  # bounded waits for tokens the read side never reaches
    )
    logs = Path(tempfile.mkdtemp(prefix="boxoffice-security-"))
    command_port, query_port = free_ports(2)
    urls = {"command-api": f"http://127.0.0.1:{command_port}", "query-api": f"http://127.0.0.1:{query_port}"}
    command, query = (
        ChildProcess(
            name,
            boxoffice_argv(name, "--port", str(port), "--log-level", "debug"),
            env,
            logs / f"{name}.log",
            cwd=REPO_ROOT,
        )
        for name, port in (("command-api", command_port), ("query-api", query_port))
    )
    try:
        for child in (command, query):
            child.start()
        for child in (command, query):
            child.wait_answering(f"{urls[child.name]}/healthz")
        yield Apis(urls["command-api"], urls["query-api"], security_database, keys, (command, query))
    finally:
        for child in (command, query):
            child.stop()
        shutil.rmtree(logs, ignore_errors=True)
