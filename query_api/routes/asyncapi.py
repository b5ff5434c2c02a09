"""``GET /asyncapi.json``: the AsyncAPI 3.0 document of the events (public)."""

from functools import cache

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from contracts.asyncapi import asyncapi_document

router = APIRouter(tags=["contracts"])


@cache
def _document() -> bytes:
    # built once per process: the registry does not change while it runs
    return orjson.dumps(asyncapi_document())


@router.get("/asyncapi.json")
async def asyncapi_json() -> Response:
    """The AsyncAPI 3.0 document of the events topic, the dead-letter topic and webhook deliveries."""
    return Response(_document(), media_type="application/json")
