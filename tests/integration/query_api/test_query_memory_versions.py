"""Reads served from in-memory versions under concurrent writes, a lost LISTEN connection and a swap.

The writer applies events through the projections' own write path (seed.py:
BatchWriter, NOTIFY) and, after each of its commits, re-reads what the
database holds: the rows of every resource and the watermarks, keyed by the
ETag that version has. Many clients read meanwhile, with and without tokens,
some revalidating. Afterwards every answer is checked against the database's
rows for its ETag, every token against the answer's version, and each
client's answers against its previous ones (never backwards).
"""

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg import sql

from contracts import ConsistencyToken
from infra.db import libpq_dsn
from query_api.consistency.tracker import live_label
from query_api.http.caching import etag_for
from tests.integration.query_api.conftest import ClientFactory, Settle, settled
from tests.integration.query_api.seed import LAYOUT, SeededSchema

pytestmark = pytest.mark.integration

VIEWER = {"Authorization": "Bearer test-viewer-key"}
SEATS = [
    f"{zone}-{row}-{n}" for zone, rows in LAYOUT.items() for row, count in rows for n in range(1, count + 1)
]


@dataclass
class Truth:
    """What the database held at each version the writer committed, by the ETag of that version."""

    bodies: dict[str, Any] = field(default_factory=dict)  # etag -> the rows a body must show
    show_seq: dict[str, tuple[UUID, int]] = field(default_factory=dict)  # etag -> (show, seq)
    marks: dict[str, dict[UUID, int]] = field(default_factory=dict)  # etag -> watermarks (all-show)
    committed: dict[UUID, int] = field(default_factory=dict)  # show -> last seq both projections committed


async def record(conn: psycopg.AsyncConnection[Any], seeded: SeededSchema, truth: Truth) -> None:
    """Re-read the database (nothing else writes meanwhile) and file it under each resource's ETag."""
    r = sql.Identifier(seeded.read_schema)
    label = live_label(f"{v.projection}@{v.version}" for v in seeded.live.values())

    async def rows(query: str) -> list[tuple[Any, ...]]:
        cur = await conn.execute(sql.SQL(query).format(r=r))
        return list(await cur.fetchall())

    seat_marks = dict(await rows("SELECT show_id, seq FROM {r}.seat_availability_watermarks"))
    dash_marks = dict(await rows("SELECT show_id, seq FROM {r}.dashboard_watermarks"))
    zones = await rows("SELECT show_id, zone_id, available, held, sold FROM {r}.seat_availability_zones")
    seats = await rows("SELECT show_id, seat_id, status FROM {r}.seat_availability_seats")
    listed = await rows("SELECT show_id, available, held, sold FROM {r}.seat_availability_shows")
    by_show = await rows("SELECT show_id, sold, held, revenue_cents FROM {r}.dashboard_by_show")
    for show, seq in seat_marks.items():
        version = f"{label}:{seq}"
        zone_rows = sorted((z, a, h, s) for sid, z, a, h, s in zones if sid == show)
        seat_rows = {seat: status for sid, seat, status in seats if sid == show}
        for etag, body in (
            (etag_for(f"availability:{show}", version), zone_rows),
            (etag_for(f"seats:{show}:None:full", version), seat_rows),
        ):
            truth.bodies[etag], truth.show_seq[etag] = body, (show, seq)
    for variant, marks, body in (
        ("shows", seat_marks, sorted(listed)),
        ("dashboard:None:None:None:json", dash_marks, sorted(by_show)),  # unfiltered, JSON
    ):
        etag = etag_for(variant, f"{label}:{len(marks)}:{sum(marks.values())}")
        truth.bodies[etag], truth.marks[etag] = body, marks


def seen_rows(path: str, body: dict[str, Any]) -> Any:
    """The same projection of an answer's body as :func:`record` keeps of the database."""
    if path.endswith("/availability"):
        return sorted((z["zone_id"], z["available"], z["held"], z["sold"]) for z in body["zones"])
    if path.endswith("/seats"):
        return {s["seat_id"]: s["status"] for s in body["seats"]}
    if path == "/v1/shows":
        return sorted((UUID(s["show_id"]), s["available"], s["held"], s["sold"]) for s in body["shows"])
    return sorted((UUID(s["show_id"]), s["sold"], s["held"], s["revenue_cents"]) for s in body["by_show"])


@dataclass
class Answer:
    client: int
    path: str
    token: ConsistencyToken | None
    status: int
    etag: str
    body: dict[str, Any] | None


