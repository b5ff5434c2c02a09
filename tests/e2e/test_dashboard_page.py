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
from playwright.sync_api import Browser, Page, Route, sync_playwright

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


def order_and_pay(stack: Stack, hold_id: str, customer: str, payment_ref: str) -> tuple[Any, Any]:
    """Order ``hold_id`` for ``customer`` and pay its total: the order's and the payment's answers."""
    order = checkout(stack, "POST", "/v1/orders", customer, {"hold_id": hold_id, "customer_id": customer})
    paid = checkout(
        stack,
        "POST",
        f"/v1/orders/{order['order_id']}/payment",
        customer,
        {"payment_ref": payment_ref, "amount_cents": order["total_cents"]},
    )
    return order, paid


def seat_map_json(stack: Stack, show_id: str, token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"consistency_token": token, "wait_ms": 5000} if token else {}
    response = httpx.get(f"{stack.query_url}/v1/shows/{show_id}/seats", params=params, timeout=15)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def dashboard_json(stack: Stack, token: str | None = None, **filters: str) -> dict[str, Any]:
    """GET /v1/dashboard as the viewer, with ``filters`` (show_id, from, to); once ``token`` is satisfied."""
    params: dict[str, Any] = {"consistency_token": token, "wait_ms": 5000} if token else {}
    params.update(filters)
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


def assert_page_shows_seats(
    page: Page, stack: Stack, show_id: str, token: str, *, seats: list[str], status: str
) -> None:
    """Once the read model has ``token``: the page's seat map and show row match the JSON, and each
    of ``seats`` is painted in ``status``'s colour."""
    assert_page_matches_seat_map(page, seat_map_json(stack, show_id, token))
    for seat_id in seats:
        assert_painted(page, seat_id, status)
    assert_show_row_matches(page, stack, show_id, token)


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

    order, paid = order_and_pay(stack, hold["hold_id"], customer, "e2e-page")
    assert_page_shows_seats(page, stack, show.show_id, paid["consistency_token"], seats=seats, status="sold")
    assert_totals_match_eventually(page, stack)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-page-{show.show_id[:8]}.png"), full_page=True)

    cancelled = checkout(stack, "POST", f"/v1/orders/{order['order_id']}/cancel", customer, {"reason": "e2e"})
    assert_page_shows_seats(
        page, stack, show.show_id, cancelled["consistency_token"], seats=seats, status="available"
    )

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


# Totals the size of a season of sold-out stadium shows: the figures must still be readable.
LARGE_TOTALS = {
    "orders_pending": 48_213,
    "orders_paid": 987_654,
    "orders_cancelled": 123_456,
    "orders_expired": 234_567,
    "tickets_sold": 2_345_678,
    "revenue_cents": 1_672_074_599,
    "refunded_cents": 9_876_543_210,
    "live_holds": 12_345,
    "held_seats": 45_678,
}
ROW_SCALE = 100_000  # each row's revenue and ticket counts, scaled alike
COMPACT_UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def enlarged(body: dict[str, Any]) -> dict[str, Any]:
    """The real /v1/dashboard answer, its totals replaced by LARGE_TOTALS and its rows' figures scaled."""
    body["totals"] = dict(LARGE_TOTALS)
    for name in ("sales_by_day", "by_show", "by_zone", "by_referrer"):
        for row in body[name]:
            for field in ("revenue_cents", "tickets_sold", "orders_paid"):
                if field in row:
                    row[field] *= ROW_SCALE
    return body


def serve_large_dashboard(route: Route) -> None:
    """Fetch the query API's own answer and fulfil with it enlarged (no ETag: every poll is a 200)."""
    headers = {k: v for k, v in route.request.headers.items() if k.lower() != "if-none-match"}
    response = route.fetch(headers=headers)
    if response.status != 200:
        route.fulfill(response=response)
        return
    route.fulfill(status=200, json=enlarged(response.json()), headers={"Cache-Control": "no-store"})


