"""The error shape every non-2xx answer of the query API has."""

from pydantic import BaseModel, ConfigDict


class ErrorDetail(BaseModel):
    """A stable machine-readable ``code``, a human ``message``, and context fields where useful."""

    model_config = ConfigDict(extra="allow")
    code: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorDetail
