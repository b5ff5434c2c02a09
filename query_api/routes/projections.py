"""Projection status, for operators."""

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from query_api.database import snapshot
from query_api.http.auth import require_roles
from query_api.http.caching import PRIVATE, etag_of_body, not_modified
from query_api.models import ProjectionsPublic
from query_api.models.errors import ErrorPublic
from query_api.readers.status import projection_status
from query_api.routes.params import StateDep

router = APIRouter(tags=["operations"])


@router.get(
    "/v1/projections",
    response_model=ProjectionsPublic,
    dependencies=[Depends(require_roles("operator"))],
    responses={code: {"model": ErrorPublic} for code in (401, 403)},
)
async def projections(request: Request, state: StateDep) -> Response:
    """Each projection: active version, position, lag, state and DLQ count."""
    async with snapshot(state.engine) as conn:
        status = await projection_status(
            conn, state.views, state.end_offsets, state.settings.ready_max_stall_seconds
        )
    body = ProjectionsPublic(projections=status).model_dump_json().encode()
    etag = etag_of_body(body)  # small and operator-only: hashing the body is cheap enough
    headers = {"ETag": etag, "Cache-Control": PRIVATE}
    if not_modified(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
