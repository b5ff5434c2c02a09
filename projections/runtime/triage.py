"""The pure part of a batch: which events to apply, drop, park or dead-letter.

Per show, in offset order: an event of a quarantined show is parked; an event
at or below the show's watermark is a duplicate and dropped; an event that
does not decode or fold is dead-lettered and quarantines its show, so the
show's later events are parked behind it; the rest are folded into one batch
of changes. Other shows of the same partition are not affected.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.runtime.decoding import Incoming
from projections.runtime.projection import ApplyError, Projection


@dataclass(frozen=True, slots=True)
class DeadLetter:
    incoming: Incoming
    error: str


@dataclass(slots=True)
class Triage:
    """The outcome of sorting one batch."""

    changes: Any
    applied: list[Incoming] = field(default_factory=list)
    duplicates: int = 0
    parked: list[Incoming] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    newly_quarantined: dict[UUID, DeadLetter] = field(default_factory=dict)
    watermarks: dict[UUID, tuple[int, datetime]] = field(default_factory=dict)


def triage(
    projection: Projection,
    incoming: list[Incoming],
    quarantined: set[UUID],
    watermarks: dict[UUID, int],
    known_bad: Mapping[tuple[int, int], str] | None = None,
) -> Triage:
    """Sort a batch and fold what applies. ``known_bad`` maps (partition, offset) of
    events that the tables refused, found by applying one event at a time."""
    out = Triage(projection.empty())
    stopped = set(quarantined)
    bad = known_bad or {}
    # Bound once: this loop runs for every event of a replay. A show's mark is its last event
    # applied in this batch (``marks``, the batch's new watermarks), else its stored watermark.
    apply, changes, applied, marks = projection.apply, out.changes, out.applied, out.watermarks
    for item in incoming:
        show = item.show_id
        if stopped and show is not None and show in stopped:
            out.parked.append(item)
            continue
        event = item.event
        if event is None:
            _dead(out, stopped, item, item.error or "undecodable")
            continue
        envelope = event.envelope
        stream, seq = envelope.stream_id, envelope.seq
        mark = marks.get(stream)
        if seq <= (mark[0] if mark is not None else watermarks.get(stream, 0)):
            out.duplicates += 1
            continue
        if bad:
            refused = bad.get((item.record.partition, item.record.offset))
            if refused is not None:
                _dead(out, stopped, item, refused)
                continue
        try:
            apply(changes, event)
        except ApplyError as exc:
            _dead(out, stopped, item, str(exc))
            continue
        marks[stream] = (seq, envelope.occurred_at)
        applied.append(item)
    return out


def _dead(out: Triage, stopped: set[UUID], item: Incoming, error: str) -> None:
    letter = DeadLetter(item, error)
    out.dead.append(letter)
    if item.show_id is not None:
        stopped.add(item.show_id)
        out.newly_quarantined[item.show_id] = letter
