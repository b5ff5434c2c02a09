"""An unexpected exception in either API: JSON 500 with a correlation id, logged trace, usable connection.

Both apps run under a real uvicorn server (the connection handling is the
point) against the real PostgreSQL; a route added for the test raises.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from uuid import uuid4

import orjson
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from command_side.bootstrap import create_app as create_command_app
from command_side.settings import CommandSettings
from infra.settings import ApiKeySettings, ServiceSettings
from query_api.app import create_app as create_query_app

pytestmark = pytest.mark.integration

KEYS = ApiKeySettings(api_keys=SecretStr("operator:test-operator-key"))


class Boom(RuntimeError):
    """What the test's route raises: nothing any handler maps."""


def command_app(database_url: str, kafka: str) -> FastAPI:
    return create_command_app(CommandSettings(database_url=database_url, kafka_bootstrap_servers=kafka), KEYS)


def query_app(database_url: str, kafka: str) -> FastAPI:
    return create_query_app(
        services=ServiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka), api_keys=KEYS
    )


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[int]:
    async def boom() -> None:
        raise Boom("a handler failed")

    app.add_api_route("/test-boom", boom)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                await asyncio.sleep(0.02)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, headers: str = ""
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on a kept-alive connection, and its answer."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: test\r\n{headers}\r\n".encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    fields = dict(line.split(": ", 1) for line in head[1:] if line)
    found = {k.lower(): v for k, v in fields.items()}
    body = await reader.readexactly(int(found["content-length"]))
    return status, found, body


@pytest.mark.parametrize("build", [command_app, query_app], ids=["command_api", "query_api"])
async def test_an_unexpected_error_is_a_json_500_logged_with_its_correlation_id_on_a_usable_connection(
    build: Callable[[str, str], FastAPI],
    database_url: str,
    kafka_bootstrap: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    correlation_id = str(uuid4())
    async with serving(build(database_url, kafka_bootstrap)) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            with caplog.at_level(logging.ERROR):
                status, headers, body = await exchange(
                    reader, writer, "/test-boom", f"X-Correlation-Id: {correlation_id}\r\n"
                )
                anonymous = await exchange(reader, writer, "/test-boom")
            after = await exchange(reader, writer, "/healthz")  # the same connection still answers
        finally:
            writer.close()

    assert status == 500
    assert headers["content-type"] == "application/json"
    error = orjson.loads(body)["error"]
    assert error["code"] == "internal_error"
    assert error["message"]
    assert error["correlation_id"] == correlation_id == headers["x-correlation-id"]
    assert "Boom" not in body.decode()
    assert "Traceback" not in body.decode()
    # a caller without a correlation id gets a fresh one, also logged
    anonymous_id = orjson.loads(anonymous[2])["error"]["correlation_id"]
    assert anonymous[0] == 500
    assert anonymous_id != correlation_id
    logged = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], Boom)]
    assert [correlation_id in r.getMessage() for r in logged] == [True, False]
    assert anonymous_id in logged[1].getMessage()
    assert after[0] == 200
