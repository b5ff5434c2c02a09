"""The error shape ``{"error": {"code", "message", ...}}`` for every refusal, never a stack trace."""

from typing import Any

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

RETRY_AFTER_SECONDS = "2"


class ApiError(Exception):
    """A refusal decided by an entry point (authentication, headers, body size, availability)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.extra = status, code, message, headers, extra


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = orjson.dumps({"error": {"code": code, "message": message, **extra}})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def database_unavailable() -> ApiError:
    return ApiError(
        503,
        "database_unavailable",
        "the write model is unreachable; retry later",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def is_unavailable(exc: BaseException) -> bool:
    """Connection-level failures (refused, dropped, pool exhausted): the caller should retry."""
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.InterfaceError | psycopg.OperationalError | OSError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError)
    return False


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 401: "unauthorized"}


def _validation_problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for error in exc.errors()[:20]:
        location = [str(p) for p in error.get("loc", ())]
        problems.append({"field": ".".join(location), "problem": str(error.get("msg", ""))})
    return problems


def install_error_handlers(app: FastAPI) -> None:
    """Map every failure to the error shape: 4xx for the caller's mistakes, 503 when the database is down."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = _validation_problems(exc)
        json_broken = any(p["problem"].startswith("JSON decode error") for p in problems)
        code = "malformed_json" if json_broken else "invalid_request"
        message = "the body is not valid JSON" if json_broken else "the request does not match the schema"
        return error_response(422, code, message, problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:
            # FastAPI's only 400 is a body it could not parse (e.g. not UTF-8): the same
            # caller mistake as broken JSON, so the same documented 422.
            return error_response(422, "malformed_json", "the body is not valid UTF-8 JSON")
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), dict(exc.headers or {}) or None)

    @app.exception_handler(sa_exc.SQLAlchemyError)
    async def _database(request: Request, exc: sa_exc.SQLAlchemyError) -> Response:
        if isinstance(exc, sa_exc.DataError):  # a value the database cannot store: the caller's input
            return error_response(422, "invalid_value", "a value is out of range or not storable")
        if is_unavailable(exc):
            error = database_unavailable()
            return error_response(error.status, error.code, error.message, error.headers)
        raise exc  # unexpected: infra.http.unexpected answers 500 and logs it with a correlation id

    @app.exception_handler(psycopg.OperationalError)
    async def _connection(request: Request, exc: psycopg.OperationalError) -> Response:
        error = database_unavailable()
        return error_response(error.status, error.code, error.message, error.headers)
