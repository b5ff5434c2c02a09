"""Every refusal of an API in the design's shape ``{"error": {"code", "message", ...}}``.

``ApiError`` is a refusal an entry point decides (authentication, parameters,
availability); ``install_error_handlers`` answers it, FastAPI's own refusals
(validation, unknown routes, unparsable bodies) and nothing else: each API adds
its database failures, and anything unexpected is ``infra.http.unexpected``'s
(a JSON 500 with a correlation id, never a trace; bad input never gets there).

Each API keeps the wording of its 422 for a request that does not match the
schema (its documented shape): ``problems_by_field`` or ``first_problem``.
"""

from collections.abc import Callable
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

MAX_PROBLEMS = 20

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An answer for the caller: status, stable code, message, optional headers and context (``extra``)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """The error shape as a JSON response; context values JSON cannot hold are written as text."""
    body = orjson.dumps({"error": {"code": code, "message": message, **extra}}, default=str)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


ValidationAnswer = Callable[[RequestValidationError], Response]


def problems_by_field(exc: RequestValidationError) -> Response:
    """422 ``invalid_request`` (``malformed_json`` for a body that is not JSON) with ``problems``.

    ``problems`` lists at most 20 ``{"field", "problem"}``.
    """
    problems = [
        {"field": ".".join(str(p) for p in error.get("loc", ())), "problem": str(error.get("msg", ""))}
        for error in exc.errors()[:MAX_PROBLEMS]
    ]
    if any(p["problem"].startswith("JSON decode error") for p in problems):
        return error_response(422, "malformed_json", "the body is not valid JSON", problems=problems)
    return error_response(422, "invalid_request", "the request does not match the schema", problems=problems)


def first_problem(exc: RequestValidationError) -> Response:
    """422 ``invalid_request`` whose message is the first problem, with every ``{"location", "problem"}``."""
    details = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "problem": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    first = details[0] if details else {"location": "request", "problem": "invalid"}
    return error_response(422, "invalid_request", f"{first['location']}: {first['problem']}", details=details)


def install_error_handlers(app: FastAPI, invalid: ValidationAnswer) -> None:
    """Answer ApiError, FastAPI's validation errors (with ``invalid``) and HTTP errors in the error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> Response:
        return invalid(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:
            # FastAPI's only 400 is a body it could not parse (e.g. not UTF-8): the same
            # caller mistake as broken JSON, so the same documented 422.
            return error_response(422, "malformed_json", "the body is not valid UTF-8 JSON")
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, dict(exc.headers or {}) or None)
