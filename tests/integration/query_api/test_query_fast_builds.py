"""The lean path builds what memory can label but the cache lacks exactly as the routes build it, and
refuses a failed build as the route refuses it, without reading the database again through the route."""

import json
import logging
import socket
from collections.abc import Sequence
from uuid import UUID

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from starlette.types import Message, Scope

from query_api.database import create_engine
from query_api.http.fast import FastReads
from query_api.routes import dashboard, shows
from tests.integration.query_api.conftest import Settle
from tests.integration.query_api.seed import SeededSchema

pytestmark = pytest.mark.integration

HEADERS = ("etag", "cache-control", "content-type", "content-length")
VIEWER = {"Authorization": "Bearer test-viewer-key"}
Lean = tuple[int, dict[str, str], bytes]


async def _lean(app: FastAPI, url: str, headers: Sequence[tuple[str, str]] = ()) -> Lean | None:
    """The lean path's own answer to a GET (status, headers, body); None when it handed it to the route."""
    routed: list[Scope] = []
    sent: list[Message] = []

    async def route(scope: Scope, *_: object) -> None:
        routed.append(scope)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    path, _, query = url.partition("?")
    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
        "app": app,
    }
    await FastReads(route, [*shows.router.routes, *dashboard.router.routes])(scope, receive, send)
    if routed:
        return None
    start, body = sent
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body["body"]


def _same(lean: Lean | None, routed: httpx.Response) -> None:
    assert lean is not None, "the lean path handed the read to the route"
    status, headers, body = lean
    assert status == routed.status_code
    assert body == routed.content
    assert {h: headers.get(h) for h in HEADERS} == {h: routed.headers.get(h) for h in HEADERS}


