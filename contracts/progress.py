"""What projectors announce on ``boxoffice_projection_progress``, and how readers parse it.

A batch's notice names the version that committed it and the shows whose
watermarks it moved, with their new seqs, so that a reader can keep every
watermark in memory without asking the database. PostgreSQL refuses NOTIFY
payloads of 8000 bytes or more: a batch touching too many shows sends the same
notice without the seqs (``seqs is None``), which tells readers to re-read the
watermarks. A swap of the live version (replay, or the first version going
live) sends a notice with ``swap`` set. A payload that is not JSON (the bare
registry name of older senders) means "something of this projection changed".

A batch's notice is sent right after its commit, a swap's by its transaction
(delivered at commit), so a reader of the primary told seq N for a show may
rely on the database holding at least N.

A reader on a hot standby cannot rely on that: NOTIFY is not replicated, and
the standby replays the primary's WAL later. So a batch's notice also carries
``lsn`` (key ``"l"``, PostgreSQL's ``X/Y`` text): a primary WAL position at or
past the end of the batch's commit record. The sender sends the notice right
after its COMMIT returned, reading the position in the same statement
(:func:`lsn_splice`): ``pg_current_wal_flush_lsn()``, which a synchronous
commit has moved past its commit record before returning
(``pg_current_wal_insert_lsn()`` when the session commits asynchronously). A
position read *inside* the transaction, before COMMIT (such as
``pg_current_wal_insert_lsn()`` just before it), would not do: the commit
record is written after it, behind whatever other sessions write meanwhile, so
a standby replayed up to it may not have the batch yet. Once a standby's
``pg_last_wal_replay_lsn()`` is at or past ``lsn``, every new snapshot there
sees the batch. A notice without ``lsn`` (a swap, an older sender) tells a
standby reader only that the change committed before the notice arrived.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

PROGRESS_CHANNEL = "boxoffice_projection_progress"
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin.
MAX_PAYLOAD_BYTES = 7900
_LSN = re.compile(r"[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")


@dataclass(frozen=True, slots=True)
class ProgressNotice:
    """One decoded notification; ``None`` fields were absent (an older or foreign sender)."""

    registry: str
    version: int | None = None
    views_schema: str | None = None
    kind: str | None = None
    seqs: Mapping[UUID, int] | None = None
    swap: bool = False
    lsn: int | None = None  # primary WAL position at or past the commit (module docstring)


def parse_lsn(text: str) -> int:
    """PostgreSQL's ``X/Y`` WAL position as a number; ValueError when it is not one."""
    if not _LSN.fullmatch(text):
        raise ValueError(f"not a WAL position: {text!r}")
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(lsn: int) -> str:
    """The ``X/Y`` text of a WAL position, as PostgreSQL writes it."""
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def lsn_splice(payload: str) -> tuple[str, str]:
    """``payload`` cut where the sender's LSN goes: ``head + "X/Y" + tail`` is the notice with ``lsn``.

    The sender's SQL joins them around the WAL position it reads
    (``%s || pg_current_wal_lsn()::text || %s``), so the position is read and
    sent in one statement. The 17 characters of the longest position fit in the
    margin kept below PostgreSQL's limit (``MAX_PAYLOAD_BYTES``).
    """
    if not payload.endswith("}"):
        raise ValueError("a notice is a JSON object")
    return payload[:-1] + ',"l":"', '"}'


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
            lsn=None if body.get("l") is None else parse_lsn(str(body["l"])),
        )
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return ProgressNotice(registry=payload)
