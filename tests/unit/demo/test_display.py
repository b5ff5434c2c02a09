"""The live view renders whatever the read side answers, and formats money from cents."""

from rich.console import Console

from cli.demo.display import money, render
from cli.demo.stats import DemoStats
from cli.demo.watch import ReadSnapshot, projection_rows


def test_money_from_cents() -> None:
    assert money(0) == "$0.00"
    assert money(123456) == "$1,234.56"
    assert money(-505) == "-$5.05"


def test_projection_rows_from_the_query_api_shape() -> None:
    body = {
        "projections": [
            {"projection": "dashboard", "active_version": 2, "state": "live", "lag": 1234, "dlq_count": 1},
            {"projection": "seat_availability", "active_version": None, "state": "missing", "lag": None},
        ]
    }
    rows = projection_rows(body)
    assert [(r.name, r.version, r.state, r.lag, r.dlq) for r in rows] == [
        ("dashboard", "2", "live", "1,234", "1"),
        ("seat_availability", "-", "missing", "-", "0"),
    ]


def test_projection_rows_tolerate_other_shapes() -> None:
    assert projection_rows({"items": [{"name": "x", "lag": {"0": 2, "1": 3}}]})[0].lag == "5"
    assert projection_rows({"projections": "nonsense"}) == []


def test_read_snapshot_sums_only_this_runs_shows() -> None:
    read = ReadSnapshot(show_ids=frozenset({"s1"}))
    read.take_dashboard(
        {
            "totals": {"tickets_sold": 99},
            "by_show": [
                {"show_id": "s1", "sold": 4, "held": 2, "revenue_cents": 1000},
                {"show_id": "other", "sold": 50, "held": 0, "revenue_cents": 9999},
            ],
        },
        now=1.0,
    )
    assert (read.shows_sold, read.shows_held, read.shows_revenue_cents) == (4, 2, 1000)
    read.projections = projection_rows({"projections": [{"projection": "d", "lag": 3}]})
    assert not read.caught_up
    read.projections = projection_rows({"projections": [{"projection": "d", "lag": 0}]})
    assert read.caught_up


def test_render_shows_commands_sales_and_lag() -> None:
    stats = DemoStats(started_at=0.0)
    stats.record("hold", 201, now=1.0, latency=0.01)
    stats.record("hold", 409, now=1.0, latency=0.01)
    stats.paid(2, 17800)
    read = ReadSnapshot(show_ids=frozenset({"s1"}))
    read.take_dashboard({"totals": {"orders_paid": 1}, "by_show": [{"show_id": "s1", "sold": 2}]}, now=1.0)
    read.projections = projection_rows({"projections": [{"projection": "dashboard", "lag": 7}]})
    console = Console(width=120, record=True)
    console.print(render(stats, read, now=2.0, footer="Ctrl-C to stop"))
    text = console.export_text()
    assert "$178.00" in text
    assert "dashboard" in text
    assert "Ctrl-C to stop" in text


def test_events_behind_compares_accepted_positions_with_the_read_model() -> None:
    read = ReadSnapshot(show_ids=frozenset({"s1", "s2"}))
    assert read.events_behind({"s1": 5}) is None  # nothing read yet: unknown, not zero
    read.read_seq = {"s1": 3, "s2": 8}
    assert read.events_behind({"s1": 5, "s2": 8}) == 2
    assert read.events_behind({"s1": 2}) == 0