async def _routed(
    app: FastAPI, client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> httpx.Response:
    """The route's answer built from the database (the cache emptied first)."""
    app.state.query.cache.clear()
    return await client.get(url, headers=headers)


@pytest.mark.parametrize(
    ("resource", "headers"),
    [
        ("availability", {}),
        ("seats", {}),
        ("seats?format=compact", {}),
        ("seats?format=full&consistency_token=TOKEN", {}),
        ("seats?zone_id=A", {}),
        ("seats?zone_id=B&format=compact&consistency_token=TOKEN", {}),
        ("dashboard", VIEWER),
        ("dashboard?consistency_token=TOKEN&wait_ms=0", {"Authorization": "bearer test-operator-key"}),
    ],
)
async def test_the_lean_path_builds_what_the_route_builds(
    served: tuple[httpx.AsyncClient, FastAPI],
    seeded: SeededSchema,
    settle: Settle,
    resource: str,
    headers: dict[str, str],
) -> None:
    client, app = served
    show_id = await seeded.add_show()
    await seeded.hold(show_id, "A-1-1")
    await settle()

    def urls() -> tuple[str, str]:
        """The lean path's URL, and one only the route answers (an upper-case show id, or a parameter
        given twice): the same resource."""
        token = f"ct1.{show_id}.{seeded.seq(show_id)}"
        if resource.startswith("dashboard"):
            url = "/v1/" + resource.replace("TOKEN", token)
            return url, url + ("&" if "?" in url else "?") + "format=json&format=json"
        url = f"/v1/shows/{show_id}/{resource.replace('TOKEN', token)}"
        return url, url.replace(str(show_id), str(show_id).upper())

    for move in (seeded.sell(show_id, "A-1-2", referrer="aff-1"), seeded.hold(show_id, "B-1-1")):
        await move
        await settle()
        lean_url, route_url = urls()
        routed = await _routed(app, client, route_url, headers)
        assert routed.status_code == 200
        builds = app.state.query.cache.misses
        app.state.query.cache.clear()
        _same(await _lean(app, lean_url, [*headers.items()]), routed)
        assert app.state.query.cache.misses == builds + 1  # built, by the lean path
        stale = {**headers, "If-None-Match": '"older"'}  # another version's ETag: the body, built
        app.state.query.cache.clear()
        _same(await _lean(app, lean_url, [*stale.items()]), routed)
        current = {**headers, "If-None-Match": routed.headers["etag"]}
        app.state.query.cache.clear()
        _same(await _lean(app, lean_url, [*current.items()]), await _routed(app, client, route_url, current))


async def test_the_shows_list_stays_the_route_s(
    served: tuple[httpx.AsyncClient, FastAPI], settled_show: UUID
) -> None:
    client, app = served
    app.state.query.cache.clear()
    assert await _lean(app, "/v1/shows") is None
    assert (await client.get("/v1/shows")).status_code == 200


async def test_a_zone_the_show_lacks_is_refused_as_the_route_refuses_it_and_a_nul_by_the_route(
    served: tuple[httpx.AsyncClient, FastAPI], settled_show: UUID
) -> None:
    client, app = served
    lacking = f"/v1/shows/{settled_show}/seats?zone_id=Z"
    app.state.query.cache.clear()
    lean = await _lean(app, lacking)
    app.state.query.cache.clear()
    routed = await client.get(lacking.replace(str(settled_show), str(settled_show).upper()))
    assert lean is not None
    assert routed.status_code == 404
    assert (lean[0], lean[2]) == (404, routed.content)
    assert routed.json()["error"]["code"] == "zone_not_found"
    nul = f"/v1/shows/{settled_show}/seats?zone_id=A%00"
    assert await _lean(app, nul) is None
    assert (await client.get(nul)).status_code == 422


@pytest.mark.parametrize(
    ("view", "resource", "headers"),
    [
        ("seat_availability_zones", "availability", {}),
        ("seat_availability_seats", "seats?format=compact", {}),
        ("seat_availability_seats", "seats?zone_id=A", {}),
        ("dashboard_by_show", "dashboard", VIEWER),
    ],
)
async def test_a_failed_build_is_refused_as_the_route_refuses_it(
    served: tuple[httpx.AsyncClient, FastAPI],
    seeded: SeededSchema,
    settled_show: UUID,
    *,
    view: str,
    resource: str,
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, app = served
    url = "/v1/dashboard" if resource == "dashboard" else f"/v1/shows/{settled_show}/{resource}"
    seeded.execute(f"DROP VIEW {{r}}.{view}")
    app.state.query.cache.clear()
    assert app.state.query.tracker.show_version("seat_availability", settled_show) is not None
    with caplog.at_level(logging.DEBUG, logger="query_api.http.fast"):
        lean = await _lean(app, url, [*headers.items()])
    assert [r.message for r in caplog.records if r.name == "query_api.http.fast"] == [
        f"lean build of {url.partition('?')[0]} failed; answered as the route would"
    ]
    assert lean is not None
    status, answered, body = lean
    assert (status, answered["retry-after"]) == (503, "1")
    assert json.loads(body)["error"]["code"] == "read_model_unavailable"
    route_url = f"{url}{'&' if '?' in url else '?'}wait_ms=0&wait_ms=0"  # a parameter twice: the route's
    routed = await client.get(route_url, headers=headers)
    assert (routed.status_code, routed.content) == (status, body)


async def test_a_failed_build_no_handler_answers_leaves_labelled_with_its_route(
    served: tuple[httpx.AsyncClient, FastAPI], seeded: SeededSchema, settled_show: UUID
) -> None:
    """A database error the handlers re-raise (not operational: a view the reader may not read) leaves
    the lean path with the route set, so its 500 is labelled in metrics and spans as the route's."""
    _, app = served
    seeded.execute("ALTER VIEW {r}.seat_availability_zones RENAME TO granted_zones")
    seeded.execute("CREATE VIEW {r}.seat_availability_zones AS SELECT * FROM {r}.granted_zones")
    app.state.query.cache.clear()
    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": f"/v1/shows/{settled_show}/availability",
        "query_string": b"",
        "headers": [],
        "app": app,
    }

    async def route(*_: object) -> None:
        raise AssertionError("the lean path handed the read to the route")

    async def receive() -> Message:
        raise AssertionError("nothing is received")

    async def send(_: Message) -> None:
        raise AssertionError("nothing is sent")

    with pytest.raises(DBAPIError) as raised:
        await FastReads(route, [*shows.router.routes, *dashboard.router.routes])(scope, receive, send)
    assert isinstance(raised.value.orig, psycopg.errors.InsufficientPrivilege)
    assert getattr(scope.get("route"), "path", None) == "/v1/shows/{show_id}/availability"


@pytest.mark.parametrize(
    ("resource", "headers"), [("availability", {}), ("seats?format=compact", {}), ("dashboard", VIEWER)]
)
async def test_with_the_database_down_a_read_tries_it_once(
    served: tuple[httpx.AsyncClient, FastAPI], settled_show: UUID, resource: str, headers: dict[str, str]
) -> None:
    client, app = served
    url = "/v1/dashboard" if resource == "dashboard" else f"/v1/shows/{settled_show}/{resource}"
    state = app.state.query
    assert state.tracker.show_version("seat_availability", settled_show) is not None  # memory labels it
    down = create_engine(f"postgresql://nobody:nothing@127.0.0.1:{_closed_port()}/gone", 1)
    attempts: list[object] = []
    event.listen(down.sync_engine, "do_connect", lambda *args: attempts.append(args))
    serving, state.engine = state.engine, down
    try:
        state.cache.clear()
        answer = await client.get(url, headers=headers)
    finally:
        state.engine = serving
        await down.dispose()
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["error"]["code"] == "database_unavailable"
    assert len(attempts) == 1  # the lean path's build only: the route did not try again


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
