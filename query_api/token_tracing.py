"""The span of a read's wait for its consistency token, child of the request's server span.

The request's span continues the caller's ``traceparent``, so a client that
sends the same context with its command and its read sees the wait in the
command's trace.
"""

from collections.abc import Awaitable
from uuid import UUID

from opentelemetry.util.types import AttributeValue

from infra.telemetry import traced

Waited = tuple[bool, int | None]  # (reached, the last watermark read), as ``wait_for_watermark`` answers


def _outcome(result: Waited) -> dict[str, AttributeValue]:
    reached, watermark = result
    described: dict[str, AttributeValue] = {"boxoffice.token.reached": reached}
    if watermark is not None:
        described["boxoffice.watermark"] = watermark
    return described


def token_wait(projection: str, show_id: UUID, seq: int, waiting: Awaitable[Waited]) -> Awaitable[Waited]:
    """``waiting`` (a ``wait_for_watermark``) in a span ``"consistency_token wait"``; only while tracing."""
    return traced(
        "consistency_token wait",
        waiting,
        attributes={
            "boxoffice.projection": projection,
            "boxoffice.show_id": str(show_id),
            "boxoffice.token.seq": seq,
        },
        outcome=_outcome,
    )
