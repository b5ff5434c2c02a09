"""A show's seat layout kept in memory, and the seat maps one string of its statuses gives.

A seat map is the fixed layout (seat id, zone, row, number, in layout order)
plus one status code per seat (``a``, ``h``, ``s``: ``SeatLayouts`` reads them
as one string). The compact map's runs are found in that string by a regular
expression over each stretch of consecutively numbered seats of one row, cut
once from the layout, instead of a Python loop over every seat: a 2,000-seat
map is a few dozen runs, and its encoding costs that, not 2,000 iterations.

Guarantees (unit tests compare them over random layouts and statuses):
:meth:`KeptLayout.rows` equals the ``(seat_id, zone_id, row, number, status)``
rows of the layout, and :meth:`KeptLayout.compact_zones` equals
``seatmap.compact_zones`` of those rows, for any layout order (rows of a zone
or seats of a row need not be adjacent). A string of another length or with
another code is refused (``ValueError``), never encoded.
"""

import re
from collections.abc import Sequence
from typing import Any

from query_api.seatmap import CODE_STATUSES, STATUS_CODES, SeatRow

Seat = tuple[Any, ...]  # (seat_id, zone_id, row, number) in layout order
Stretch = tuple[int, int, int]  # (first seat number, start, end) in the statuses string
_RUNS = re.compile(r"a+|h+|s+")
_CODES = re.compile(r"[ahs]*")


class KeptLayout:
    """See the module docstring."""

    __slots__ = ("_zones", "seats")

    def __init__(self, seats: Sequence[Seat]) -> None:
        self.seats = list(seats)
        zones: dict[Any, dict[Any, list[list[int]]]] = {}
        for index, (_seat_id, zone_id, row, number) in enumerate(self.seats):
            stretches = zones.setdefault(zone_id, {}).setdefault(row, [])
            last = stretches[-1] if stretches else None
            if last is not None and last[2] == index and last[0] + (last[2] - last[1]) == number:
                last[2] = index + 1
            else:
                stretches.append([number, index, index + 1])
        self._zones: list[tuple[Any, list[tuple[Any, list[Stretch]]]]] = [
            (zone_id, [(row, [(s[0], s[1], s[2]) for s in stretches]) for row, stretches in rows.items()])
            for zone_id, rows in zones.items()
        ]

    @classmethod
    def of_rows(cls, rows: Sequence[SeatRow]) -> tuple["KeptLayout", str]:
        """The layout of full seat rows, and their statuses as one string of codes."""
        return cls([tuple(row[:4]) for row in rows]), "".join(STATUS_CODES[row[4]] for row in rows)

    def fits(self, statuses: str) -> bool:
        """One known code per seat of the layout."""
        return len(statuses) == len(self.seats) and _CODES.fullmatch(statuses) is not None

    def rows(self, statuses: str) -> list[SeatRow]:
        """``(seat_id, zone_id, row, number, status)`` of every seat, in layout order."""
        self._check(statuses)
        return [(*seat, CODE_STATUSES[code]) for seat, code in zip(self.seats, statuses, strict=True)]

    def compact_zones(self, statuses: str) -> list[dict[str, Any]]:
        """What ``seatmap.compact_zones`` gives for ``self.rows(statuses)``."""
        self._check(statuses)
        zones = []
        for zone_id, rows in self._zones:
            encoded = []
            for row, stretches in rows:
                runs: list[list[Any]] = []
                for first, start, end in stretches:
                    offset = first - start  # a seat's number from its place in the string
                    found = [
                        [begin + offset, stop - begin, statuses[begin]]
                        for begin, stop in (run.span() for run in _RUNS.finditer(statuses, start, end))
                    ]
                    last = runs[-1] if runs else None  # a stretch may continue the row's last run
                    if last is not None and last[2] == found[0][2] and last[0] + last[1] == found[0][0]:
                        last[1] += found.pop(0)[1]
                    runs += found
                encoded.append({"row": row, "runs": runs})
            zones.append({"zone_id": zone_id, "rows": encoded})
        return zones

    def _check(self, statuses: str) -> None:
        if not self.fits(statuses):
            raise ValueError(f"{len(statuses)} status codes for a layout of {len(self.seats)} seats")
