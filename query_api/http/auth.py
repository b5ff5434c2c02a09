"""API-key roles of the query API (``infra.http.auth``), with its wording of the refusals."""

from fastapi import Request

from infra.http.auth import BearerAuth, Refusals, RoleDependency
from infra.settings import ApiKeySettings, Role

DASHBOARD_READERS: tuple[Role, ...] = ("viewer", "operator")  # who may read the sales dashboard


def _api_keys(request: Request) -> ApiKeySettings:
    keys: ApiKeySettings = request.app.state.api_keys
    return keys


AUTH = BearerAuth(
    _api_keys,
    Refusals(
        no_key="an API key is required: Authorization: Bearer <key>",
        unknown_key="the API key is not valid",
        wrong_role="this resource needs the role {roles}",
    ),
)


def require_roles(*allowed: Role) -> RoleDependency:
    """A dependency admitting callers whose key has one of ``allowed``; 401 without a valid key, else 403."""
    return AUTH.requiring(*allowed)
