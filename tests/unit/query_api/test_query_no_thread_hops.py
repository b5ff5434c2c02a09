"""No request of the query API hops to the thread pool: every endpoint and dependency is async.

FastAPI runs a plain ``def`` endpoint or dependency in its thread pool: a hand-off to another
thread and back on every request, which on a loaded machine waits for the OS to schedule that
thread (the dashboard's sync filter dependency cost it most of its throughput under load).
"""

import inspect
from collections.abc import Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from query_api.routes import asyncapi, dashboard, ops, projections, shows
from query_api.web.router import router as web_router

# The routers app.py includes.
ROUTERS = (*(m.router for m in (shows, dashboard, projections, ops, asyncapi)), web_router)


def _calls(dependant: Dependant) -> Iterator[object]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _is_async(call: object) -> bool:
    if inspect.isfunction(call) or inspect.ismethod(call):
        return inspect.iscoroutinefunction(call)
    return inspect.iscoroutinefunction(type(call).__call__)  # a callable instance


def test_every_endpoint_and_dependency_runs_on_the_event_loop() -> None:
    routes = [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]
    assert routes
    sync = sorted(
        f"{route.path}: {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in _calls(route.dependant)
        if not _is_async(call)
    )
    assert sync == []
