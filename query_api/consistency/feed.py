"""Which listener feeds the versions in memory: the database's own notices, or the primary's for a standby."""

import logging
from collections.abc import Callable
from typing import Protocol

from infra.settings import ServiceSettings
from query_api.consistency.listener import MemoryFeed, ProgressListener
from query_api.consistency.replica import ReplicaProgressListener
from query_api.consistency.signal import ProgressSignal
from query_api.consistency.tracker import VersionTracker
from query_api.database import in_recovery, primary_url
from query_api.settings import QueryApiSettings

log = logging.getLogger(__name__)


class ProgressFeed(Protocol):
    """Keeps a :class:`VersionTracker` current and wakes waiters; started and stopped with the app."""

    connected: bool  # receiving notices
    backend_pid: int | None  # of the LISTEN connection, while connected

    def start(self) -> None: ...

    async def stop(self) -> None: ...


async def progress_feed(
    url: str,
    services: ServiceSettings,
    settings: QueryApiSettings,
    signal: ProgressSignal,
    tracker: VersionTracker,
    *,
    on_swap: Callable[[], None],
) -> ProgressFeed:
    """LISTEN where the reads are (``url``); when ``url`` is a hot standby, LISTEN on the primary and
    claim notices only once the standby replayed them (:class:`ReplicaProgressListener`)."""
    memory = MemoryFeed.of(signal, tracker, settings.read_schema, on_swap)
    if not await in_recovery(url):
        return ProgressListener(url, memory)
    primary = await primary_url(services)
    log.info("reading a hot standby: notices from the primary are claimed once the standby replayed them")
    return ReplicaProgressListener(primary, url, memory, poll_s=settings.replica_poll_ms / 1000)
