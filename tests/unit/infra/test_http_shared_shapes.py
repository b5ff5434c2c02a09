"""Both APIs document one error shape and are served by one helper."""

from typing import Any

import pytest
from fastapi import FastAPI

from command_side.bootstrap import create_app as create_command_app
from command_side.settings import CommandSettings
from infra.http.serving import serve_api
from infra.settings import ServiceSettings
from query_api.app import create_app as create_query_app
from query_api.settings import QueryApiSettings

DATABASE_URL = "postgresql+psycopg://boxoffice:boxoffice@127.0.0.1:9/unused"  # never connected to


def _error_schemas(app: FastAPI) -> dict[str, Any]:
    schemas = app.openapi()["components"]["schemas"]
    return {name: schemas[name] for name in ("ErrorDetail", "ErrorPublic")}


def test_both_apis_document_the_same_error_shape_under_the_same_names() -> None:
    settings = CommandSettings(database_url=DATABASE_URL, kafka_bootstrap_servers="127.0.0.1:9")
    command = create_command_app(settings)
    query = create_query_app(QueryApiSettings(), ServiceSettings(database_url=DATABASE_URL))
    shared = _error_schemas(command)
    assert shared == _error_schemas(query)
    assert shared["ErrorPublic"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    detail = shared["ErrorDetail"]
    assert detail["required"] == ["code", "message"]
    assert detail["additionalProperties"] is True  # context fields such as webhook_id or known


def test_several_workers_need_the_factory_import_string() -> None:
    with pytest.raises(ValueError, match="import string"):
        serve_api(FastAPI(), host="127.0.0.1", port=0, workers=2)
