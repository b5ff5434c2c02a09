"""What one show's versioned read answers, shared by the routes and the lean path (``http.fast``).

A show's availability or whole seat map is read, with the show's version, by
one statement (one snapshot, one round trip); the body is encoded only when
neither a 304 nor the cache answers, and cached under the version read *with
it*. The watermark read is merged into memory (values only grow), so the
process never answers older than what it has answered before. Concurrent
rebuilds of the version memory knows share the first (``SingleFlight``).

Both paths call :func:`show_answer` with the same arguments for the same
request, so their ETags, bodies and errors are the same by construction.
"""

from collections.abc import Awaitable, Callable
from uuid import UUID

from infra.http.errors import ApiError
from query_api import seatmap
from query_api.http.caching import etag_for, not_modified
from query_api.kept_layout import KeptLayout
from query_api.models import AvailabilityPublic
from query_api.readers import shows as readers
from query_api.readers.versions import DbVersion
from query_api.routes.serving import show_not_found
from query_api.state import QueryState

PROJECTION = "seat_availability"
Read = tuple[DbVersion, Callable[[], bytes]]  # a show's version and its body's encoder
ReadShow = Callable[[], Awaitable[Read | None]]  # None: no such show
_SWAP_RETRIES = 3  # as serve_versioned: a swap seen while reading the old version, read again


def availability_read(state: QueryState, show_id: UUID) -> ReadShow:
    """The show's version and its availability body's encoder, from one statement."""

    async def read() -> Read | None:
        read = await readers.availability_at(state.engine, state.views, PROJECTION, show_id)
        if read is None:
            return None
        version, zones = read
        assert version.seq is not None  # a show's version always has its seq
        body = AvailabilityPublic(show_id=show_id, seq=version.seq, zones=zones)
        return version, lambda: body.model_dump_json().encode()

    return read


def whole_map_read(state: QueryState, show_id: UUID, format: str) -> ReadShow:
    """The show's version and its whole seat map's encoder (``format``: full or compact), from the
    kept layout and one string of statuses read with the version."""

    async def read() -> Read | None:
        kept = await state.layouts.read_statuses(state.engine, state.views, PROJECTION, show_id)
        return None if kept is None else _whole_map(show_id, format, *kept)

    return read


def zone_map_read(state: QueryState, show_id: UUID, zone_id: str, format: str) -> ReadShow:
    """The show's version and its zone's seat map's encoder (``format``: full or compact), from one
    statement; the encoder refuses a zone the show does not have (404 ``zone_not_found``)."""

    async def read() -> Read | None:
        read = await readers.seats_at(state.engine, state.views, PROJECTION, show_id, zone_id)
        if read is None:
            return None
        version, rows = read
        assert version.seq is not None  # a show's version always has its seq
        seq = version.seq

        def body() -> bytes:
            if not rows:
                raise ApiError(
                    404, "zone_not_found", f"show {show_id} has no zone {zone_id}", zone_id=zone_id
                )
            encode = seatmap.compact_json if format == "compact" else seatmap.full_json
            return encode(show_id, seq, rows)

        return version, body

    return read


def _whole_map(show_id: UUID, format: str, version: DbVersion, layout: KeptLayout, statuses: str) -> Read:
    """Every seat's map from the kept layout: the compact one straight from the statuses' runs."""
    assert version.seq is not None  # a show's version always has its seq
    seq = version.seq
    if format == "compact":
        return version, lambda: seatmap.compact_body(show_id, seq, layout.compact_zones(statuses))
    return version, lambda: seatmap.full_json(show_id, seq, layout.rows(statuses))


async def show_answer(
    state: QueryState,
    show_id: UUID,
    *,
    variant: str,
    read: ReadShow,
    if_none_match: str | None,
    from_memory: bool,
) -> tuple[str, bytes | None]:
    """The ETag and the body (None: 304) of one show's versioned read.

    ``from_memory``: memory satisfies the request's token, so memory's version
    of the show may label the answer (a 304 or a cached body then costs no
    round trip); otherwise ``read`` reads the version with the body.
    """
    tracker = state.tracker

    async def rebuild() -> tuple[str, bytes | None]:
        for attempt in range(_SWAP_RETRIES):
            got = await read()
            if got is None:
                raise show_not_found(show_id)()
            version, encode = got
            tracker.merge(PROJECTION, version.label, version.marks)
            if version.label not in tracker.stale_labels or attempt == _SWAP_RETRIES - 1:
                break
        etag = etag_for(variant, version.key)
        if not_modified(if_none_match, etag):
            return etag, None
        body = state.cache.get(etag)
        if body is None:
            body = encode()
            state.cache.put(etag, body)
        return etag, body

    memory_version = tracker.show_version(PROJECTION, show_id) if from_memory and tracker.synced else None
    if memory_version is None:
        return await rebuild()
    etag = etag_for(variant, memory_version)
    if not_modified(if_none_match, etag):
        return etag, None
    body = state.cache.get(etag)
    if body is None:
        return await _shared(state, etag, rebuild)
    return etag, body


class _OtherVersion(Exception):
    """A shared rebuild read another version than the one its waiters asked for."""


async def _shared(
    state: QueryState, etag: str, rebuild: Callable[[], Awaitable[tuple[str, bytes | None]]]
) -> tuple[str, bytes | None]:
    """``rebuild()``'s answer, or the body of ``etag`` another request's rebuild of it is reading.

    When a rebuild reads another version (memory was behind the database) its
    waiters read for themselves (``SingleFlight``: a failed build is not shared).
    """
    rebuilt: list[tuple[str, bytes | None]] = []

    async def load() -> bytes:
        rebuilt.append(await rebuild())
        read_etag, body = rebuilt[-1]
        if read_etag != etag or body is None:
            raise _OtherVersion
        return body

    try:
        return etag, await state.flights.build(etag, load)
    except _OtherVersion:
        return rebuilt[-1]
