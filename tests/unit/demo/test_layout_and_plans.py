"""The demo venue, shows and customer plans: valid requests, sensible mixes, deterministic seeds."""

import random
import re
from collections import Counter
from datetime import UTC, datetime

from cli.demo.api import Reply
from cli.demo.catalog import SOLD_OUT_BACKOFF_SECONDS, Catalog, ShowOnSale
from cli.demo.journey import Behaviour, plan_journey, unavailable_seats
from cli.demo.layout import DEMO_ZONES, show_requests, venue_capacity, venue_request

LAYOUT_ID = re.compile(r"^[A-Za-z0-9_]{1,16}$")


def test_the_venue_has_several_zones_and_a_few_thousand_seats() -> None:
    body = venue_request("abc123")
    assert len(body["zones"]) >= 3
    assert 2000 <= venue_capacity() <= 5000
    seats = sum(row["seats"] for zone in body["zones"] for row in zone["rows"])
    assert seats == venue_capacity()
    for zone in body["zones"]:
        assert LAYOUT_ID.match(zone["zone_id"])
        assert all(LAYOUT_ID.match(row["row"]) for row in zone["rows"])


def test_shows_are_future_evenings_priced_for_every_zone() -> None:
    now = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    bodies = show_requests("venue-1", 3, now)
    starts = [datetime.fromisoformat(b["starts_at"]) for b in bodies]
    assert all(s > now for s in starts)
    assert starts == sorted(starts)
    assert len({b["title"] for b in bodies}) == 3
    for body in bodies:
        assert set(body["prices"]) == {z.zone_id for z in DEMO_ZONES}
        assert all(price > 0 for price in body["prices"].values())


def catalog() -> Catalog:
    show = ShowOnSale("s1", "The Tempest", ("A", "B"), {"A": 8900, "B": 6500})
    return Catalog((show,))


def test_plans_mix_every_kind_of_customer() -> None:
    rng, behaviour = random.Random(3), Behaviour()
    plans = [plan_journey(rng, behaviour, catalog(), now=0.0) for _ in range(2000)]
    assert all(p is not None for p in plans)
    endings = Counter(p.ending for p in plans if p)
    assert endings["order"] > endings["abandon"] > endings["expire"] > 0
    assert any(p.from_map for p in plans if p)
    assert any(not p.from_map for p in plans if p)
    assert any(p.referrer_id for p in plans if p)
    assert any(p.referrer_id is None for p in plans if p)
    assert any(p.cancel for p in plans if p)
    for plan in plans:
        assert plan is not None
        assert 1 <= plan.quantity <= behaviour.max_quantity
        assert plan.cancel <= plan.pay <= (plan.ending == "order")
        assert (plan.ttl_seconds is not None) == (plan.ending == "expire")


def test_the_same_seed_gives_the_same_plans() -> None:
    first = [plan_journey(random.Random(9), Behaviour(), catalog(), 0.0) for _ in range(5)]
    second = [plan_journey(random.Random(9), Behaviour(), catalog(), 0.0) for _ in range(5)]
    assert first == second


def test_sold_out_zones_are_skipped_until_the_backoff_passes() -> None:
    shows = catalog()
    shows.mark_sold_out("s1", "A", now=100.0)
    assert [zone for _, zone in shows.open_zones(now=101.0)] == ["B"]
    shows.mark_sold_out("s1", "B", now=100.0)
    assert plan_journey(random.Random(0), Behaviour(), shows, now=101.0) is None
    assert len(shows.open_zones(now=100.0 + SOLD_OUT_BACKOFF_SECONDS)) == 2


def test_the_seats_a_409_names_are_read_whatever_the_field() -> None:
    assert unavailable_seats(Reply(409, {"error": {"code": "seats_unavailable", "seat_ids": ["A-1-1"]}})) == {
        "A-1-1"
    }
    assert unavailable_seats(Reply(409, {"error": {"code": "seats_unavailable", "seats": ["A-1-2"]}})) == {
        "A-1-2"
    }
    assert unavailable_seats(Reply(409, {"detail": "?"})) == set()
