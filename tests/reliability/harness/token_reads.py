"""Reads behind consistency tokens during a load: each accepted command's write, read back.

A :class:`ReadingLoad` is the mixed load of :mod:`load` whose customers read
the seat map of the show they just changed, with the command's token, from the
query APIs in turn (one on the primary, one on the replica). Each read is
judged on its own:

- ``exact``: 200 with the seat map at or past the token's seq; when the map is
  exactly at the token's seq (no later command of that show folded in), the
  command's seats have the status the command left them in;
- ``behind``: 503 ``projection_behind`` with ``Retry-After`` (allowed: the
  read model, or the replica, has not applied the write within ``wait_ms``);
- ``unavailable``: any other 503 with ``Retry-After``, or no answer (the
  query API's database is down);
- ``stale``: 200 with a seat map older than the token, or with the command's
  seats in another status: never allowed.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import httpx

from contracts import ConsistencyToken
from tests.reliability.harness.load import Accepted, Load

# The status a command leaves its seats in, seen by a read at exactly its seq.
STATUS_AFTER = {
    "hold": "held",
    "order": "held",
    "payment": "sold",
    "release": "available",
    "cancel": "available",
}
WAIT_MS = 2000


@dataclass
class TokenReads:
    """Outcomes of the token reads, per query API."""

    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (query API, outcome)
    behind_at: list[float] = field(default_factory=list)  # when each "behind" answer came (epoch s)
    stale: list[str] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)  # error codes of 503s

    def behind_between(self, start: float, end: float) -> int:
        return sum(1 for at in self.behind_at if start <= at <= end)

    def figures(self) -> dict[str, Any]:
        by_api: dict[str, dict[str, int]] = {}
        for (api, outcome), n in sorted(self.outcomes.items()):
            by_api.setdefault(api, {})[outcome] = n
        return {"by_query_api": by_api, "503_codes": dict(self.codes), "stale": len(self.stale)}


def judge(accepted: Accepted, status: int, body: dict[str, Any]) -> str:
    """``exact``, ``behind``, ``unavailable`` or ``stale`` for one answer (see the module docstring)."""
    token = ConsistencyToken.decode(accepted.token)
    if status == 503:
        return "behind" if body.get("error", {}).get("code") == "projection_behind" else "unavailable"
    if status != 200:
        return f"http_{status}"
    if int(body["seq"]) < token.seq:
        return "stale"
    if int(body["seq"]) == token.seq:
        statuses = {s["seat_id"]: s["status"] for s in body["seats"]}
        seats = accepted.detail.get("seat_ids")
        if seats is not None and any(statuses.get(s) != STATUS_AFTER[accepted.kind] for s in seats):
            return "stale"
    return "exact"


class ReadingLoad(Load):
    """The mixed load, plus one read with the token after every accepted command that names seats."""

    def __init__(self, api_urls: list[str], keys: dict[str, str], query_urls: list[str]) -> None:
        super().__init__(api_urls, keys)
        self.readers = [httpx.AsyncClient(base_url=url, timeout=10) for url in query_urls]
        self.reads = TokenReads()
        self._turn = 0
        self._pending: set[asyncio.Task[None]] = set()
        self._seats: dict[str, list[str]] = {}  # hold or order id -> its seats

    async def close(self) -> None:
        await self.drain()
        for client in self.readers:
            await client.aclose()
        await super().close()

    async def drain(self) -> None:
        """Wait for the reads still in flight."""
        while self._pending:
            await asyncio.gather(*list(self._pending))

    def _accept(
        self, kind: str, response: httpx.Response, show_id: str, entity_id: str, **detail: Any
    ) -> None:
        super()._accept(kind, response, show_id, entity_id, **detail)
        if kind in ("hold", "order"):
            self._seats[entity_id] = list(detail["seat_ids"])
        seats = self._seats.get(entity_id)
        if not self.readers or seats is None:
            return
        accepted = self.ledger.accepted[-1]
        accepted = replace(accepted, detail={**accepted.detail, "seat_ids": seats})
        reader = self.readers[self._turn % len(self.readers)]
        self._turn += 1
        task = asyncio.get_running_loop().create_task(self._read(reader, accepted))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _read(self, reader: httpx.AsyncClient, accepted: Accepted) -> None:
        api = str(reader.base_url).rstrip("/")
        params: dict[str, str | int] = {"consistency_token": accepted.token, "wait_ms": WAIT_MS}
        asked = datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]
        try:
            answer = await reader.get(f"/v1/shows/{accepted.show_id}/seats", params=params)
        except httpx.TransportError:
            self.reads.outcomes[(api, "unavailable")] += 1
            return
        body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
        outcome = judge(accepted, answer.status_code, body)
        if answer.status_code == 503:
            self.reads.codes[str(body.get("error", {}).get("code"))] += 1
            if not answer.headers.get("retry-after"):
                outcome = "503_without_retry_after"
        self.reads.outcomes[(api, outcome)] += 1
        if outcome == "behind":
            self.reads.behind_at.append(time.time())
        if outcome == "stale":
            at = datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]
            self.reads.stale.append(
                f"{at} {api} {accepted.kind} {accepted.token}: seq {body.get('seq')}, "
                f"ETag {answer.headers.get('etag')}, asked at {asked}"
            )
