"""Every error answer in the design's shape ``{"error": {"code", "message", ...}}``.

Covers the API's own errors, FastAPI's validation errors and unknown routes;
anything unexpected is ``infra.http.unexpected``'s (a JSON 500 with a correlation
id, never a trace; bad input never gets there).
"""

import logging
from typing import Any

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An answer for the caller: status, stable code, message, optional context and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.context = context


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **context: Any
) -> Response:
    body = orjson.dumps({"error": {"code": code, "message": message, **context}}, default=str)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


async def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.context)


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "problem": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    first = details[0] if details else {"location": "request", "problem": "invalid"}
    message = f"{first['location']}: {first['problem']}"
    return error_response(422, "invalid_request", message, details=details)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, dict(exc.headers or {}))


async def _database_error(_: Request, exc: Exception) -> Response:
    """The read model or the database is not there (yet): the caller should retry, not give up."""
    assert isinstance(exc, DBAPIError)
    retry = {"Retry-After": "1"}
    if isinstance(exc.orig, psycopg.errors.UndefinedTable):
        log.warning("read view missing: %s", str(exc.orig).splitlines()[0])
        return error_response(
            503, "read_model_unavailable", "the read model is not live yet; retry shortly", retry
        )
    if isinstance(exc.orig, psycopg.OperationalError) or exc.connection_invalidated:
        log.warning("database unavailable: %s", str(exc.orig).splitlines()[0] if exc.orig else exc)
        return error_response(
            503, "database_unavailable", "the database is not reachable; retry shortly", retry
        )
    raise exc  # unexpected: infra.http.unexpected answers 500 and logs it with a correlation id


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
