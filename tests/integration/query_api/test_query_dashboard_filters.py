"""The dashboard filtered by day range and show, and as CSV: figures, errors, ETags and 304s."""

import csv
import io
from datetime import UTC, datetime
from uuid import UUID, uuid4

import httpx
import pytest

from tests.integration.query_api.seed import PRICES, SeededSchema

pytestmark = pytest.mark.integration

VIEWER = {"Authorization": "Bearer test-viewer-key"}
NOV_1 = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOV_3 = datetime(2026, 11, 3, 23, 59, tzinfo=UTC)


async def _two_shows(seeded: SeededSchema) -> tuple[UUID, UUID]:
    """Hamlet sells on Nov 1 (aff-1) and Nov 3 (aff-2); Lear on Nov 2 (aff-1) and holds one seat."""
    hamlet, lear = await seeded.add_show("Hamlet"), await seeded.add_show("Lear")
    await seeded.sell(hamlet, "A-1-1", "A-1-2", referrer="aff-1", paid_at=NOV_1)
    await seeded.sell(hamlet, "B-1-1", referrer="aff-2", paid_at=NOV_3)
    await seeded.sell(lear, "A-1-1", referrer="aff-1", paid_at=NOV_2)
    await seeded.hold(lear, "A-2-1")
    return hamlet, lear


async def _get(client: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await client.get(f"/v1/dashboard{query}", headers={**VIEWER, **headers})


async def test_a_show_filter_restricts_every_figure(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    hamlet, _ = await _two_shows(seeded)
    body = (await _get(client, f"?show_id={hamlet}")).json()
    assert body["filter"] == {"from": None, "to": None, "show_id": str(hamlet)}
    assert body["totals"]["filtered_by"] == ["show_id"]
    revenue = 2 * PRICES["A"] + PRICES["B"]
    figures = {k: body["totals"][k] for k in ("orders_paid", "tickets_sold", "revenue_cents", "live_holds")}
    assert figures == {"orders_paid": 2, "tickets_sold": 3, "revenue_cents": revenue, "live_holds": 0}
    assert [s["show_id"] for s in body["by_show"]] == [str(hamlet)]
    assert {z["show_id"] for z in body["by_zone"]} == {str(hamlet)}
    assert [(d["day"], d["revenue_cents"]) for d in body["sales_by_day"]] == [
        ("2026-11-01", 2 * PRICES["A"]),
        ("2026-11-03", PRICES["B"]),
    ]
    assert [(r["referrer_id"], r["orders_paid"]) for r in body["by_referrer"]] == [("aff-1", 1), ("aff-2", 1)]


async def test_a_day_range_restricts_sales_and_referrers(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    await _two_shows(seeded)
    body = (await _get(client, "?from=2026-11-01&to=2026-11-02")).json()
    assert body["filter"] == {"from": "2026-11-01", "to": "2026-11-02", "show_id": None}
    assert [d["day"] for d in body["sales_by_day"]] == ["2026-11-01", "2026-11-02"]
    # aff-1 sold on both days (3 tickets); aff-2 only on Nov 3, outside the range.
    assert body["by_referrer"] == [
        {"referrer_id": "aff-1", "orders_paid": 2, "tickets_sold": 3, "revenue_cents": 3 * PRICES["A"]}
    ]
    assert body["totals"]["filtered_by"] == []  # totals are the current state: all days
    assert body["totals"]["orders_paid"] == 3
    assert len(body["by_show"]) == 2


async def test_show_and_range_together(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    hamlet, lear = await _two_shows(seeded)
    body = (await _get(client, f"?show_id={lear}&from=2026-11-02&to=2026-11-02")).json()
    assert [(d["day"], d["tickets_sold"]) for d in body["sales_by_day"]] == [("2026-11-02", 1)]
    assert body["totals"]["live_holds"] == 1
    empty = (await _get(client, f"?show_id={hamlet}&from=2026-11-02&to=2026-11-02")).json()
    assert empty["sales_by_day"] == []
    assert empty["by_referrer"] == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?from=2026-11-03&to=2026-11-01", "invalid_date_range"),
        ("?from=01/11/2026", "invalid_request"),
        ("?to=2026-13-01", "invalid_request"),
        ("?show_id=not-a-uuid", "invalid_request"),
        ("?format=xml", "invalid_request"),
    ],
)
async def test_bad_filters_are_422(client: httpx.AsyncClient, query: str, code: str) -> None:
    response = await _get(client, query)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


async def test_an_unknown_show_is_404(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    await seeded.add_show()
    response = await _get(client, f"?show_id={uuid4()}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "show_not_found"


def _sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    rows = list(csv.reader(io.StringIO(text, newline="")))
    current: list[list[str]] | None = None
    for row in rows:
        if not row:
            current = None
        elif current is None:
            current = sections[row[0]] = []
        else:
            current.append(row)
    return sections


async def test_csv_has_one_section_per_table(client: httpx.AsyncClient, seeded: SeededSchema) -> None:
    hamlet, _ = await _two_shows(seeded)
    await seeded.sell(hamlet, "A-2-1", referrer='Caf\u00e9 "Le Nord", Paris', paid_at=NOV_1)
    for response in (
        await _get(client, f"?show_id={hamlet}", accept="text/csv"),
        await _get(client, f"?show_id={hamlet}&format=csv"),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert "\r\n" in response.text
        sections = _sections(response.content.decode("utf-8"))
        assert list(sections) == ["filter", "totals", "sales_by_day", "by_show", "by_zone", "by_referrer"]
        totals = dict(zip(*sections["totals"], strict=True))
        assert totals["orders_paid"] == "3"
        assert totals["filtered_by"] == "show_id"
        assert sections["sales_by_day"][0] == ["day", "orders_paid", "tickets_sold", "revenue_cents"]
        referrers = {row[0] for row in sections["by_referrer"][1:]}
        assert referrers == {"aff-1", "aff-2", 'Caf\u00e9 "Le Nord", Paris'}  # quoted per RFC 4180
    json_body = (await _get(client, f"?show_id={hamlet}")).json()
    assert [row[0] for row in sections["by_show"][1:]] == [s["show_id"] for s in json_body["by_show"]]


async def test_etags_differ_by_format_and_filter_and_304_works(
    client: httpx.AsyncClient, seeded: SeededSchema
) -> None:
    hamlet, lear = await _two_shows(seeded)
    queries = ("", "?format=csv", f"?show_id={hamlet}", f"?show_id={hamlet}&format=csv", "?from=2026-11-01")
    etags = {}
    for query in queries:
        first = await _get(client, query)
        etags[query] = first.headers["etag"]
        again = await _get(client, query, **{"if-none-match": etags[query]})
        assert again.status_code == 304
        assert again.content == b""
    assert len(set(etags.values())) == len(queries)
    # A sale of Lear changes the whole dashboard but not Hamlet's filtered one.
    await seeded.sell(lear, "B-1-1", paid_at=NOV_2)
    assert (await _get(client, "", **{"if-none-match": etags[""]})).status_code == 200
    hamlet_only = f"?show_id={hamlet}"
    assert (await _get(client, hamlet_only, **{"if-none-match": etags[hamlet_only]})).status_code == 304
