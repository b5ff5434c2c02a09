"""In-process wake-ups: one event per projection, replaced each time it fires."""

import asyncio


class ProgressSignal:
    """Wakes every waiter of a projection when that projection reports progress.

    A waiter takes :meth:`current` *before* checking the database and then waits
    on it, so progress reported between its check and its wait still wakes it
    (no lost wake-up). Each :meth:`notify` sets the current event and installs a
    fresh one for later waiters. Event-loop only; not thread-safe.
    """

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def current(self, projection: str) -> asyncio.Event:
        event = self._events.get(projection)
        if event is None:
            event = self._events[projection] = asyncio.Event()
        return event

    def notify(self, projection: str | None = None) -> None:
        """Wake the waiters of ``projection``, or of every projection when None or unknown."""
        names = [projection] if projection in self._events else list(self._events)
        for name in names:
            self._events.pop(name).set()
