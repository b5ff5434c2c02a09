"""Seat map encodings: the design's full list, and a run-length compact form.

Both are built straight from rows into bytes with orjson; a 20,000-seat map
never becomes 20,000 model objects.
"""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import orjson

STATUS_CODES = {"available": "a", "held": "h", "sold": "s"}
CODE_STATUSES = {code: status for status, code in STATUS_CODES.items()}

SeatRow = Sequence[Any]  # (seat_id, zone_id, row, number, status)


def full_json(show_id: UUID, seq: int, seats: Iterable[SeatRow]) -> bytes:
    """``{"show_id", "seq", "seats": [{"seat_id", "zone_id", "row", "number", "status"}]}``."""
    listed = [{"seat_id": s[0], "zone_id": s[1], "row": s[2], "number": s[3], "status": s[4]} for s in seats]
    return orjson.dumps({"show_id": show_id, "seq": seq, "seats": listed})


def compact_zones(seats: Iterable[SeatRow]) -> list[dict[str, Any]]:
    """Group seats (in layout order) by zone and row; encode each row as runs.

    A run ``[first_number, count, code]`` covers consecutive seat numbers with
    the same status; a gap in numbering or a status change starts a new run.
    Zone and row order is the order of first appearance.
    """
    zones: dict[str, dict[str, list[list[Any]]]] = {}
    for _seat_id, zone_id, row, number, status in seats:
        runs = zones.setdefault(zone_id, {}).setdefault(row, [])
        code = STATUS_CODES[status]
        last = runs[-1] if runs else None
        if last is not None and last[2] == code and last[0] + last[1] == number:
            last[1] += 1
        else:
            runs.append([number, 1, code])
    return [
        {"zone_id": zone_id, "rows": [{"row": row, "runs": runs} for row, runs in rows.items()]}
        for zone_id, rows in zones.items()
    ]


def compact_json(show_id: UUID, seq: int, seats: Iterable[SeatRow]) -> bytes:
    """The ``?format=compact`` body (see models.SeatMapCompactPublic)."""
    return compact_body(show_id, seq, compact_zones(seats))


def compact_body(show_id: UUID, seq: int, zones: list[dict[str, Any]]) -> bytes:
    """The ``?format=compact`` body of zones as ``compact_zones`` (or ``CompactLayout.zones``) gives them."""
    return orjson.dumps(
        {"show_id": show_id, "seq": seq, "format": "compact", "statuses": CODE_STATUSES, "zones": zones}
    )


def expand_compact(zones: Iterable[dict[str, Any]]) -> list[tuple[str, str, str, int, str]]:
    """The seats a compact body describes, as ``(seat_id, zone_id, row, number, status)``."""
    seats = []
    for zone in zones:
        for row in zone["rows"]:
            for first, count, code in row["runs"]:
                for number in range(first, first + count):
                    seat_id = f"{zone['zone_id']}-{row['row']}-{number}"
                    seats.append((seat_id, zone["zone_id"], row["row"], number, CODE_STATUSES[code]))
    return seats
