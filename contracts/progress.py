"""What projectors announce on ``boxoffice_projection_progress``, and how readers parse it.

A batch's notice names the version that committed it and the shows whose
watermarks it moved, with their new seqs, so that a reader can keep every
watermark in memory without asking the database. PostgreSQL refuses NOTIFY
payloads of 8000 bytes or more: a batch touching too many shows sends the same
notice without the seqs (``seqs is None``), which tells readers to re-read the
watermarks. A swap of the live version (replay, or the first version going
live) sends a notice with ``swap`` set. A payload that is not JSON (the bare
registry name of older senders) means "something of this projection changed".

Notifications are delivered after the sender's commit and in commit order, so
a reader told seq N for a show may rely on the database holding at least N.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

PROGRESS_CHANNEL = "boxoffice_projection_progress"
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin.
MAX_PAYLOAD_BYTES = 7900


@dataclass(frozen=True, slots=True)
class ProgressNotice:
    """One decoded notification; ``None`` fields were absent (an older or foreign sender)."""

    registry: str
    version: int | None = None
    views_schema: str | None = None
    kind: str | None = None
    seqs: Mapping[UUID, int] | None = None
    swap: bool = False


def encode_progress(
    registry: str, version: int, views_schema: str, kind: str, seqs: Mapping[UUID, int]
) -> str:
    """The notice of a committed batch; without the seqs when they would not fit."""
    body: dict[str, Any] = {
        "p": registry,
        "v": version,
        "s": views_schema,
        "k": kind,
        "w": {str(show): seq for show, seq in seqs.items()},
    }
    text = orjson.dumps(body)
    if len(text) >= MAX_PAYLOAD_BYTES:
        body["w"] = None
        text = orjson.dumps(body)
    return text.decode()


def encode_swap(registry: str, version: int | None, views_schema: str, kind: str) -> str:
    """The notice of the views of ``views_schema`` now serving ``version`` of ``registry``."""
    return orjson.dumps(
        {"p": registry, "v": version, "s": views_schema, "k": kind, "w": None, "swap": True}
    ).decode()


def decode_progress(payload: str) -> ProgressNotice:
    """Parse a notice; anything unrecognised becomes "re-read" (no seqs), never an error."""
    if not payload.startswith("{"):
        return ProgressNotice(registry=payload)
    try:
        body = orjson.loads(payload)
        marks = body.get("w")
        seqs = None if marks is None else {UUID(show): int(seq) for show, seq in marks.items()}
        version = body.get("v")
        return ProgressNotice(
            registry=str(body.get("p", "")),
            version=None if version is None else int(version),
            views_schema=body.get("s"),
            kind=body.get("k"),
            seqs=seqs,
            swap=bool(body.get("swap", False)),
        )
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return ProgressNotice(registry=payload)
