"""The query API serves the AsyncAPI document publicly at ``GET /asyncapi.json``."""

import httpx
import orjson

from contracts.asyncapi import asyncapi_document
from query_api.app import create_app


async def test_the_query_api_serves_the_document_without_a_key() -> None:
    app = create_app()  # the lifespan (database, Kafka) is not run: this route needs neither
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://query") as client:
        answer = await client.get("/asyncapi.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert orjson.loads(answer.content) == orjson.loads(orjson.dumps(asyncapi_document()))
