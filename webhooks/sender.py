"""One POST of one delivery: signed, to a checked address, bounded in time and in what is read.

The destination is checked again here (the name may resolve elsewhere than at
registration) and the request goes to the checked address, the name kept in the
Host header and for TLS, so a name cannot be re-pointed between check and
connect. Redirects are not followed (a 3xx is a failure); at most
``max_response_bytes`` of the answer are read, into the delivery's last error.
"""

import asyncio
from dataclasses import dataclass

import httpx

from infra.http.destinations import DestinationRefusedError, check_destination
from webhooks.signing import sign
from webhooks.store import Delivery

USER_AGENT = "boxoffice-webhooks/1"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one try got: the HTTP status if any answer came, and what went wrong if it failed."""

    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def delivery_headers(delivery: Delivery) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Boxoffice-Event-Id": str(delivery.event_id),
        "X-Boxoffice-Event-Type": delivery.event_type,
        "X-Boxoffice-Delivery-Attempt": str(delivery.attempt),
        "X-Boxoffice-Signature": sign(delivery.secret, delivery.body),
    }


class WebhookSender:
    """Posts deliveries with one shared connection pool."""

    def __init__(self, *, timeout_seconds: float, max_response_bytes: int, allow_private: bool) -> None:
        self.timeout_seconds, self.max_response_bytes = timeout_seconds, max_response_bytes
        self.allow_private = allow_private
        self.client = httpx.AsyncClient(
            follow_redirects=False, timeout=timeout_seconds, trust_env=False, verify=True
        )

    async def send(self, delivery: Delivery) -> Outcome:
        """Make one try; never raises for the receiver's or the network's failures."""
        try:
            async with asyncio.timeout(self.timeout_seconds):
                return await self._post(delivery)
        except DestinationRefusedError as exc:
            return Outcome(None, f"{exc.code}: {exc}")
        except TimeoutError:
            return Outcome(None, f"timed out after {self.timeout_seconds} s")
        except httpx.HTTPError as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])

    async def _post(self, delivery: Delivery) -> Outcome:
        destination = await check_destination(delivery.url, allow_private=self.allow_private)
        headers = delivery_headers(delivery) | {"Host": destination.host_header()}
        request = self.client.build_request(
            "POST",
            destination.pinned_url(),
            content=delivery.body,
            headers=headers,
            extensions={"sni_hostname": destination.host},
        )
        response = await self.client.send(request, stream=True)
        try:
            head = await self._read_some(response)
        finally:
            await response.aclose()
        if 200 <= response.status_code < 300:
            return Outcome(response.status_code, None)
        detail = head.decode("utf-8", "replace").strip()
        return Outcome(
            response.status_code, f"HTTP {response.status_code}" + (f": {detail}" if detail else "")
        )

    async def _read_some(self, response: httpx.Response) -> bytes:
        """At most ``max_response_bytes`` of the body; the rest is never read."""
        head = b""
        if self.max_response_bytes == 0:
            return head
        async for chunk in response.aiter_raw():
            head += chunk
            if len(head) >= self.max_response_bytes:
                break
        return head[: self.max_response_bytes]

    async def aclose(self) -> None:
        await self.client.aclose()
