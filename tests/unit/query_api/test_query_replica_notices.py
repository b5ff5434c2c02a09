"""Notices on a hot standby: their WAL positions, held until the standby replayed them (no I/O)."""

from uuid import uuid4

import pytest

from contracts.progress import (
    MAX_PAYLOAD_BYTES,
    ProgressNotice,
    decode_progress,
    encode_progress,
    encode_swap,
    format_lsn,
    lsn_splice,
    parse_lsn,
)
from query_api.consistency.held import HeldNotices, replay_target
from query_api.consistency.tracker import Resync, VersionTracker

VIEWS = "read"
KIND = "seat_availability"
A = uuid4()


def sent(payload: str, lsn_text: str) -> str:
    """What the projector's statement sends: ``head || pg_current_wal_flush_lsn()::text || tail``."""
    head, tail = lsn_splice(payload)
    return head + lsn_text + tail


def notice(lsn: int | None, seq: int = 1, *, swap: bool = False) -> ProgressNotice:
    if swap:
        return ProgressNotice(registry=KIND, views_schema=VIEWS, kind=KIND, swap=True, lsn=lsn)
    return ProgressNotice(registry=KIND, version=1, views_schema=VIEWS, kind=KIND, seqs={A: seq}, lsn=lsn)


@pytest.mark.parametrize("text", ["0/0", "0/16B3748", "16/B374D848", "FFFFFFFF/FFFFFFFF"])
def test_wal_positions_read_and_write_as_postgres_does(text: str) -> None:
    assert format_lsn(parse_lsn(text)) == text


def test_positions_order_as_numbers_across_the_high_half() -> None:
    assert parse_lsn("1/0") > parse_lsn("0/FFFFFFFF")
    assert parse_lsn("0/10") == 16


@pytest.mark.parametrize("text", ["", "16B3748", "/1", "1/", "x/1", "1/2/3", "123456789/0", "-1/0", " 1/0"])
def test_a_malformed_position_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a WAL position"):
        parse_lsn(text)


def test_a_batch_notice_carries_the_position_spliced_in_by_the_sender() -> None:
    payload = encode_progress(KIND, 3, VIEWS, KIND, {A: 7})
    decoded = decode_progress(sent(payload, "2/A0"))
    assert decoded.lsn == (2 << 32) + 0xA0
    assert decoded.seqs == {A: 7}
    assert decoded.version == 3
    assert decode_progress(payload).lsn is None  # an older sender: no position


def test_the_largest_notice_with_the_longest_position_stays_under_postgres_limit() -> None:
    for shows in range(150, 260):  # around the size where the seqs are dropped
        payload = encode_progress(KIND, 1, VIEWS, KIND, {uuid4(): 10**12 for _ in range(shows)})
        assert len(payload.encode()) < MAX_PAYLOAD_BYTES
        assert len(sent(payload, "FFFFFFFF/FFFFFFFF").encode()) < 8000


def test_a_notice_with_a_malformed_position_asks_for_a_re_read() -> None:
    payload = encode_progress(KIND, 1, VIEWS, KIND, {A: 7})
    decoded = decode_progress(sent(payload, "not-a-position"))
    assert decoded.seqs is None
    assert decoded.lsn is None


def test_held_notices_leave_in_arrival_order_once_replayed() -> None:
    held = HeldNotices()
    first, second, third = notice(100, 1), notice(200, 2), notice(300, 3)
    for n in (first, second, third):
        held.add(n)
    assert held.due(99) == []
    assert held.due(200) == [first, second]  # at the position counts as replayed
    assert len(held) == 1
    assert held.waiting_for() == 300
    assert held.due(10_000) == [third]
    assert held.due(10_000) == []
    assert held.waiting_for() is None


def test_a_later_notice_never_overtakes_an_earlier_one_not_yet_replayed() -> None:
    held = HeldNotices()
    late, early = notice(500, 1), notice(100, 2)  # e.g. two projectors' notices crossing
    held.add(late)
    held.add(early)
    assert held.due(100) == []
    assert held.due(500) == [late, early]


def test_a_notice_without_position_waits_for_the_primary_position_read_after_it() -> None:
    held = HeldNotices()
    batch, swap, after = notice(100), notice(None, swap=True), notice(150)
    held.add(batch)
    held.add(swap)
    held.add(after)
    assert held.unstamped
    assert held.due(10_000) == [batch]  # the swap blocks everything behind it until stamped
    held.stamp(400)
    assert not held.unstamped
    assert held.due(399) == []
    assert held.due(400) == [swap, after]


def test_stamping_leaves_positions_the_notices_brought() -> None:
    held = HeldNotices()
    held.add(notice(900))
    held.add(notice(None, swap=True))
    held.stamp(400)
    assert held.due(400) == []  # the first one still waits for its own 900
    assert held.waiting_for() == 900


@pytest.mark.parametrize(
    ("lsn", "target"),
    [
        (0x1_0000_2018, 0x1_0000_2000),  # just past a page header: the page's start
        (0x1_0100_0028, 0x1_0100_0000),  # just past a segment's long header
        (0x1_0000_2030, 0x1_0000_2030),  # a record's end on the page: itself
        (0x1_0000_2000, 0x1_0000_2000),  # a page boundary: itself
        (0x1_0000_1FF8, 0x1_0000_1FF8),
    ],
)
def test_a_position_inside_a_page_header_is_reached_at_the_page_start(lsn: int, target: int) -> None:
    assert replay_target(lsn) == target


def test_a_tracker_fed_only_what_was_replayed_never_claims_more() -> None:
    tracker = VersionTracker(VIEWS)
    tracker.resync_wanted = False  # as a listener does before re-reading
    tracker.load(Resync([(KIND, 1, "live"), ("dashboard", 1, "live")], {KIND: {A: 1}}))
    held = HeldNotices()
    held.add(notice(100, 5))
    held.add(decode_progress(encode_swap(KIND, 2, VIEWS, KIND)))  # no position: stamped below
    held.stamp(300)
    for n in held.due(250):
        tracker.on_notice(n)
    assert tracker.seq(KIND, A) == 5
    assert tracker.synced
    assert not tracker.resync_wanted
    for n in held.due(300):
        tracker.on_notice(n)
    assert not tracker.synced
    assert tracker.resync_wanted