def exact_money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def figure_value(text: str) -> float:
    """The number a figure shows: "$1.67M" -> 1_670_000.0, "refunds $1,234.50" -> 1234.5."""
    number = text.rsplit(maxsplit=1)[-1].replace("$", "").replace(",", "")
    unit = COMPACT_UNITS.get(number[-1:], 1)
    return float(number.rstrip("KMBT")) * unit


def assert_compact_or_exact(text: str, exact: str, value: float, what: str) -> None:
    if text == exact:
        return
    assert abs(figure_value(text) - value) <= 0.01 * abs(value), f"{what}: {text!r} is not {exact}"


FIGURES_JS = """() => {
    const describe = (n) => n.id || n.dataset.total || `${n.closest('table')?.id}:${n.cellIndex}`;
    const figures = [...document.querySelectorAll('.kpi .value, .kpi .sub, table.data td.num')];
    const boxes = [...document.querySelectorAll('.kpi, .card, .scroll')];
    return {
        figures: figures.map(n => ({
            what: describe(n), text: n.textContent, title: n.getAttribute('title'),
            scrollWidth: n.scrollWidth, clientWidth: n.clientWidth,
            total: n.dataset.total ?? null, value: n.dataset.value ?? null, exact: n.dataset.exact ?? null,
        })),
        overflowing: boxes.filter(n => n.scrollWidth > n.clientWidth)
            .map(n => `${n.className} ${n.id || n.querySelector('h2, .label')?.textContent}: `
                      + `${n.scrollWidth} > ${n.clientWidth}`),
        page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    };
}"""


def truncated(measured: dict[str, Any]) -> list[str]:
    cut = [
        f"{f['what']} {f['text']!r}: scrollWidth {f['scrollWidth']} > clientWidth {f['clientWidth']}"
        for f in measured["figures"]
        if f["scrollWidth"] > f["clientWidth"]
    ]
    page_width, viewport = measured["page"]
    if page_width > viewport:
        cut.append(f"the page scrolls sideways: {page_width} > {viewport}")
    cut.extend(measured["overflowing"])
    return cut


