"""The shared HTTP toolkit both APIs use: error shape, bearer roles, route timing, app state."""

from typing import Annotated

import httpx
import orjson
from fastapi import Depends, FastAPI, Header
from fastapi.security import HTTPBearer
from pydantic import SecretStr

from infra.http.app_state import app_state
from infra.http.auth import BearerAuth, Refusals, bearer_key
from infra.http.errors import ApiError, first_problem, install_error_handlers, problems_by_field
from infra.http.metrics import RouteTiming
from infra.settings import ApiKeySettings, Role

KEYS = ApiKeySettings(api_keys=SecretStr("operator:op-key-0001,viewer:view-key-01"))
WORDING = Refusals("no key", "bad key", "needs {roles}", name_the_role=True)


class Observed:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        assert seconds >= 0
        self.seen.append((method, route, status))


def make_app(*, documented: bool, invalid: bool = True) -> tuple[FastAPI, Observed]:
    app = FastAPI()
    app.state.keys = KEYS
    install_error_handlers(app, invalid=problems_by_field if invalid else first_problem)
    scheme = HTTPBearer(auto_error=False) if documented else None
    auth = BearerAuth(lambda r: r.app.state.keys, WORDING, scheme)
    keys_dep = app_state("keys", ApiKeySettings)

    @app.get("/things/{n}")
    async def thing(
        n: int,
        role: Annotated[Role, Depends(auth.requiring("operator"))],
        keys: Annotated[ApiKeySettings, Depends(keys_dep)],
        x_size: Annotated[int | None, Header(le=5)] = None,
    ) -> dict[str, object]:
        if n == 0:
            raise ApiError(409, "zero", "no zero", headers={"X-Why": "zero"}, n=n)
        return {"role": role, "same_keys": keys is KEYS}

    observed = Observed()
    app.add_middleware(RouteTiming, observer=observed, unmatched="<none>")
    return app, observed


async def get(app: FastAPI, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://api") as client:
        return await client.get(path, headers=headers)


def test_a_bearer_key_is_parsed_as_fastapi_parses_it() -> None:
    assert bearer_key("Bearer  op-key ") == "op-key"
    assert bearer_key("bearer op-key") == "op-key"
    assert bearer_key("Basic op-key") is None
    assert bearer_key("Bearer ") is None
    assert bearer_key(None) is None


async def test_refusals_have_the_error_shape_and_the_challenge() -> None:
    for documented in (True, False):
        app, _ = make_app(documented=documented)
        missing = await get(app, "/things/1")
        unknown = await get(app, "/things/1", authorization="Bearer nope")
        wrong = await get(app, "/things/1", authorization="Bearer view-key-01")
        assert (missing.status_code, unknown.status_code, wrong.status_code) == (401, 401, 403)
        assert missing.headers["www-authenticate"] == "Bearer"
        assert orjson.loads(missing.content) == {"error": {"code": "unauthorized", "message": "no key"}}
        assert orjson.loads(unknown.content)["error"]["message"] == "bad key"
        assert orjson.loads(wrong.content) == {
            "error": {"code": "forbidden", "message": "needs operator", "role": "viewer"}
        }
        ok = await get(app, "/things/1", authorization="Bearer op-key-0001")
        assert ok.json() == {"role": "operator", "same_keys": True}


async def test_only_the_documented_auth_shows_in_openapi() -> None:
    documented, _ = make_app(documented=True)
    plain, _ = make_app(documented=False)
    assert "securitySchemes" in documented.openapi().get("components", {})
    assert "securitySchemes" not in plain.openapi().get("components", {})


async def test_api_errors_carry_headers_and_context() -> None:
    app, _ = make_app(documented=False)
    answer = await get(app, "/things/0", authorization="Bearer op-key-0001")
    assert answer.status_code == 409
    assert answer.headers["x-why"] == "zero"
    assert answer.content == b'{"error":{"code":"zero","message":"no zero","n":0}}'


async def test_each_api_keeps_its_wording_of_schema_refusals() -> None:
    by_field, _ = make_app(documented=False, invalid=True)
    first, _ = make_app(documented=False, invalid=False)
    headers = {"authorization": "Bearer op-key-0001", "x-size": "9"}
    a = orjson.loads((await get(by_field, "/things/x", **headers)).content)["error"]
    b = orjson.loads((await get(first, "/things/x", **headers)).content)["error"]
    assert a["code"] == b["code"] == "invalid_request"
    assert a["message"] == "the request does not match the schema"
    assert {p["field"] for p in a["problems"]} == {"path.n", "header.x-size"}
    assert b["message"].startswith(b["details"][0]["location"] + ": ")


async def test_unknown_routes_are_shaped_and_timed_as_unmatched() -> None:
    app, observed = make_app(documented=False)
    answer = await get(app, "/nowhere")
    assert answer.status_code == 404
    assert orjson.loads(answer.content)["error"]["code"] == "not_found"
    await get(app, "/things/1", authorization="Bearer op-key-0001")
    assert observed.seen == [("GET", "<none>", 404), ("GET", "/things/{n}", 200)]