async def reader(  # noqa: PLR0917  (one task's whole context)
    number: int,
    http: httpx.AsyncClient,
    shows: list[UUID],
    truth: Truth,
    stop: asyncio.Event,
    out: list[Answer],
) -> None:
    rng = random.Random(number)
    last_etag: dict[str, str] = {}
    while not stop.is_set():
        show = rng.choice(shows)
        path = rng.choice(
            [f"/v1/shows/{show}/availability", f"/v1/shows/{show}/seats", "/v1/shows", "/v1/dashboard"]
        )
        headers = dict(VIEWER) if path == "/v1/dashboard" else {}
        token = None
        params: dict[str, str | int] = {}
        if rng.random() < 0.5 and truth.committed.get(show):
            token = ConsistencyToken(show, truth.committed[show])
            params = {"consistency_token": token.encode(), "wait_ms": 5000}
        if rng.random() < 0.3 and path in last_etag:
            headers["If-None-Match"] = last_etag[path]
        response = await http.get(path, params=params, headers=headers)
        assert response.status_code in (200, 304), response.text
        etag = response.headers["etag"]
        last_etag[path] = etag
        body = response.json() if response.status_code == 200 else None
        out.append(Answer(number, path, token, response.status_code, etag, body))
        await asyncio.sleep(0)


def version_of(answer: Answer, truth: Truth) -> int:
    """A number that only grows with the resource's state: the show's seq, or the sum of seqs."""
    if answer.etag in truth.show_seq:
        return truth.show_seq[answer.etag][1]
    return sum(truth.marks[answer.etag].values())


def check(answers: list[Answer], truth: Truth) -> None:
    assert answers
    newest: dict[tuple[int, str], int] = defaultdict(int)
    for a in answers:
        assert a.etag in truth.bodies, f"{a.path}: an ETag of no version the database held: {a}"
        if a.body is not None:
            assert seen_rows(a.path, a.body) == truth.bodies[a.etag], (
                f"{a.path}: body differs from its version"
            )
            if "seq" in a.body:
                assert truth.show_seq[a.etag][1] == a.body["seq"]
        if a.token is not None and a.token.show_id is not None:
            if a.etag in truth.show_seq:
                assert truth.show_seq[a.etag][1] >= a.token.seq, f"token not honoured: {a}"
            else:
                assert truth.marks[a.etag].get(a.token.show_id, 0) >= a.token.seq, f"token not honoured: {a}"
        version = version_of(a, truth)
        assert version >= newest[(a.client, a.path)], f"client {a.client} went backwards on {a.path}"
        newest[(a.client, a.path)] = version


async def run_load(
    seeded: SeededSchema,
    http: httpx.AsyncClient,
    *,
    shows: int = 2,
    seats: int = 5,
    clients: int = 10,
    during: Any = None,
) -> tuple[list[Answer], Truth]:
    truth = Truth()
    ids = [await seeded.add_show(f"Show {n}") for n in range(shows)]
    answers: list[Answer] = []
    stop = asyncio.Event()
    async with await psycopg.AsyncConnection.connect(libpq_dsn(seeded.url), autocommit=True) as conn:
        await record(conn, seeded, truth)
        readers = [asyncio.create_task(reader(n, http, ids, truth, stop, answers)) for n in range(clients)]
        try:
            for step, seat in enumerate(SEATS[:seats]):
                for show in ids:
                    # Tokens name a seq as soon as it is committed, as a command's answer would.
                    hold = await seeded.hold(show, seat)
                    truth.committed[show] = seeded.seq(show)
                    await record(conn, seeded, truth)
                    order = await seeded.order(show, hold)
                    truth.committed[show] = seeded.seq(show)
                    await record(conn, seeded, truth)
                    await seeded.pay(show, order)
                    truth.committed[show] = seeded.seq(show)
                    await record(conn, seeded, truth)
                if during is not None and step == 2:
                    await during()
                await asyncio.sleep(0.01)
        finally:
            stop.set()
            await asyncio.gather(*readers)
    return answers, truth


async def test_reads_under_writes_are_exact_fresh_and_monotonic(
    served: tuple[httpx.AsyncClient, FastAPI], seeded: SeededSchema, settle: Settle
) -> None:
    http, app = served
    answers, truth = await run_load(seeded, http)
    check(answers, truth)
    assert any(a.token for a in answers)
    assert any(a.status == 304 for a in answers)
    assert app.state.query.tracker.synced
    # Settled, every read of an unchanged resource answers from memory with the database's version.
    await settle()
    show = next(iter(truth.committed))
    final = await http.get(f"/v1/shows/{show}/availability")
    assert final.json()["seq"] == seeded.seq(show)
    assert final.headers["etag"] in truth.bodies


