"""The dashboard page's filters and CSV download, in headless Chromium, against a running stack."""

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.e2e.stack import Stack
from tests.e2e.test_dashboard_page import PAGE_WAIT_MS, VIEWER_KEY, browser, checkout, open_show

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with the page's other tests


def sell(stack: Stack, show_id: str, seats: int) -> str:
    """Hold, order and pay ``seats`` seats of the show; returns the payment's consistency token."""
    customer = str(uuid.uuid4())
    hold = checkout(
        stack,
        "POST",
        f"/v1/shows/{show_id}/holds",
        customer,
        {"customer_id": customer, "zone_id": "B", "quantity": seats},
    )
    order = checkout(
        stack, "POST", "/v1/orders", customer, {"hold_id": hold["hold_id"], "customer_id": customer}
    )
    paid = checkout(
        stack,
        "POST",
        f"/v1/orders/{order['order_id']}/payment",
        customer,
        {"payment_ref": "e2e-filters", "amount_cents": order["total_cents"]},
    )
    token: str = paid["consistency_token"]
    return token


def filtered(stack: Stack, token: str, **params: str) -> dict[str, Any]:
    response = httpx.get(
        f"{stack.query_url}/v1/dashboard",
        params={**params, "consistency_token": token, "wait_ms": "5000"},
        headers={"Authorization": f"Bearer {VIEWER_KEY}"},
        timeout=15,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_show_filter_and_the_csv_download(stack: Stack, browser: Browser) -> None:
    first, second = open_show(stack).shows[0].show_id, open_show(stack).shows[0].show_id
    sell(stack, first, 1)
    token = sell(stack, second, 3)
    expected = filtered(stack, token, show_id=second)["totals"]["tickets_sold"]
    assert expected == 3

    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{stack.query_url}/?key={VIEWER_KEY}")
    page.wait_for_function(
        "id => [...document.querySelectorAll('#filter-show option')].some(o => o.value === id)",
        arg=second,
        timeout=PAGE_WAIT_MS,
    )
    page.select_option("#filter-show", second)
    # The totals now answer the one show, and the page's address says so (it can be shared).
    page.wait_for_function(
        "n => document.querySelector('[data-total=tickets_sold]').dataset.value === String(n)",
        arg=expected,
        timeout=PAGE_WAIT_MS,
    )
    assert f"show_id={second}" in page.url
    assert "one show" in page.locator("#filter-note").inner_text()

    today = datetime.now(UTC).date().isoformat()
    page.fill("#filter-from", today)
    page.dispatch_event("#filter-from", "change")
    page.wait_for_function("() => window.location.search.includes('from=')", timeout=PAGE_WAIT_MS)

    with page.expect_download(timeout=PAGE_WAIT_MS) as download:
        page.click("#download-csv")
    path = download.value.path()
    assert path is not None
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == ["filter"]
    assert rows[1] == ["from", "to", "show_id"]
    assert rows[2] == [today, "", second]
    totals = dict(zip(rows[5], rows[6], strict=True))
    assert totals["tickets_sold"] == "3"
    assert download.value.suggested_filename.endswith(".csv")

    page.click("#filter-clear")
    page.wait_for_function("() => !window.location.search.includes('show_id')", timeout=PAGE_WAIT_MS)
    assert page.locator("#filter-show").input_value() == ""
    assert problems == []
    page.close()
