"""The lean path's builds: a read memory can label but whose body is not cached, built without FastAPI.

Under write load most reads of a show that holds move, and of the whole
dashboard, arrive at a version whose body is not built yet. Sending each of
them through FastAPI's routing and dependencies cost more than the build. For
the reads the lean path (``http.fast``) already vouches for (plainly valid
parameters, a token memory satisfies, a reader's key for the dashboard), the
build is called here exactly as the route calls it, with the same arguments:

- a show's availability, its whole seat map or a zone's (full or compact):
  ``routes.show_answers.show_answer``, rebuilds of one version shared
  (``SingleFlight``);
- the whole JSON dashboard: the route's one-round-trip build
  (``routes.dashboard.whole_dashboard``) through the builds coalesced per
  variant (``state.builds``), with memory's version at arrival as ``seen``.

So the ETag, the body, the 304 and the exactness rules of #14 are the
route's. A build that fails raises its error: the caller answers it with the
app's error handlers, as the route would, without a second read.
"""

from collections.abc import Awaitable, Callable
from uuid import UUID

from query_api.http.caching import not_modified
from query_api.routes.dashboard import whole_dashboard
from query_api.routes.serving import build_at_once
from query_api.routes.show_answers import availability_read, show_answer, whole_map_read, zone_map_read
from query_api.state import QueryState

Build = Callable[[], Awaitable[tuple[str, bytes | None]]]  # the ETag and the body (None: 304)
DASHBOARD = "dashboard"


def lean_build(
    state: QueryState,
    kind: str,
    *,
    show_id: UUID | None,
    variant: str,
    params: dict[str, str],
    if_none_match: str | None,
) -> Build | None:
    """The build of the resource ``kind`` names (``variant`` as ``http.fast`` derived it), as its route
    would run it for a request whose token memory satisfies; None: the route's to answer."""
    if kind == DASHBOARD:
        tracker = state.tracker

        def memory() -> str | None:
            return tracker.all_version(DASHBOARD) if tracker.synced else None

        seen, build = memory(), build_at_once(state, DASHBOARD, variant, whole_dashboard(state))

        async def dashboard() -> tuple[str, bytes | None]:
            etag, body = await state.builds.answer(variant, seen, memory, build)
            return etag, None if not_modified(if_none_match, etag) else body

        return dashboard
    if show_id is None:
        return None
    if kind == "availability":
        read = availability_read(state, show_id)
    elif kind == "seats" and "zone_id" not in params:
        read = whole_map_read(state, show_id, params.get("format", "full"))
    elif kind == "seats" and "\x00" not in params["zone_id"]:  # the route refuses a NUL (422)
        read = zone_map_read(state, show_id, params["zone_id"], params.get("format", "full"))
    else:
        return None

    async def show() -> tuple[str, bytes | None]:
        return await show_answer(
            state, show_id, variant=variant, read=read, if_none_match=if_none_match, from_memory=True
        )

    return show
