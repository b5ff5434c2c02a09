"""Keeping Python's cyclic garbage collector off a batch's objects while they are alive.

A batch's records, events and ids are allocated together and all live until
the batch commits. With the collector on, each collection that runs meanwhile
scans all of them: every young-generation collection while they are young,
again when they are promoted, and again in full collections. In a catch-up that
cost a fifth of the projector's CPU, for nothing: they hold no reference
cycles and are freed by reference counting once the batch is done.

So while a batch is decoded the collector is paused, and when it resumes the
objects that exist at that moment are moved out of its sight (``gc.freeze``,
which is constant-time); later collections look only at what is allocated
afterwards. Frozen objects are still freed by reference counting as usual. What
reference counting cannot free (a cycle that became garbage) is not lost
either: at most every ``THAW_SECONDS``, everything is handed back to the
collector and collected in full once (``gc.unfreeze`` then ``gc.collect``).
The thaw is due at the end of any batch's pause, not only the outermost one:
the runners' pauses overlap, and while batches keep coming the outermost may
never end, which would leave cycles uncollected (and the collector off) for good.

This assumes nothing else in the process keeps objects frozen on purpose (a
thaw unfreezes everything); a projector process, the replay command and the
benchmarks do not.

Guarantees: re-entrant (the runners of one process decode concurrently); the
collector is resumed, and objects frozen, only if it was on when the outermost
pause began; a process that turned the collector off keeps it off.
"""

import contextlib
import gc
import time
from collections.abc import Iterator
from typing import ClassVar

# Longest time cyclic garbage may wait for a collection (a full one costs a scan of the whole heap).
THAW_SECONDS = 60.0


class GcPause:
    """No automatic cyclic GC while a batch is decoded (see the module docstring)."""

    depth: ClassVar[int] = 0
    resume: ClassVar[bool] = False
    thawed_at: ClassVar[float] = time.monotonic()

    @classmethod
    @contextlib.contextmanager
    def during(cls) -> Iterator[None]:
        if cls.depth == 0:
            cls.resume = gc.isenabled()
            gc.disable()
        cls.depth += 1
        try:
            yield
        finally:
            cls.depth -= 1
            if cls.resume:
                cls._resume(outermost=cls.depth == 0)

    @classmethod
    def _resume(cls, *, outermost: bool) -> None:
        """Thaw and collect when due; freeze and turn the collector back on as the last pause ends."""
        now = time.monotonic()
        thaw = now - cls.thawed_at >= THAW_SECONDS
        if thaw:
            cls.thawed_at = now
            gc.unfreeze()
            gc.collect()
        if outermost or thaw:
            gc.freeze()
        if outermost:
            gc.enable()