async def listener_pid(app: FastAPI) -> int:
    for _ in range(500):
        pid = app.state.query.listener.backend_pid
        if pid is not None and app.state.query.tracker.synced:
            return int(pid)
        await asyncio.sleep(0.01)
    raise AssertionError("the listener never connected")


async def test_a_killed_listen_connection_falls_back_to_the_database_then_back_to_memory(
    client_factory: ClientFactory, seeded: SeededSchema
) -> None:
    async with client_factory(recheck_interval_ms=50) as (http, app):
        tracker = app.state.query.tracker
        first_pid = await listener_pid(app)
        resyncs = tracker.resyncs
        seen_unsynced = []

        async def kill() -> None:
            with psycopg.connect(libpq_dsn(seeded.url), autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(%s)", (first_pid,))
            for _ in range(200):  # the loss is noticed at once (the server closes the socket)
                if not tracker.synced:
                    seen_unsynced.append(True)
                    break
                await asyncio.sleep(0.005)

        answers, truth = await run_load(seeded, http, during=kill)
        check(answers, truth)
        assert seen_unsynced, "the lost LISTEN connection was never noticed"
        # Reconnected and re-read: back to memory, on a new connection.
        await settled(app, seeded)
        assert tracker.synced
        assert tracker.resyncs > resyncs
        assert app.state.query.listener.backend_pid not in (None, first_pid)
        metrics = (await http.get("/metrics")).text
        assert "boxoffice_query_versions_in_memory 1.0" in metrics
        assert (await http.get("/readyz")).json()["versions"] == "memory"


async def test_no_answer_of_the_old_version_once_the_swap_is_seen(
    served: tuple[httpx.AsyncClient, FastAPI], seeded: SeededSchema, settle: Settle
) -> None:
    http, app = served
    tracker = app.state.query.tracker
    show = await seeded.add_show()
    await seeded.sell(show, "A-1-1")
    await settle()
    old_label = tracker.label
    paths = [f"/v1/shows/{show}/availability", f"/v1/shows/{show}/seats", "/v1/shows", "/v1/dashboard"]
    old_etags = {
        etag_for(variant, version)
        for variant, version in (
            (f"availability:{show}", f"{old_label}:{seeded.seq(show)}"),
            (f"seats:{show}:None:full", f"{old_label}:{seeded.seq(show)}"),
            ("shows", f"{old_label}:1:{seeded.seq(show)}"),
            ("dashboard:None:None:None:json", f"{old_label}:1:{seeded.seq(show)}"),
        )
    }
    stop = asyncio.Event()
    late: list[tuple[str, str]] = []  # answers to requests sent after the API had seen the swap
    before = 0

    async def read(number: int) -> None:
        nonlocal before
        rng = random.Random(number)
        while not stop.is_set():
            seen = old_label in tracker.stale_labels
            path = rng.choice(paths)
            response = await http.get(path, headers=VIEWER)
            assert response.status_code == 200, response.text
            if seen:
                late.append((path, response.headers["etag"]))
            elif response.headers["etag"] in old_etags:
                before += 1
            await asyncio.sleep(0)

    readers = [asyncio.create_task(read(n)) for n in range(10)]
    await asyncio.sleep(0.2)
    await seeded.replay("seat_availability")
    await settle()
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.gather(*readers)
    assert before > 0
    assert late
    assert not [answer for answer in late if answer[1] in old_etags]


async def test_a_batch_too_large_to_notify_makes_the_api_re_read_the_watermarks(
    served: tuple[httpx.AsyncClient, FastAPI], seeded: SeededSchema, settle: Settle
) -> None:
    http, app = served
    tracker = app.state.query.tracker
    await settle()
    resyncs = tracker.resyncs
    # 200 new shows in one batch: their seqs would not fit in one NOTIFY payload.
    shows = [await seeded.add_show(f"Show {n}", to=()) for n in range(200)]
    await seeded.catch_up("seat_availability", "dashboard")
    await settle()
    assert tracker.resyncs > resyncs
    token = ConsistencyToken(shows[-1], seeded.seq(shows[-1])).encode()
    response = await http.get(f"/v1/shows/{shows[-1]}/availability", params={"consistency_token": token})
    assert response.status_code == 200
    assert response.json()["seq"] == 1