def test_large_totals_are_never_truncated(stack: Stack, browser: Browser) -> None:
    catalog = open_show(stack)
    with ThreadPoolExecutor(1) as pool:  # crowd() runs a loop of its own; Playwright's owns this thread
        stats = pool.submit(crowd, stack, catalog, 3.0).result(timeout=120)
    assert stats.tickets_sold > 0
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.route("**/v1/dashboard*", serve_large_dashboard)
    page.goto(f"{stack.query_url}/shows/{catalog.shows[0].show_id}?key={VIEWER_KEY}")
    page.wait_for_function(
        """cents => document.querySelector('[data-total=revenue_cents]').dataset.value === String(cents)
            && document.querySelector('#referrers-table tr[data-referrer-id]') !== null
            && document.querySelector('#zones-table tr[data-zone-id]') !== null""",
        arg=LARGE_TOTALS["revenue_cents"],
        timeout=PAGE_WAIT_MS,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    failures: list[str] = []  # every width is looked at before the test fails, to report them all
    for width in (1400, 1024, 1920, 1120, 1280):
        page.set_viewport_size({"width": width, "height": 1000})
        measured: dict[str, Any] = {}
        for _ in range(20):  # the page may re-fit its figures a frame or a poll after a resize
            page.wait_for_timeout(100)
            measured = page.evaluate(FIGURES_JS)
            if not truncated(measured):
                break
        page.screenshot(path=str(ARTIFACTS / f"dashboard-large-{width}.png"), full_page=True)
        failures += [f"at {width} px: {cut}" for cut in truncated(measured)]
        for figure in measured["figures"]:
            what, text, exact = f"{figure['what']} at {width} px", figure["text"], figure["exact"]
            if figure["total"] is not None:  # a KPI: its exact text is worked out here, not read off the page
                value = LARGE_TOTALS[figure["total"]]
                assert figure["value"] == str(value)
                cents = figure["total"].endswith("_cents")
                exact = exact_money(value) if cents else f"{value:,}"
            # A compacted figure (tables too) means the same number and has the exact text as its tooltip.
            if exact is not None and text != exact:
                assert_compact_or_exact(text, exact, figure_value(exact), what)
                if figure["title"] != exact:
                    failures.append(f"{what}: shows {text!r}, no tooltip {exact!r}")
    assert not failures, "\n".join(["figures cut:", *failures])
    assert problems == []
    # A poll may be mid-fetch in the handler: closing under it would raise in the next test's page.
    page.unroute_all(behavior="wait")
    page.close()


FORMAT_JS = """async () => {
    const f = await import('/assets/format.js');
    const cents = [0, 4_500, 16_720_745, 99_999_999, 1_672_074_599, -1_672_074_599, 100_000_000_000];
    const counts = [0, 999, 1_000, 48_213, 999_999, 2_345_678];
    const shown = (n) => ({
        text: n.textContent, title: n.getAttribute('title'), tight: n.classList.contains('tight'),
    });

    // A KPI-like figure in a box of a width set here (through the CSSOM: the CSP forbids style attributes).
    const box = document.createElement('div');
    const node = document.createElement('span');
    Object.assign(node.style, {display: 'block', whiteSpace: 'nowrap', fontSize: '28px'});
    box.append(node);
    document.body.append(box);
    const fitted = {};
    for (const width of [600, 120, 30]) {
        box.style.width = `${width}px`;
        if (width === 600) f.setFigure(node, '$16,720,745.99', '$16.7M'); else f.fitFigure(node);
        fitted[width] = shown(node);
    }

    // A table of figure cells in a container of a set width: exact where the table fits, else compact.
    const holder = document.createElement('div');
    const table = document.createElement('table');
    const row = table.insertRow();
    row.append(f.moneyCell(1_672_074_599), f.countCell(2_345_678), f.moneyCell(4_500));
    holder.append(table);
    document.body.append(holder);
    const tables = {};
    for (const width of [800, 60]) {
        holder.style.width = `${width}px`;
        f.fitTable(table);
        tables[width] = [...row.cells].map(shown);
    }
    box.remove();
    holder.remove();
    return {
        money: cents.map(f.money), moneyCompact: cents.map(f.moneyCompact),
        count: counts.map(f.count), countCompact: counts.map(f.countCompact), fitted, tables,
    };
}"""


def test_the_compact_formatter_and_the_fitting_of_figures(stack: Stack, browser: Browser) -> None:
    """format.js itself, imported by the page's origin: compact texts, and exact-else-compact fitting."""
    page = browser.new_page()
    page.goto(f"{stack.query_url}/")
    got = page.evaluate(FORMAT_JS)
    assert got["money"] == [
        "$0.00", "$45.00", "$167,207.45", "$999,999.99",
        "$16,720,745.99", "-$16,720,745.99", "$1,000,000,000.00",
    ]  # fmt: skip
    assert got["moneyCompact"] == ["$0", "$45", "$167K", "$1M", "$16.7M", "-$16.7M", "$1B"]
    assert got["count"] == ["0", "999", "1,000", "48,213", "999,999", "2,345,678"]
    assert got["countCompact"] == ["0", "999", "1K", "48.2K", "1M", "2.35M"]
    # Exact where it fits; compact with the exact tooltip where not; smaller type where even that is too wide.
    assert got["fitted"] == {
        "600": {"text": "$16,720,745.99", "title": None, "tight": False},
        "120": {"text": "$16.7M", "title": "$16,720,745.99", "tight": False},
        "30": {"text": "$16.7M", "title": "$16,720,745.99", "tight": True},
    }
    assert got["tables"]["800"] == [
        {"text": "$16,720,745.99", "title": None, "tight": False},
        {"text": "2,345,678", "title": None, "tight": False},
        {"text": "$45.00", "title": None, "tight": False},
    ]
    assert got["tables"]["60"] == [
        {"text": "$16.7M", "title": "$16,720,745.99", "tight": False},
        {"text": "2.35M", "title": "2,345,678", "tight": False},
        {"text": "$45", "title": "$45.00", "tight": False},
    ]
    page.close()
