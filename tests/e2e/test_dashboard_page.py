"""The dashboard page in headless Chromium, against a running stack, while commands run.

What the page shows (DOM data attributes and the colours actually painted on
the seat-map canvas) is compared with what the query API's JSON says. Each
run saves a screenshot under test-artifacts/.
"""

import asyncio
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from cli.demo.api import BoxofficeClient, Endpoints
from cli.demo.catalog import Catalog
from cli.demo.journey import Behaviour
from cli.demo.layout import ZoneSpec, venue_capacity
from cli.demo.ratelimit import TokenBucket
from cli.demo.setup import put_on_sale
from cli.demo.simulator import SimulationConfig, run_on_sale
from cli.demo.stats import DemoStats
from infra.settings import REPO_ROOT
from tests.e2e.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads a browser here
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = REPO_ROOT / "test-artifacts"
# The seat colours of style.css, as the canvas paints them.
PAINT = {"available": (62, 207, 142), "held": (245, 185, 66), "sold": (229, 72, 77)}
PAGE_WAIT_MS = 20_000
VIEWER_KEY = "e2e-viewer-key"
T = TypeVar("T")


def endpoints_of(stack: Stack) -> Endpoints:
    return Endpoints(stack.command_url, stack.query_url, "e2e-operator-key", "e2e-checkout-key", VIEWER_KEY)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("headless Chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a thread of its own: Playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def open_show(stack: Stack, zones: tuple[ZoneSpec, ...] | None = None) -> Catalog:
    """Create one show (of the demo venue unless ``zones``) and wait until the read side has it."""

    async def create() -> tuple[Catalog, str]:
        async with httpx.AsyncClient(timeout=30) as http:
            client = BoxofficeClient(http, endpoints_of(stack))
            return await (put_on_sale(client, 1, zones) if zones else put_on_sale(client, 1))

    catalog, token = in_own_loop(create())
    show_id = catalog.shows[0].show_id
    for _ in range(6):
        answer = httpx.get(
            f"{stack.query_url}/v1/shows/{show_id}/seats",
            params={"consistency_token": token, "wait_ms": 5000},
            timeout=15,
        )
        if answer.status_code == 200:
            return catalog
    pytest.fail(f"show {show_id} never reached the read model: {answer.status_code} {answer.text[:300]}")


def crowd(stack: Stack, catalog: Catalog, seconds: float) -> DemoStats:
    """A small simulated on-sale on ``catalog`` for ``seconds``; every order is paid, nothing expires."""

    async def main() -> DemoStats:
        stats = DemoStats(started_at=time.monotonic())
        behaviour = Behaviour(let_expire=0.0, pay=1.0, think_seconds=0.05)
        stop = asyncio.Event()
        async with httpx.AsyncClient(timeout=30) as http:
            client = BoxofficeClient(http, endpoints_of(stack), stats, limiter=TokenBucket(40))
            asyncio.get_running_loop().call_later(seconds, stop.set)
            await run_on_sale(
                client, catalog, SimulationConfig(customers=6, behaviour=behaviour), stats, stop
            )
        return stats

    return asyncio.run(main())


def checkout(stack: Stack, method: str, path: str, customer: str, body: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": "Bearer e2e-checkout-key", "X-Customer-Id": customer}
    if method == "POST":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    response = httpx.request(method, f"{stack.command_url}{path}", json=body, headers=headers, timeout=15)
    assert response.status_code in (200, 201), response.text
    return response.json()


def seat_map_json(stack: Stack, show_id: str, token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"consistency_token": token, "wait_ms": 5000} if token else {}
    response = httpx.get(f"{stack.query_url}/v1/shows/{show_id}/seats", params=params, timeout=15)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def dashboard_json(stack: Stack, token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"consistency_token": token, "wait_ms": 5000} if token else {}
    response = httpx.get(
        f"{stack.query_url}/v1/dashboard",
        params=params,
        headers={"Authorization": f"Bearer {VIEWER_KEY}"},
        timeout=15,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_for_seq(page: Page, seq: int) -> None:
    """Until the page has drawn the seat map at stream position ``seq`` or later."""
    page.wait_for_function(
        "seq => Number(document.getElementById('seatmap').dataset.seq) >= seq", arg=seq, timeout=PAGE_WAIT_MS
    )


def assert_painted(page: Page, seat_id: str, status: str) -> None:
    assert page.evaluate("id => window.boxofficeDashboard.seatStatus(id)", seat_id) == status
    red, green, blue, alpha = page.evaluate("id => window.boxofficeDashboard.seatPixel(id)", seat_id)
    expected = PAINT[status]
    assert alpha == 255
    assert all(abs(got - want) <= 3 for got, want in zip((red, green, blue), expected, strict=True)), (
        f"{seat_id} painted {(red, green, blue)}, expected {status} {expected}"
    )


def assert_page_matches_seat_map(page: Page, body: dict[str, Any]) -> None:
    """Every seat's status on the page is the JSON's, and a sample of each status is painted right."""
    wait_for_seq(page, int(body["seq"]))
    expected = {s["seat_id"]: s["status"] for s in body["seats"]}
    shown = page.evaluate("window.boxofficeDashboard.seatStatuses()")
    assert page.evaluate("document.getElementById('seatmap').dataset.seq") == str(body["seq"])
    assert shown == expected
    for status in PAINT:
        for seat_id in [s for s, st in expected.items() if st == status][:5]:
            assert_painted(page, seat_id, status)
    counts = page.evaluate("({...document.getElementById('seatmap').dataset})")
    for status in PAINT:
        assert int(counts[status]) == sum(1 for st in expected.values() if st == status)


def assert_show_row_matches(page: Page, stack: Stack, show_id: str, token: str) -> None:
    row = next(s for s in dashboard_json(stack, token)["by_show"] if s["show_id"] == show_id)
    page.wait_for_function(
        """([id, sold, held]) => {
            const tr = document.querySelector(`tr[data-show-id="${id}"]`);
            return tr && Number(tr.dataset.sold) === sold && Number(tr.dataset.held) === held;
        }""",
        arg=[show_id, row["sold"], row["held"]],
        timeout=PAGE_WAIT_MS,
    )


def assert_totals_match_eventually(page: Page, stack: Stack) -> None:
    """The KPI figures equal the dashboard JSON's totals at some poll (other shows keep selling)."""
    names = ("tickets_sold", "revenue_cents", "orders_paid", "held_seats")
    shown: dict[str, int] = {}
    totals: dict[str, int] = {}
    for _ in range(30):
        totals = {n: dashboard_json(stack)["totals"][n] for n in names}
        shown = page.evaluate(
            """names => Object.fromEntries(names.map(n =>
                [n, Number(document.querySelector(`[data-total="${n}"]`).dataset.value)]))""",
            list(names),
        )
        if shown == totals:
            return
        page.wait_for_timeout(700)
    assert shown == totals


def assert_referrers_match_eventually(page: Page, stack: Stack) -> None:
    shown: dict[str, int] = {}
    expected: dict[str, int] = {}
    for _ in range(30):
        expected = {r["referrer_id"]: r["tickets_sold"] for r in dashboard_json(stack)["by_referrer"]}
        shown = page.evaluate(
            """() => Object.fromEntries(
                [...document.querySelectorAll('#referrers-table tr[data-referrer-id]')]
                .map(tr => [tr.dataset.referrerId, Number(tr.dataset.ticketsSold)]))"""
        )
        if shown == expected:
            return
        page.wait_for_timeout(700)
    assert shown == expected


def test_the_page_follows_the_read_model_while_commands_run(stack: Stack, browser: Browser) -> None:
    catalog = open_show(stack)
    show = catalog.shows[0]
    page = browser.new_page(viewport={"width": 1440, "height": 1600})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{stack.query_url}/shows/{show.show_id}?key={VIEWER_KEY}")

    # The key moved from the address bar into this tab's storage; the map drew every seat.
    assert "key=" not in page.url
    assert page.evaluate("sessionStorage.getItem('boxoffice.viewerKey')") == VIEWER_KEY
    capacity = venue_capacity()
    page.wait_for_function(
        "n => document.getElementById('seatmap').dataset.seats === String(n)",
        arg=capacity,
        timeout=PAGE_WAIT_MS,
    )
    assert_page_matches_seat_map(page, seat_map_json(stack, show.show_id))

    # While a crowd buys seats, the page changes without a reload.
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(crowd, stack, catalog, 8.0)
        page.wait_for_function(
            "() => Number(document.getElementById('seatmap').dataset.sold) > 0", timeout=PAGE_WAIT_MS
        )
        stats = running.result(timeout=120)
    assert stats.tickets_sold > 0

    # One customer of our own: hold two free seats, see them held; pay, see them sold; cancel, see them free.
    free = [s["seat_id"] for s in seat_map_json(stack, show.show_id)["seats"] if s["status"] == "available"]
    seats, customer = free[:2], str(uuid.uuid4())
    hold = checkout(
        stack,
        "POST",
        f"/v1/shows/{show.show_id}/holds",
        customer,
        {"customer_id": customer, "seat_ids": seats},
    )
    held = seat_map_json(stack, show.show_id, hold["consistency_token"])
    assert all(s["status"] == "held" for s in held["seats"] if s["seat_id"] in seats)
    assert_page_matches_seat_map(page, held)

    order = checkout(
        stack, "POST", "/v1/orders", customer, {"hold_id": hold["hold_id"], "customer_id": customer}
    )
    paid = checkout(
        stack,
        "POST",
        f"/v1/orders/{order['order_id']}/payment",
        customer,
        {"payment_ref": "e2e-page", "amount_cents": order["total_cents"]},
    )
    sold = seat_map_json(stack, show.show_id, paid["consistency_token"])
    assert_page_matches_seat_map(page, sold)
    for seat_id in seats:
        assert_painted(page, seat_id, "sold")
    assert_show_row_matches(page, stack, show.show_id, paid["consistency_token"])
    assert_totals_match_eventually(page, stack)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-page-{show.show_id[:8]}.png"), full_page=True)

    cancelled = checkout(stack, "POST", f"/v1/orders/{order['order_id']}/cancel", customer, {"reason": "e2e"})
    after = seat_map_json(stack, show.show_id, cancelled["consistency_token"])
    assert_page_matches_seat_map(page, after)
    for seat_id in seats:
        assert_painted(page, seat_id, "available")
    assert_show_row_matches(page, stack, show.show_id, cancelled["consistency_token"])

    # The referrer table and the sales-by-day chart are drawn from the same JSON.
    assert_referrers_match_eventually(page, stack)
    assert page.locator("#sales-by-day rect.bar").count() == min(
        14, len(dashboard_json(stack)["sales_by_day"])
    )
    assert problems == []
    page.close()


def test_a_refused_key_is_asked_for_again(stack: Stack, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{stack.query_url}/?key=not-a-valid-key")
    dialog = page.locator("#key-dialog")
    dialog.wait_for(state="visible", timeout=PAGE_WAIT_MS)
    assert "refused" in page.locator("#key-error").inner_text()
    page.fill("#key-input", VIEWER_KEY)
    page.click("#key-submit")
    page.wait_for_function(
        "() => document.getElementById('freshness').dataset.state === 'live'", timeout=PAGE_WAIT_MS
    )
    assert page.evaluate("sessionStorage.getItem('boxoffice.viewerKey')") == VIEWER_KEY
    page.close()


def test_an_unknown_show_is_reported_and_the_rest_still_updates(stack: Stack, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{stack.query_url}/shows/{uuid.uuid4()}?key={VIEWER_KEY}")
    empty = page.locator("#seatmap-empty")
    page.wait_for_function(
        "() => document.getElementById('seatmap-empty').textContent.includes('not in the read model')",
        timeout=PAGE_WAIT_MS,
    )
    assert empty.is_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-total=tickets_sold]').dataset.value !== undefined",
        timeout=PAGE_WAIT_MS,
    )
    assert page.locator("#freshness").get_attribute("data-state") == "live"
    page.close()


def test_a_twenty_thousand_seat_map_renders(stack: Stack, browser: Browser) -> None:
    zones = tuple(ZoneSpec(zone_id, f"Zone {zone_id}", 50, 100, 5000) for zone_id in "ABCD")
    catalog = open_show(stack, zones)
    show_id = catalog.shows[0].show_id
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(f"{stack.query_url}/shows/{show_id}?key={VIEWER_KEY}")
    page.wait_for_function(
        "() => document.getElementById('seatmap').dataset.seats === '20000'", timeout=PAGE_WAIT_MS
    )
    for seat_id in ("A-1-1", "B-25-50", "D-50-100"):
        assert_painted(page, seat_id, "available")
    page.close()
