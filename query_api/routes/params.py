"""Request parameters shared by the read routes: the consistency token and its wait."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query

from contracts import ConsistencyToken
from infra.http.app_state import app_state
from infra.http.errors import ApiError
from query_api.state import QueryState

MAX_WAIT_MS = 5000


@dataclass(frozen=True, slots=True)
class Freshness:
    """What a read must include (None: whatever is there) and how long it may wait for it."""

    token: ConsistencyToken | None
    wait_ms: int


get_state = app_state("query", QueryState)


StateDep = Annotated[QueryState, Depends(get_state)]


async def freshness(
    state: StateDep,
    consistency_token: Annotated[
        str | None,
        Query(description="Token of a command (ct1.<show_id>.<seq>): answer only once it is reflected."),
    ] = None,
    x_consistency_token: Annotated[str | None, Header(description="Same as consistency_token.")] = None,
    wait_ms: Annotated[
        int | None,
        Query(ge=0, le=MAX_WAIT_MS, description="How long to wait for the token, default 1000 ms."),
    ] = None,
) -> Freshness:
    """The query parameter wins over the header when both are given."""
    raw = consistency_token if consistency_token is not None else x_consistency_token
    token = None
    if raw is not None:
        try:
            token = ConsistencyToken.decode(raw.strip())
        except ValueError as error:
            raise ApiError(422, "invalid_consistency_token", str(error)) from None
    wait = state.settings.default_wait_ms if wait_ms is None else wait_ms
    return Freshness(token, min(wait, state.settings.max_wait_ms))


FreshnessDep = Annotated[Freshness, Depends(freshness)]
