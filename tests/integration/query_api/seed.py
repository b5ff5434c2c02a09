"""Private read views for the query API tests, filled by the projections' own write path.

Each test gets a views schema of its own (``read_schema``) holding the
projections' real views over real version schemas: both versions are created
by the version registry (``create_version``: runtime tables, read tables,
grants, views, a row in ``projection_meta.versions`` under a unique registry
name). The seed then writes events as the command side would publish them,
and each projection applies them through the projector's own ``BatchWriter``
(fold, set-based SQL, watermarks, checkpoints, NOTIFY), so the rows the query
API reads cannot drift from what the projections write.

The seed models one partition of a topic that is never published: every
event is appended to a log at the next offset, and each projection applies
the log up to its end whenever it is named in ``to`` (all of them by default),
so one projection can be left behind the other and catch up later.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import AsyncConnection, sql

from contracts import encode_event, events, new_envelope, partition_key
from contracts.envelope import Envelope
from infra.db import libpq_dsn
from projections.catalog import PROJECTIONS
from projections.runtime import versions
from projections.runtime.batch import BatchWriter
from projections.runtime.decoding import Record, decode
from projections.runtime.projection import Deployment
from projections.runtime.sql import ident
from projections.runtime.triage import DeadLetter
from projections.runtime.versions import Version

ALL = ("seat_availability", "dashboard")
PARTITION = 0
# Zone A: rows 1 and 2 of 3 seats at 50.00; zone B: row 1 of 2 seats at 25.00.
Layout = dict[str, list[tuple[str, int]]]  # zone: (row, seats) in layout order
LAYOUT: Layout = {"A": [("1", 3), ("2", 3)], "B": [("1", 2)]}
PRICES = {"A": 5000, "B": 2500}
CAPACITY = sum(count for rows in LAYOUT.values() for _, count in rows)
VENUE = "Globe"
STARTS_AT = datetime(2031, 5, 1, 19, 30, tzinfo=UTC)


class _NoDeadLetters:
    """A seeded event that a projection refuses is a broken test, not a dead letter."""

    async def publish(self, version: Version, letters: list[DeadLetter]) -> None:
        raise AssertionError(f"{version.projection} refused seeded events: {[d.error for d in letters]}")


@dataclass
class _Show:
    seq: int = 0
    holds: dict[UUID, tuple[str, ...]] = field(default_factory=dict)
    orders: dict[UUID, tuple[events.OrderLine, ...]] = field(default_factory=dict)
    referrers: dict[UUID, str | None] = field(default_factory=dict)


@dataclass
class SeededSchema:
    """A private views schema over live versions of both projections, and the events applied to them."""

    url: str
    read_schema: str
    deployments: dict[str, Deployment] = field(default_factory=dict)
    live: dict[str, Version] = field(default_factory=dict)
    log: list[Envelope] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)  # per projection: log entries applied
    shows: dict[UUID, _Show] = field(default_factory=dict)

    def execute(self, query: str, params: tuple[object, ...] = ()) -> None:
        """Run ``query`` with ``{r}`` standing for the views schema (for what tests break on purpose)."""
        with psycopg.connect(libpq_dsn(self.url), autocommit=True) as conn:
            conn.execute(sql.SQL(query).format(r=sql.Identifier(self.read_schema)), params)

    def schema_of(self, projection: str) -> str:
        """The version schema of ``projection``'s live version."""
        return self.live[projection].schema_name

    def seq(self, show_id: UUID) -> int:
        """The seq of the show's last event: what a command's consistency token would name."""
        return self.shows[show_id].seq

    # --- events, as the command side publishes them -------------------------------------------

    async def add_show(
        self, title: str = "Hamlet", *, to: Iterable[str] = ALL, layout: Layout | None = None
    ) -> UUID:
        """events.ShowScheduled of a show of ``layout`` (default ``LAYOUT``; a zone not in ``PRICES`` at
        10.00), every seat available: seq 1 of its stream."""
        show_id = uuid4()
        self.shows[show_id] = _Show()
        zones = tuple(
            events.ZoneLayout(
                zone_id=zone,
                name=f"Zone {zone}",
                price_cents=PRICES.get(zone, 1000),
                rows=tuple(events.RowLayout(row=row, seats=count) for row, count in rows),
            )
            for zone, rows in (LAYOUT if layout is None else layout).items()
        )
        scheduled = events.ShowScheduled(
            show_id=show_id, venue_id=uuid4(), venue_name=VENUE, title=title, starts_at=STARTS_AT, zones=zones
        )
        await self.publish(show_id, scheduled, to=to)
        return show_id

    async def hold(self, show_id: UUID, *seat_ids: str, to: Iterable[str] = ALL) -> UUID:
        """events.SeatsHeld: ``seat_ids`` go from available to held."""
        hold_id = uuid4()
        self.shows[show_id].holds[hold_id] = seat_ids
        expires = datetime.now(UTC) + timedelta(minutes=10)
        held = events.SeatsHeld(hold_id=hold_id, customer_id="c1", seat_ids=seat_ids, expires_at=expires)
        await self.publish(show_id, held, to=to)
        return hold_id

    async def order(
        self, show_id: UUID, hold_id: UUID, *, referrer: str | None = None, to: Iterable[str] = ALL
    ) -> UUID:
        """events.OrderPlaced for the seats of a hold, at the zones' prices; the seats stay held."""
        show, order_id = self.shows[show_id], uuid4()
        lines = tuple(
            events.OrderLine(seat_id=seat, zone_id=seat.split("-")[0], price_cents=PRICES[seat.split("-")[0]])
            for seat in show.holds.pop(hold_id)
        )
        show.orders[order_id], show.referrers[order_id] = lines, referrer
        placed = events.OrderPlaced(
            order_id=order_id,
            hold_id=hold_id,
            customer_id="c1",
            referrer_id=referrer,
            lines=lines,
            total_cents=sum(line.price_cents for line in lines),
            pay_by=datetime.now(UTC) + timedelta(minutes=15),
        )
        await self.publish(show_id, placed, to=to)
        return order_id

    async def pay(
        self, show_id: UUID, order_id: UUID, *, paid_at: datetime | None = None, to: Iterable[str] = ALL
    ) -> None:
        """events.OrderPaid of the whole total: the order's seats go from held to sold."""
        show = self.shows[show_id]
        lines = show.orders[order_id]
        paid = events.OrderPaid(
            order_id=order_id,
            customer_id="c1",
            referrer_id=show.referrers[order_id],
            lines=lines,
            amount_cents=sum(line.price_cents for line in lines),
            paid_at=paid_at or datetime.now(UTC),
        )
        await self.publish(show_id, paid, to=to)

    async def sell(
        self,
        show_id: UUID,
        *seat_ids: str,
        referrer: str | None = None,
        paid_at: datetime | None = None,
        to: Iterable[str] = ALL,
    ) -> UUID:
        """Hold, order and pay ``seat_ids``: three events; returns the order id."""
        hold_id = await self.hold(show_id, *seat_ids, to=to)
        order_id = await self.order(show_id, hold_id, referrer=referrer, to=to)
        await self.pay(show_id, order_id, paid_at=paid_at, to=to)
        return order_id

    async def publish(
        self, show_id: UUID, payload: events.EventPayload, *, to: Iterable[str] = ALL
    ) -> Envelope:
        """Append the show's next event to the log, then bring the projections ``to`` up to its end."""
        show = self.shows[show_id]
        show.seq += 1
        envelope = new_envelope(payload, stream_id=show_id, seq=show.seq, correlation_id=uuid4())
        self.log.append(envelope)
        await self.catch_up(*to)
        return envelope

    # --- the projections' side ----------------------------------------------------------------

    async def catch_up(self, *projections: str, conn: AsyncConnection[Any] | None = None) -> None:
        """Each of ``projections`` applies the log from where it stopped to the end, in one batch
        (on ``conn``, an autocommit connection, when given; else on one of its own)."""
        if conn is None:
            async with await AsyncConnection.connect(libpq_dsn(self.url), autocommit=True) as own:
                await self.catch_up(*projections, conn=own)
            return
        for name in projections:
            await self._apply(conn, name, self.live[name], self.applied[name])
            self.applied[name] = len(self.log)

    async def _apply(self, conn: AsyncConnection[Any], name: str, version: Version, start: int) -> None:
        if start == len(self.log):
            return
        batch = [
            decode(
                Record(
                    PARTITION,
                    offset,
                    partition_key(envelope.stream_id),
                    encode_event(envelope),
                    int(envelope.occurred_at.timestamp() * 1000),
                )
            )
            for offset, envelope in enumerate(self.log[start:], start)
        ]
        writer = BatchWriter(self.deployments[name], version, _NoDeadLetters())
        result = await writer.commit(conn, batch, {PARTITION: start})
        counts = (result.applied, result.duplicates, result.parked, result.dead)
        assert counts == (len(batch), 0, 0, 0), f"{name} did not apply every seeded event: {result}"

    async def replay(self, projection: str) -> Version:
        """A new version of ``projection`` built from the whole log, then swapped in as a replay does."""
        deployment = self.deployments[projection]
        async with await AsyncConnection.connect(libpq_dsn(self.url), autocommit=True) as conn:
            async with conn.transaction():
                new = await versions.create_version(conn, deployment, "building")
                await _start_checkpoint(conn, new)
            await self._apply(conn, projection, new, 0)
            async with conn.transaction():
                await versions.swap(conn, deployment, self.live[projection], new)
        self.live[projection] = new
        self.applied[projection] = len(self.log)
        return new


