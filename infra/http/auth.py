"""API keys as roles: ``Authorization: Bearer <key>`` mapped by ``ApiKeySettings.role_for``.

A request without a bearer key, or with a key no role has, gets 401 with
``WWW-Authenticate: Bearer``; a key whose role is not admitted gets 403. The key
is parsed as FastAPI's ``HTTPBearer`` parses it (scheme case-insensitive, key
stripped), whether or not the API shows the scheme in its OpenAPI document.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from infra.http.errors import ApiError
from infra.settings import ApiKeySettings, Role

CHALLENGE = {"WWW-Authenticate": "Bearer"}
RoleDependency = Callable[..., Awaitable[Role]]


@dataclass(frozen=True, slots=True)
class Refusals:
    """An API's wording of its 401s and 403 (``{roles}``: the admitted roles joined by "or")."""

    no_key: str
    unknown_key: str
    wrong_role: str
    name_the_role: bool = False  # the 403 tells the caller its role in ``role``


def bearer_key(authorization: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header; None without one."""
    scheme, key = get_authorization_scheme_param(authorization)
    return key if key and scheme.lower() == "bearer" else None


@dataclass(frozen=True, slots=True)
class BearerAuth:
    """Role dependencies of one API: where its keys are, how it words refusals, whether OpenAPI shows it.

    With ``scheme`` the dependencies read the key through that ``HTTPBearer``
    (``auto_error=False``), which documents the scheme; without, from the header.
    """

    keys_of: Callable[[Request], ApiKeySettings]
    refusals: Refusals
    scheme: HTTPBearer | None = None

    def role(self, keys: ApiKeySettings, key: str | None, allowed: tuple[Role, ...]) -> Role:
        """The role of ``key`` if it is one of ``allowed``; raises the 401 or 403 otherwise."""
        if key is None:
            raise ApiError(401, "unauthorized", self.refusals.no_key, CHALLENGE)
        role = keys.role_for(key)
        if role is None:
            raise ApiError(401, "unauthorized", self.refusals.unknown_key, CHALLENGE)
        if role not in allowed:
            message = self.refusals.wrong_role.format(roles=" or ".join(allowed))
            if self.refusals.name_the_role:
                raise ApiError(403, "forbidden", message, role=role)
            raise ApiError(403, "forbidden", message)
        return role

    def requiring(self, *allowed: Role) -> RoleDependency:
        """A dependency answering the caller's role when it is one of ``allowed``."""
        if self.scheme is None:

            async def from_header(request: Request) -> Role:
                key = bearer_key(request.headers.get("authorization"))
                return self.role(self.keys_of(request), key, allowed)

            return from_header
        scheme = self.scheme

        async def from_scheme(
            request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(scheme)]
        ) -> Role:
            key = credentials.credentials if credentials is not None else None
            return self.role(self.keys_of(request), key, allowed)

        return from_scheme
