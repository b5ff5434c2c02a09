"""The query API's refusals beyond ``infra.http.errors``: the read model not being there (yet).

A missing read view answers 503 ``read_model_unavailable``, an unreachable
database 503 ``database_unavailable``, both with Retry-After: the caller should
retry, not give up. Other database errors stay unexpected (``infra.http.unexpected``).
"""

import logging

import psycopg
from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError
from starlette.responses import Response

from infra.http.errors import error_response, first_problem, install_error_handlers

log = logging.getLogger(__name__)


def install_query_error_handlers(app: FastAPI) -> None:
    """The shared error shape, with the query API's 422 wording and its database failures."""
    install_error_handlers(app, invalid=first_problem)

    @app.exception_handler(DBAPIError)
    async def _database_error(_: Request, exc: DBAPIError) -> Response:
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
