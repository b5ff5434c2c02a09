"""Notices from the primary held until a hot standby has replayed them (pure, no I/O).

Each held notice has the primary WAL position it waits for: its own ``lsn``
(``contracts.progress``), or, for a notice that came without one, the
primary's position read after it arrived (:meth:`HeldNotices.stamp`), which is
past its commit too. Notices leave in arrival order, and only while the first
one is covered by the standby's replay position, so the tracker is fed in the
order the primary announced, never ahead of what the standby holds.
"""

from collections import deque
from dataclasses import dataclass

from contracts.progress import ProgressNotice

_PAGE_HEADERS = (24, 40)  # a WAL page's short header; the long one opening a segment


def replay_target(lsn: int, block_size: int = 8192) -> int:
    """The position a standby's replay must reach to have every record ending at or before ``lsn``.

    Replay reports the end of the last record it applied. An insert position
    read while nothing is written on its page yet lies just past the page's
    header (24 bytes, 40 opening a segment), which replay may never report if
    the last record ended at the page's start. At most one record ends between
    a page's start and 40 bytes into it (a record is at least 24 bytes after
    the header), so replay at or past the page's start has everything up to
    such a position.
    """
    offset = lsn % block_size
    return lsn - offset if offset in _PAGE_HEADERS else lsn


@dataclass(slots=True)
class _Held:
    notice: ProgressNotice
    lsn: int | None  # None until stamped


class HeldNotices:
    """A FIFO of notices waiting for the standby's replay; see the module docstring."""

    def __init__(self) -> None:
        self._queue: deque[_Held] = deque()
        self._unstamped = 0

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def unstamped(self) -> bool:
        """Some notice came without a position and waits for :meth:`stamp`."""
        return self._unstamped > 0

    def add(self, notice: ProgressNotice) -> None:
        self._queue.append(_Held(notice, notice.lsn))
        if notice.lsn is None:
            self._unstamped += 1

    def clear(self) -> None:
        self._queue.clear()
        self._unstamped = 0

    def stamp(self, primary_lsn: int) -> None:
        """Give every notice still without a position the primary's position ``primary_lsn``,
        read after they all arrived (so after their commits)."""
        if not self._unstamped:
            return
        for held in self._queue:
            if held.lsn is None:
                held.lsn = primary_lsn
        self._unstamped = 0

    def due(self, replayed_lsn: int) -> list[ProgressNotice]:
        """Remove and return, in arrival order, the notices the standby has replayed: those before
        the first one whose position is past ``replayed_lsn`` or not yet stamped."""
        due: list[ProgressNotice] = []
        while self._queue:
            lsn = self._queue[0].lsn
            if lsn is None or lsn > replayed_lsn:
                break
            due.append(self._queue.popleft().notice)
        return due

    def waiting_for(self) -> int | None:
        """The position the first held notice waits for (None: nothing held, or not stamped yet)."""
        return self._queue[0].lsn if self._queue else None
