"""The command API's refusals beyond ``infra.http.errors``: the write model being unreachable.

Connection-level failures answer 503 ``database_unavailable`` with Retry-After,
a value the database cannot store answers 422 ``invalid_value``; other database
errors stay unexpected (``infra.http.unexpected``: a JSON 500, logged).
"""

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import exc as sa_exc

from infra.http.errors import ApiError, error_response, install_error_handlers, problems_by_field

RETRY_AFTER_SECONDS = "2"


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


def _unavailable() -> Response:
    error = database_unavailable()
    return error_response(error.status, error.code, error.message, error.headers)


def database_failure(exc: Exception) -> Response | None:
    """The answer to a database failure the command API expects; None for an unexpected one.

    SQLAlchemy's DataError is the caller's input (422 ``invalid_value``); a
    connection-level failure is 503. Anything else is left to
    ``infra.http.unexpected`` (a JSON 500, logged with a correlation id).
    """
    if isinstance(exc, sa_exc.DataError):  # a value the database cannot store: the caller's input
        return error_response(422, "invalid_value", "a value is out of range or not storable")
    if isinstance(exc, sa_exc.SQLAlchemyError) and is_unavailable(exc):
        return _unavailable()
    if isinstance(exc, psycopg.OperationalError):
        return _unavailable()
    return None


def install_command_error_handlers(app: FastAPI) -> None:
    """The shared error shape, with the command API's 422 wording and its database failures."""
    install_error_handlers(app, invalid=problems_by_field)

    @app.exception_handler(sa_exc.SQLAlchemyError)
    async def _database(_: Request, exc: sa_exc.SQLAlchemyError) -> Response:
        answer = database_failure(exc)
        if answer is None:
            raise exc  # unexpected: infra.http.unexpected answers 500 and logs it with a correlation id
        return answer

    @app.exception_handler(psycopg.OperationalError)
    async def _connection(_: Request, exc: psycopg.OperationalError) -> Response:
        return _unavailable()
