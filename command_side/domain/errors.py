"""Why a command is refused. Each error names a stable ``code`` and carries extra fields.

The kind (``invalid``, ``not_found``, ``conflict``, ``forbidden``) is all an
entry point needs to pick its status; the domain knows nothing of HTTP.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """A command refused for a reason the caller can act on."""

    kind: ClassVar[str] = "invalid"

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class Invalid(DomainError):
    """The command is malformed or asks for something the rules never allow."""

    kind = "invalid"


class NotFound(DomainError):
    """The command names a venue, show, hold or order that does not exist."""

    kind = "not_found"


class Conflict(DomainError):
    """The command is valid but the current state does not allow it."""

    kind = "conflict"


class Forbidden(DomainError):
    """The caller may not act on what the command names."""

    kind = "forbidden"
