"""What the read side says while the on-sale runs: projection lag and the dashboard totals.

Polled about once a second by one task; a failed poll keeps the last good
figures and records the error, so the display never blanks out.
"""

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from cli.demo.api import BoxofficeClient

POLL_SECONDS = 1.0
_NAME_KEYS = ("projection", "name")
_VERSION_KEYS = ("active_version", "version")
_LAG_KEYS = ("lag", "lag_events", "lag_messages")
_DLQ_KEYS = ("dlq_count", "dlq", "dead_letters")


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in item:
            return item[key]
    return None


@dataclass(frozen=True, slots=True)
class ProjectionRow:
    name: str
    version: str
    state: str
    lag: str
    dlq: str


def projection_rows(body: dict[str, Any]) -> list[ProjectionRow]:
    """Rows from ``GET /v1/projections``, a list or ``{"projections": [...]}``, whatever the exact keys."""
    items = body.get("projections", body.get("items", []))
    rows = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        lag = _first(item, _LAG_KEYS)
        if isinstance(lag, dict):  # per-partition or {events, seconds}: show the total
            lag = sum(v for v in lag.values() if isinstance(v, int | float))
        rows.append(
            ProjectionRow(
                name=str(_first(item, _NAME_KEYS) or "?"),
                version=str(_first(item, _VERSION_KEYS) or "-"),
                state=str(item.get("state", "-")),
                lag="-" if lag is None else f"{lag:,}" if isinstance(lag, int) else str(lag),
                dlq=str(_first(item, _DLQ_KEYS) or 0),
            )
        )
    return rows


@dataclass
class ReadSnapshot:
    """The read side's latest figures; ``show_ids`` limits ``shows_*`` to this run's shows."""

    show_ids: frozenset[str] = frozenset()
    projections: list[ProjectionRow] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    shows_sold: int | None = None
    shows_held: int | None = None
    shows_revenue_cents: int | None = None
    # Stream position (seq) the seat-availability read model has applied, per show of this run.
    read_seq: dict[str, int] = field(default_factory=dict)
    updated_at: float | None = None
    error: str | None = None

    def take_dashboard(self, body: dict[str, Any], now: float) -> None:
        self.totals = body["totals"]
        ours = [s for s in body.get("by_show", []) if str(s.get("show_id")) in self.show_ids]
        self.shows_sold = sum(int(s.get("sold", 0)) for s in ours)
        self.shows_held = sum(int(s.get("held", 0)) for s in ours)
        self.shows_revenue_cents = sum(int(s.get("revenue_cents", 0)) for s in ours)
        self.updated_at = now

    def events_behind(self, accepted_seq: dict[str, int]) -> int | None:
        """Events the command side accepted for this run's shows that the seat map does not show yet."""
        if not self.read_seq:
            return None
        return sum(max(0, seq - self.read_seq.get(show, 0)) for show, seq in accepted_seq.items())

    @property
    def caught_up(self) -> bool:
        """Every projection reports no lag (unknown lag counts as caught up: nothing to wait for)."""
        return all(row.lag in {"0", "-"} for row in self.projections)


async def refresh(client: BoxofficeClient, snapshot: ReadSnapshot) -> None:
    """One poll of ``/v1/projections`` and ``/v1/dashboard``; keeps the last good figures on failure."""
    show_ids = sorted(snapshot.show_ids)
    projections, dashboard, *availability = await asyncio.gather(
        client.projections(), client.dashboard(), *(client.availability(show) for show in show_ids)
    )
    for show, reply in zip(show_ids, availability, strict=True):
        if reply.ok and isinstance(reply.body.get("seq"), int):
            snapshot.read_seq[show] = reply.body["seq"]
    problems = []
    if projections.ok:
        snapshot.projections = projection_rows(projections.body)
    else:
        problems.append(f"/v1/projections: {projections.status or 'no answer'}")
    if dashboard.ok and isinstance(dashboard.body.get("totals"), dict):
        snapshot.take_dashboard(dashboard.body, time.monotonic())
    else:
        problems.append(f"/v1/dashboard: {dashboard.status or 'no answer'}")
    snapshot.error = "; ".join(problems) or None


async def poll_read_side(client: BoxofficeClient, snapshot: ReadSnapshot, stop: asyncio.Event) -> None:
    """Refresh ``snapshot`` every second until ``stop`` is set."""
    while not stop.is_set():
        await refresh(client, snapshot)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), POLL_SECONDS)


async def settle(
    client: BoxofficeClient, snapshot: ReadSnapshot, within: float, tickets_sold: int, revenue_cents: int
) -> bool:
    """After the load stops, poll until the read model shows what the command API accepted.

    True once every projection reports no lag and this run's shows add up to
    ``tickets_sold`` and ``revenue_cents``; False if that has not happened ``within`` seconds.
    """
    deadline = time.monotonic() + within
    while True:
        await refresh(client, snapshot)
        matches = (snapshot.shows_sold, snapshot.shows_revenue_cents) == (tickets_sold, revenue_cents)
        if matches and snapshot.caught_up and snapshot.error is None:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(POLL_SECONDS / 2)
