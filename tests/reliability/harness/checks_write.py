"""Checks of the write side after a run: accepted commands, oversell, the outbox and the topic.

Guarantees checked: every command that got a 2xx is in the write model and
its event (named by its consistency token) is in the outbox and the topic; no
seat is claimed twice; the outbox has nothing left to relay; per show the
topic holds the outbox's exact bytes in seq order with no gap (re-sent copies
after a relay crash are allowed, and counted, when byte-identical).
"""

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from contracts import EVENTS_TOPIC, partition_key
from projections.testing import harness
from tests.reliability.harness.load import Accepted, Ledger
from tests.support.database import query

EVENT_OF = {
    "hold": "SeatsHeld",
    "release": "HoldReleased",
    "order": "OrderPlaced",
    "payment": "OrderPaid",
    "cancel": "OrderCancelled",
}
Offset = tuple[int, int]  # (partition, offset)


async def wait_for(predicate: Any, what: str, within_s: float = 90.0, every_s: float = 0.3) -> None:
    """Poll ``predicate()`` (sync) until true; fail naming ``what`` after ``within_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within_s:.0f}s waiting for {what}")
        await asyncio.sleep(every_s)


def outbox_backlog(database_url: str) -> int:
    return int(
        query(database_url, "SELECT count(*) FROM write_model.outbox WHERE published_at IS NULL")[0][0]
    )


def nothing_due(database_url: str, shows: Iterable[str]) -> bool:
    """No pending order and no hold lapsing within a minute on these shows: nothing left to expire."""
    rows = query(
        database_url,
        "SELECT (SELECT count(*) FROM write_model.orders WHERE status = 'pending' AND show_id = ANY(%(s)s))"
        " + (SELECT count(*) FROM write_model.holds WHERE status = 'live' AND show_id = ANY(%(s)s)"
        "    AND expires_at < now() + interval '60 seconds')",
        {"s": [UUID(s) for s in shows]},
    )
    return int(rows[0][0]) == 0


def check_accepted_in_write_model(database_url: str, ledger: Ledger) -> None:
    """Every 2xx command left its state in the write model and its event under its token."""
    by_kind: dict[str, list[Accepted]] = defaultdict(list)
    for a in ledger.accepted:
        by_kind[a.kind].append(a)
    holds = {
        str(r[0]): r
        for r in query(
            database_url,
            "SELECT hold_id, show_id, seat_ids, status FROM write_model.holds WHERE hold_id = ANY(%s)",
            ([UUID(a.entity_id) for a in by_kind["hold"]],),
        )
    }
    orders = {
        str(r[0]): r
        for r in query(
            database_url,
            "SELECT order_id, hold_id, total_cents, status,"
            " payment_ref, paid_at FROM write_model.orders WHERE order_id = ANY(%s)",
            ([UUID(a.entity_id) for a in by_kind["order"]],),
        )
    }
    for a in by_kind["hold"]:
        assert a.entity_id in holds, f"accepted hold {a.entity_id} is not in the write model"
        assert str(holds[a.entity_id][1]) == a.show_id
        assert sorted(holds[a.entity_id][2]) == sorted(a.detail["seat_ids"])
    for a in by_kind["release"]:
        assert holds[a.entity_id][3] == "released", f"released hold {a.entity_id} is {holds[a.entity_id][3]}"
    for a in by_kind["order"]:
        assert a.entity_id in orders, f"accepted order {a.entity_id} is not in the write model"
        assert (str(orders[a.entity_id][1]), orders[a.entity_id][2]) == (
            a.detail["hold_id"],
            a.detail["total_cents"],
        )
        assert holds[a.detail["hold_id"]][3] == "ordered"
    for a in by_kind["payment"]:
        row = orders[a.entity_id]
        assert row[4] == a.detail["payment_ref"], f"paid order {a.entity_id}: {row}"
        assert row[5] is not None, f"paid order {a.entity_id}: {row}"
    for a in by_kind["cancel"]:
        assert orders[a.entity_id][3] == "cancelled", (
            f"cancelled order {a.entity_id} is {orders[a.entity_id][3]}"
        )
    check_tokens(database_url, ledger.accepted)


def check_tokens(database_url: str, accepted: list[Accepted]) -> None:
    """Each accepted command's token names the outbox event that records it."""
    wanted = [(UUID(a.token.split(".")[1]), int(a.token.split(".")[2])) for a in accepted]
    rows = query(
        database_url,
        "SELECT o.show_id, o.seq, o.event_type, o.body FROM write_model.outbox o"
        " JOIN unnest(%s::uuid[], %s::bigint[]) AS w(show_id, seq) USING (show_id, seq)",
        ([w[0] for w in wanted], [w[1] for w in wanted]),
    )
    found = {(r[0], r[1]): (r[2], orjson.loads(r[3])["payload"]) for r in rows}
    for a, key in zip(accepted, wanted, strict=True):
        assert key in found, f"the event of accepted {a.kind} {a.entity_id} ({a.token}) is not in the outbox"
        event_type, payload = found[key]
        assert event_type == EVENT_OF[a.kind], f"{a.token} is a {event_type}, not the {a.kind}'s event"
        field = "hold_id" if a.kind in ("hold", "release") else "order_id"
        assert payload[field] == a.entity_id


