"""Accepted commands whose effects are missing: the ``lost`` figure of a run.

A command that got a 2xx has four effects, each of which must be found once
the run has settled:

- its state in the write model (the hold or order row, in the state the command left it);
- its event in the outbox, under the show and seq of its consistency token;
- that event, byte for byte, in the topic;
- that event folded into every read model: the projection's watermark for the show at or past the seq.

``observe`` collects what was found (I/O); ``lost_effects`` (pure) names every
accepted command with an effect not found and where it is missing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson

from contracts import ConsistencyToken
from projections.runtime.projection import Deployment
from projections.runtime.sql import ident
from tests.reliability.harness.checks_write import EVENT_OF, event_key
from tests.reliability.harness.load import Accepted
from tests.support.database import query

Key = tuple[UUID, int]  # (show id, seq): one event of one show's stream


@dataclass(frozen=True, slots=True)
class Found:
    """What a settled run holds, keyed so that each accepted command's effects can be looked up."""

    holds: Mapping[str, str] = field(default_factory=dict)  # hold id -> status
    orders: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)  # order id -> status, ref
    outbox: Mapping[Key, tuple[str, str]] = field(default_factory=dict)  # -> event type, hold/order id
    topic: frozenset[Key] = frozenset()  # outbox events found in the topic with the outbox's bytes
    watermarks: Mapping[str, Mapping[UUID, int]] = field(default_factory=dict)  # projection -> show -> seq


@dataclass(frozen=True, slots=True)
class Loss:
    """An accepted command and the places where its effect is missing."""

    accepted: Accepted
    missing: tuple[str, ...]

    def __str__(self) -> str:
        a = self.accepted
        return f"{a.kind} {a.entity_id} ({a.token}) missing from {', '.join(self.missing)}"


def _event_key(a: Accepted) -> Key:
    token = ConsistencyToken.decode(a.token)
    assert token.show_id is not None, f"accepted {a.kind} {a.entity_id} has a token of no show"
    return token.show_id, token.seq


def _in_write_model(a: Accepted, found: Found) -> bool:
    if a.kind == "hold":
        return a.entity_id in found.holds
    if a.kind == "release":
        return found.holds.get(a.entity_id) == "released"
    order = found.orders.get(a.entity_id)
    if a.kind == "order":
        return order is not None
    if a.kind == "payment":
        return order is not None and order[1] == a.detail["payment_ref"]
    if a.kind == "cancel":
        return order is not None and order[0] == "cancelled"
    raise ValueError(f"unknown kind of command: {a.kind}")


def lost_effects(accepted: Iterable[Accepted], found: Found) -> list[Loss]:
    """Every accepted command with an effect that ``found`` does not hold, in ledger order."""
    losses = []
    for a in accepted:
        key = _event_key(a)
        missing = []
        if not _in_write_model(a, found):
            missing.append("write_model")
        if found.outbox.get(key) != (EVENT_OF[a.kind], a.entity_id):
            missing.append("outbox")
        if key not in found.topic:
            missing.append("topic")
        for projection, marks in sorted(found.watermarks.items()):
            if marks.get(key[0], 0) < key[1]:
                missing.append(projection)
        if missing:
            losses.append(Loss(a, tuple(missing)))
    return losses


def describe(losses: list[Loss], shown: int = 10) -> str:
    more = f" (and {len(losses) - shown} more)" if len(losses) > shown else ""
    return f"{len(losses)} accepted commands lost: " + "; ".join(map(str, losses[:shown])) + more


def _watermark_view(deployment: Deployment) -> str:
    return next(v for v in deployment.projection.views("x") if v.endswith("_watermarks"))


def observe(
    database_url: str, accepted: list[Accepted], records: Iterable[Any], deployments: Mapping[str, Deployment]
) -> Found:
    """What the write model, the outbox, the topic ``records`` and each read model hold for ``accepted``."""
    holds = [UUID(a.entity_id) for a in accepted if a.kind in ("hold", "release")]
    orders = [UUID(a.entity_id) for a in accepted if a.kind not in ("hold", "release")]
    keys = [_event_key(a) for a in accepted]
    shows = sorted({show for show, _ in keys})
    outbox = {
        (r[0], int(r[1])): (r[2], bytes(r[3]))
        for r in query(
            database_url,
            "SELECT o.show_id, o.seq, o.event_type, o.body FROM write_model.outbox o"
            " JOIN unnest(%s::uuid[], %s::bigint[]) AS w(show_id, seq) USING (show_id, seq)",
            ([k[0] for k in keys], [k[1] for k in keys]),
        )
    }
    topic = set()
    for record in records:
        key = event_key(record.value)
        if key is None:
            continue  # poison: not an event of any command
        if key in outbox and outbox[key][1] == record.value:
            topic.add(key)
    return Found(
        holds={
            str(r[0]): r[1]
            for r in query(
                database_url,
                "SELECT hold_id, status FROM write_model.holds WHERE hold_id = ANY(%s)",
                (holds,),
            )
        },
        orders={
            str(r[0]): (r[1], r[2])
            for r in query(
                database_url,
                "SELECT order_id, status, payment_ref FROM write_model.orders WHERE order_id = ANY(%s)",
                (orders,),
            )
        },
        outbox={key: (event_type, _entity_of(body)) for key, (event_type, body) in outbox.items()},
        topic=frozenset(topic),
        watermarks={
            name: {
                r[0]: int(r[1])
                for r in query(
                    database_url,
                    f"SELECT show_id, seq FROM {ident(d.views_schema)}.{ident(_watermark_view(d))}"
                    " WHERE show_id = ANY(%s)",
                    (shows,),
                )
            }
            for name, d in deployments.items()
        },
    )


def _entity_of(body: bytes) -> str:
    """The hold or order an outbox event is about (an order's id when it names both)."""
    payload = orjson.loads(body)["payload"]
    return str(payload.get("order_id") or payload.get("hold_id"))
