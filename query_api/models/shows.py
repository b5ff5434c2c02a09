"""Shows, per-zone availability and seat maps (seat_availability projection)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

SeatStatus = Literal["available", "held", "sold"]


class ShowPublic(BaseModel):
    show_id: UUID
    title: str
    starts_at: datetime
    venue_name: str
    capacity: int
    available: int
    held: int
    sold: int


class ShowsPublic(BaseModel):
    shows: list[ShowPublic]


class ZoneAvailability(BaseModel):
    zone_id: str
    name: str
    price_cents: int
    capacity: int
    available: int
    held: int = Field(description="Seats in live holds or in orders pending payment.")
    sold: int


class AvailabilityPublic(BaseModel):
    show_id: UUID
    seq: int = Field(description="Position in the show's event stream this answer reflects.")
    zones: list[ZoneAvailability]


class SeatPublic(BaseModel):
    seat_id: str
    zone_id: str
    row: str
    number: int
    status: SeatStatus


class SeatsPublic(BaseModel):
    show_id: UUID
    seq: int = Field(description="Position in the show's event stream this answer reflects.")
    seats: list[SeatPublic]


class CompactRow(BaseModel):
    row: str
    runs: list[tuple[int, int, Literal["a", "h", "s"]]] = Field(
        description="Runs of consecutive seat numbers sharing a status: [first_number, count, status]."
    )


class CompactZone(BaseModel):
    zone_id: str
    rows: list[CompactRow]


class SeatMapCompactPublic(BaseModel):
    """``?format=compact``: the seat map run-length encoded per zone and row.

    A seat's id is ``<zone_id>-<row>-<number>``; ``statuses`` maps the one-letter
    codes of the runs to the statuses of the full format.
    """

    show_id: UUID
    seq: int
    format: Literal["compact"] = "compact"
    statuses: dict[str, SeatStatus]
    zones: list[CompactZone]