def check_no_oversell(database_url: str) -> int:
    """No seat of a show is in two live claims (live holds, pending or paid orders); returns sold seats."""
    twice = query(
        database_url,
        "WITH claims AS ("
        " SELECT h.show_id, unnest(h.seat_ids) AS seat FROM write_model.holds h WHERE h.status = 'live'"
        " UNION ALL"
        " SELECT h.show_id, unnest(h.seat_ids) FROM write_model.orders o"
        "  JOIN write_model.holds h USING (hold_id) WHERE o.status IN ('pending', 'paid'))"
        " SELECT show_id, seat, count(*) FROM claims GROUP BY 1, 2 HAVING count(*) > 1",
    )
    assert not twice, f"seats claimed twice: {twice[:10]}"
    mismatched = query(
        database_url,
        "SELECT i.show_id, i.seat_id, i.status FROM write_model.seat_inventory i"
        " LEFT JOIN write_model.orders o ON o.order_id = i.order_id"
        " WHERE (i.status = 'sold') <> coalesce(o.status = 'paid', false)",
    )
    assert not mismatched, f"sold seats without a paid order (or the reverse): {mismatched[:10]}"
    return int(
        query(database_url, "SELECT count(*) FROM write_model.seat_inventory WHERE status = 'sold'")[0][0]
    )


def event_key(value: bytes) -> tuple[UUID, int] | None:
    """The (show, seq) a record's value names as an event envelope; None for anything else (poison)."""
    try:
        document = orjson.loads(value)
        return UUID(document["stream_id"]), int(document["seq"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


async def read_topic(bootstrap: str, topic: str = EVENTS_TOPIC) -> list[Any]:
    """Every record of ``topic`` (the events topic by default) up to its current end, in offset order per
    partition (``projections.testing.harness.read_topic``)."""
    return await harness.read_topic(bootstrap, topic)


@dataclass(frozen=True, slots=True)
class TopicFacts:
    records: int
    events: int
    duplicates: int
    foreign: list[Offset]  # records that are not outbox events (injected poison)


def check_topic_matches_outbox(database_url: str, records: list[Any]) -> TopicFacts:
    """The topic holds exactly the outbox, per show in seq order without gaps, in one partition per show."""
    outbox = {
        (r[0], r[1]): bytes(r[2])
        for r in query(database_url, "SELECT show_id, seq, body FROM write_model.outbox")
    }
    seen: dict[UUID, int] = {}
    partition_of: dict[UUID, int] = {}
    duplicates, foreign = 0, []
    for record in records:
        key = event_key(record.value)
        if key is None:
            foreign.append((record.partition, record.offset))
            continue
        if key not in outbox or outbox[key] != record.value:
            foreign.append((record.partition, record.offset))
            continue
        show, seq = key
        assert record.key == partition_key(show), f"{key} published with key {record.key!r}"
        assert partition_of.setdefault(show, record.partition) == record.partition, f"show {show} split"
        last = seen.get(show, 0)
        if seq <= last:
            duplicates += 1  # a re-send of an event already there: identical bytes, dropped by seq
            continue
        assert seq == last + 1, f"show {show}: seq {seq} follows {last} in partition {record.partition}"
        seen[show] = seq
    last_seq: dict[UUID, int] = defaultdict(int)
    for show, seq in outbox:
        last_seq[show] = max(last_seq[show], seq)
    missing = {s: (seen.get(s, 0), n) for s, n in last_seq.items() if seen.get(s, 0) != n}
    assert not missing, f"shows whose events did not all reach the topic (published, stored): {missing}"
    return TopicFacts(len(records), len(outbox), duplicates, foreign)


def check_logs_clean(logs: str, secrets: Iterable[str]) -> int:
    """No API key or payment reference appears in any process log; returns how many were looked for."""
    looked = 0
    for secret in secrets:
        looked += 1
        assert secret not in logs, f"a secret ({secret[:10]}...) appears in a process log"
    return looked
