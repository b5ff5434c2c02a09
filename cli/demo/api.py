"""A thin HTTP client of the command and query APIs, as a checkout front end uses them.

Every call returns a :class:`Reply` instead of raising: a 4xx/5xx or a broken
connection is an outcome the simulator counts, never a crash. Every POST sends
an ``Idempotency-Key``; a call that failed in transport is retried with the
same key, so a command that did commit before the connection broke takes
effect once (the command API's idempotency guarantee).
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from cli.demo.ratelimit import TokenBucket
from cli.demo.stats import DemoStats

TRANSPORT_RETRIES = 2


@dataclass(frozen=True, slots=True)
class Endpoints:
    command_url: str
    query_url: str
    operator_key: str
    checkout_key: str
    viewer_key: str


@dataclass(frozen=True, slots=True)
class Reply:
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    @property
    def error_code(self) -> str | None:
        error = self.body.get("error")
        return str(error.get("code")) if isinstance(error, dict) else None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"items": body}


class BoxofficeClient:
    """Commands and reads over one pooled HTTP client.

    Each command (not the reads) is recorded in ``stats``; every request, reads
    included, first takes a token from ``limiter`` so ``--rate`` caps the load.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoints: Endpoints,
        stats: DemoStats | None = None,
        clock: Callable[[], float] = time.monotonic,
        limiter: TokenBucket | None = None,
    ) -> None:
        self._http = http
        self._limiter = limiter
        self.endpoints = endpoints
        self._stats = stats
        self._clock = clock

    async def _call(
        self,
        kind: str | None,
        method: str,
        url: str,
        key: str,
        *,
        body: Any = None,
        customer: str | None = None,
    ) -> Reply:
        headers = {"Authorization": f"Bearer {key}"}
        if customer is not None:
            headers["X-Customer-Id"] = customer
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        started = self._clock()
        reply = Reply(None, {})
        for _ in range(1 + TRANSPORT_RETRIES):
            if self._limiter is not None:
                await self._limiter.acquire()
            try:
                response = await self._http.request(method, url, json=body, headers=headers)
            except httpx.TransportError as exc:
                reply = Reply(
                    None, {"error": {"code": "transport", "message": str(exc) or type(exc).__name__}}
                )
                continue
            reply = Reply(response.status_code, _json_object(response))
            break
        if kind is not None and self._stats is not None:
            now = self._clock()
            self._stats.record(kind, reply.status, now, now - started)
            if reply.ok:
                self._stats.saw_token(reply.body.get("consistency_token"))
        return reply

    def _command(self, path: str) -> str:
        return f"{self.endpoints.command_url}{path}"

    def _query(self, path: str) -> str:
        return f"{self.endpoints.query_url}{path}"

    # -- operator set-up -------------------------------------------------------------
    async def create_venue(self, body: dict[str, Any]) -> Reply:
        return await self._call(
            None, "POST", self._command("/v1/venues"), self.endpoints.operator_key, body=body
        )

    async def create_show(self, body: dict[str, Any]) -> Reply:
        return await self._call(
            None, "POST", self._command("/v1/shows"), self.endpoints.operator_key, body=body
        )

    # -- checkout ----------------------------------------------------------------------
    async def hold(self, show_id: str, customer_id: str, selection: dict[str, Any]) -> Reply:
        """``selection`` is ``{"seat_ids": [...]}`` or ``{"zone_id", "quantity"}``, maybe ``ttl_seconds``."""
        body = {"customer_id": customer_id, **selection}
        url = self._command(f"/v1/shows/{show_id}/holds")
        return await self._call(
            "hold", "POST", url, self.endpoints.checkout_key, body=body, customer=customer_id
        )

    async def release(self, hold_id: str, customer_id: str) -> Reply:
        url = self._command(f"/v1/holds/{hold_id}")
        return await self._call("release", "DELETE", url, self.endpoints.checkout_key, customer=customer_id)

    async def place_order(self, hold_id: str, customer_id: str, referrer_id: str | None) -> Reply:
        body: dict[str, Any] = {"hold_id": hold_id, "customer_id": customer_id}
        if referrer_id is not None:
            body["referrer_id"] = referrer_id
        url = self._command("/v1/orders")
        return await self._call(
            "order", "POST", url, self.endpoints.checkout_key, body=body, customer=customer_id
        )

    async def pay(self, order_id: str, customer_id: str, amount_cents: int) -> Reply:
        body = {"payment_ref": f"demo-{uuid.uuid4().hex[:16]}", "amount_cents": amount_cents}
        url = self._command(f"/v1/orders/{order_id}/payment")
        return await self._call(
            "pay", "POST", url, self.endpoints.checkout_key, body=body, customer=customer_id
        )

    async def cancel(self, order_id: str, customer_id: str, reason: str) -> Reply:
        url = self._command(f"/v1/orders/{order_id}/cancel")
        return await self._call(
            "cancel", "POST", url, self.endpoints.checkout_key, body={"reason": reason}, customer=customer_id
        )

    # -- reads -----------------------------------------------------------------------
    async def seat_map(self, show_id: str, zone_id: str | None = None) -> Reply:
        params = f"?zone_id={zone_id}" if zone_id else ""
        url = self._query(f"/v1/shows/{show_id}/seats{params}")
        return await self._call(None, "GET", url, self.endpoints.viewer_key)

    async def availability(self, show_id: str) -> Reply:
        url = self._query(f"/v1/shows/{show_id}/availability")
        return await self._call(None, "GET", url, self.endpoints.viewer_key)

    async def shows(self) -> Reply:
        return await self._call(None, "GET", self._query("/v1/shows"), self.endpoints.viewer_key)

    async def dashboard(self) -> Reply:
        return await self._call(None, "GET", self._query("/v1/dashboard"), self.endpoints.viewer_key)

    async def projections(self) -> Reply:
        return await self._call(None, "GET", self._query("/v1/projections"), self.endpoints.operator_key)
