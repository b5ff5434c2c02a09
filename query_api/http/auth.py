"""API-key roles: ``Authorization: Bearer <key>`` mapped by ApiKeySettings.role_for."""

from collections.abc import Awaitable, Callable

from fastapi import Request

from infra.settings import ApiKeySettings, Role
from query_api.http.errors import ApiError

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def role_of(request: Request, keys: ApiKeySettings) -> Role:
    """The caller's role; 401 when no key or an unknown key is presented."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "unauthorized", "an API key is required: Authorization: Bearer <key>", _CHALLENGE)
    role = keys.role_for(key.strip())
    if role is None:
        raise ApiError(401, "unauthorized", "the API key is not valid", _CHALLENGE)
    return role


def require_roles(*allowed: Role) -> Callable[[Request], Awaitable[Role]]:
    """A dependency admitting callers whose key has one of ``allowed``; 403 for other roles."""

    async def dependency(request: Request) -> Role:
        keys: ApiKeySettings = request.app.state.api_keys
        role = role_of(request, keys)
        if role not in allowed:
            raise ApiError(403, "forbidden", f"this resource needs the role {' or '.join(allowed)}")
        return role

    return dependency