async def _start_checkpoint(conn: AsyncConnection[Any], version: Version) -> None:
    """The partition's checkpoint at offset 0, as a projector creates it when assigned the partition."""
    await conn.execute(
        f"INSERT INTO {ident(version.schema_name)}.checkpoints (partition, next_offset) VALUES (%s, 0)",
        (PARTITION,),
    )


async def create_seeded_schema(url: str) -> SeededSchema:
    """Live version 1 of each projection, its views in a new private views schema, no events yet."""
    tag = uuid4().hex[:10]
    seeded = SeededSchema(url, f"qtest_read_{tag}")
    async with await AsyncConnection.connect(libpq_dsn(url), autocommit=True) as conn:
        for name in ALL:
            deployment = Deployment(
                PROJECTIONS[name], f"{name}_q{tag}", f"qtest.unpublished.{tag}", seeded.read_schema
            )
            async with conn.transaction():
                version = await versions.create_version(conn, deployment, "live")
                await _start_checkpoint(conn, version)
            seeded.deployments[name], seeded.live[name], seeded.applied[name] = deployment, version, 0
    return seeded


def drop_seeded_schema(seeded: SeededSchema) -> None:
    """Drop only the test's own schemas (views, every version, any ``<views schema>_*``) and registry rows."""
    names = [d.registry_name for d in seeded.deployments.values()]
    patterns = [f"{seeded.read_schema}\\_%", *(f"proj\\_{name}\\_v%" for name in names)]
    with psycopg.connect(libpq_dsn(seeded.url), autocommit=True) as conn:
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = %s OR nspname LIKE ANY(%s)",
            (seeded.read_schema, patterns),
        ).fetchall()
        for (schema,) in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute("DELETE FROM projection_meta.versions WHERE projection = ANY(%s)", (names,))
