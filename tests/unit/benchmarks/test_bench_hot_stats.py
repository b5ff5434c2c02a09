"""hot_best --table-stats: a case's counters per accepted hold and per index scan."""

from benchmarks.commands.hot_stats import per_hold


def test_counters_are_shown_per_hold_and_per_scan() -> None:
    before = {
        "table seat_inventory": (100, 0, 5, 0, 0),
        "index seat_inventory_available": (10, 1280, 1280),
        "slru Xact": (1000, 0),
    }
    after = {
        "table seat_inventory": (300, 50, 205, 1, 1),
        "index seat_inventory_available": (110, 51280, 12800),
        "slru Xact": (201000, 100),
        "index outbox_pkey": (0, 0, 0),
    }
    assert per_hold(before, after, 100) == [
        "index seat_inventory_available: scans/hold 1.00  entries read/scan 500.0  rows fetched/scan 115.2",
        "slru Xact: hits/hold 2000  reads/hold 1.0",
        "table seat_inventory: updates/hold 2.00  HOT 25%  dead now 205  autovacuums 1  autoanalyzes 1",
    ]
