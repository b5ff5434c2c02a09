"""The dashboard page's filters and CSV download, in headless Chromium, against a running stack."""

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser

from tests.e2e.stack import Stack
from tests.e2e.test_dashboard_page import (
    PAGE_WAIT_MS,
    VIEWER_KEY,
    browser,
    checkout,
    dashboard_json,
    open_show,
    order_and_pay,
)

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
    _, paid = order_and_pay(stack, hold["hold_id"], customer, "e2e-filters")
    token: str = paid["consistency_token"]
    return token


def test_the_show_filter_and_the_csv_download(stack: Stack, browser: Browser) -> None:
    first, second = open_show(stack).shows[0].show_id, open_show(stack).shows[0].show_id
    sell(stack, first, 1)
    token = sell(stack, second, 3)
    expected = dashboard_json(stack, token, show_id=second)["totals"]["tickets_sold"]
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
