"""Finding and locking the best available seats of a zone without reading the zone.

Free seats are read front row first, a page at a time (``FrontRows``), and
each complete row offers its adjacent runs, most central first. A pick is locked
with ``SKIP LOCKED``: seats another command is taking are skipped, never waited
for, so concurrent best-available commands cannot wait on each other or
deadlock; the skipped seats are excluded and the search goes on.

Under contention every command would otherwise chase the same best run and
lose it to the one that got there first. After a lost round a command picks at
random among the best 2, 4, 8... runs left, so a crowd spreads over the front
rows in a few rounds instead of queueing one run at a time.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import direct, seat_inventory
from command_side.domain.holds import SeatState
from command_side.domain.seating import Pick, SeatCandidate, adjacent_runs, scattered

FIRST_PAGE = 128  # seats; a page that does not complete a row is read again four times larger
MAX_ROUNDS = 64  # each lost round excludes at least one seat; this only bounds pathological zones


@dataclass(slots=True)
class FrontRows:
    """The free seats of a zone, one complete row at a time, front row first."""

    conn: AsyncConnection
    show_id: UUID
    zone_id: str
    now: datetime
    limit: int = FIRST_PAGE
    next_row: int = 0
    exhausted: bool = False
    ready: list[list[SeatCandidate]] = field(default_factory=list)
    first_page: list[SeatCandidate] | None = None  # read already (``first_page_read``), taken first

    @staticmethod
    def first_page_read(show_id: UUID, zone_id: str, now: datetime) -> direct.Statement:
        """The read of the first page, for a caller to send with its own statements."""
        return seat_inventory.free_seats_read(show_id, zone_id, now, from_row=0, limit=FIRST_PAGE)

    async def row(self) -> list[SeatCandidate] | None:
        while not self.ready and not self.exhausted:
            await self._read_page()
        return self.ready.pop(0) if self.ready else None

    async def _read_page(self) -> None:
        seats, self.first_page = self.first_page, None
        if seats is None:
            seats = await seat_inventory.free_seats_from(
                self.conn, self.show_id, self.zone_id, self.now, from_row=self.next_row, limit=self.limit
            )
        self.exhausted = len(seats) < self.limit
        if not self.exhausted:  # the last row read may go on past the page: read it again next time
            last = seats[-1].row_ordinal
            complete = [s for s in seats if s.row_ordinal < last]
            if not complete:
                self.limit *= 4
                return
            seats, self.next_row = complete, last
        by_row: dict[int, list[SeatCandidate]] = {}
        for seat in seats:
            by_row.setdefault(seat.row_ordinal, []).append(seat)
        self.ready.extend(by_row.values())


@dataclass(slots=True)
class Search:
    """The runs found so far, in preference order, and the seats known to be taken."""

    rows: FrontRows
    quantity: int
    runs: list[Pick] = field(default_factory=list)
    seen: list[SeatCandidate] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    async def pick(self, spread: int, rng: random.Random) -> Pick | None:
        """One of the best ``spread`` runs not known taken; scattered seats once no row has a run."""
        open_runs = self._open_runs()
        while len(open_runs) < spread:
            row = await self.rows.row()
            if row is None:
                break
            self.seen.extend(row)
            self.runs.extend(adjacent_runs(row, self.quantity))
            open_runs = self._open_runs()
        if open_runs:
            return open_runs[rng.randrange(min(spread, len(open_runs)))]
        return scattered((s for s in self.seen if s.seat_id not in self.taken), self.quantity)

    def _open_runs(self) -> list[Pick]:
        return [run for run in self.runs if self.taken.isdisjoint(run)]


async def lock_best_available(
    conn: AsyncConnection,
    show_id: UUID,
    zone_id: str,
    quantity: int,
    now: datetime,
    *,
    first_page: list[SeatCandidate] | None = None,
) -> tuple[list[SeatState], bool]:
    """Lock ``quantity`` free seats, best first; (their states, whether the zone had any free seat).

    ``first_page``: the rows of ``FrontRows.first_page_read``, if the caller read them.
    Returns no states when the zone has too few free seats left to this command.
    """
    search = Search(FrontRows(conn, show_id, zone_id, now, first_page=first_page), quantity)
    rng = random.Random()
    owned: dict[str, SeatState] = {}
    for attempt in range(MAX_ROUNDS):
        pick = await search.pick(spread=2 ** min(attempt, 10), rng=rng)
        if pick is None:
            break
        wanted = sorted(set(pick) - owned.keys())
        for state in await seat_inventory.lock_seats(conn, show_id, wanted, skip_locked=True):
            if state.free(now):
                owned[state.seat_id] = state
        missing = set(pick) - owned.keys()
        if not missing:
            return [owned[s] for s in sorted(pick)], True
        search.taken |= missing
    return [], bool(search.seen)
