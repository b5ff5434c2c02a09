"""The documented error shape of both APIs: ``{"error": {"code", "message", ...}}``.

One pair of models so the two OpenAPI documents describe a refusal the same way
(``infra.http.errors`` writes the answers themselves).
"""

from pydantic import BaseModel, ConfigDict


class ErrorDetail(BaseModel):
    """A stable machine-readable ``code``, a human ``message``, and context fields where useful."""

    model_config = ConfigDict(extra="allow")
    code: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorDetail
