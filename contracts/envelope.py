"""The envelope every event travels in."""

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.timestamps import UtcDatetime


class Envelope(BaseModel):
    """Metadata around one event.

    ``seq`` is the gapless position of the event in its show's stream, starting
    at 1 with ``ShowScheduled``. The command side assigns it under the show's
    row lock, so seq order is commit order for a show; consumers drop any event
    whose seq they have already applied.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    type: str = Field(min_length=1, max_length=100)
    version: int = Field(ge=1)
    stream_id: UUID = Field(description="The show id.")
    seq: int = Field(ge=1, description="Gapless position in the show's stream, from 1.")
    occurred_at: UtcDatetime
    correlation_id: UUID
    causation_id: UUID | None = None
    payload: dict[str, Any]
