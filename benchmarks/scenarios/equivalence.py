"""Same answers: both designs are asked the same questions on the same data before being timed.

For the sampled shows the availability and the seat map, and the whole
dashboard, of the cold baseline and of the read model are compared field by
field (lists compared as sorted rows, percentages to two decimals). A
comparison of timings between designs that answered differently would be moot,
so the report lists any difference it finds.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from benchmarks.loadgen import http_client
from benchmarks.scenarios.endpoints import VIEWER, Endpoints
from contracts.read_model import SALES_FIGURES

DASHBOARD_LISTS = ("sales_by_day", "by_show", "by_zone", "by_referrer")
SALES_LISTS = ("sales_by_day", "by_referrer")  # their rows' figures are the sales figures


def _value(key: str, value: Any) -> str:
    # Timestamps are equal whether spelled with "Z" or "+00:00".
    return datetime.fromisoformat(value).isoformat() if key == "starts_at" else str(value)


def _rows(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(tuple(sorted((k, _value(k, v)) for k, v in item.items())) for item in items)


def _normalize(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    if endpoint == "availability":
        return {"seq": body["seq"], "zones": _rows(body["zones"])}
    if endpoint == "seats":
        return {"seq": body["seq"], "seats": _rows(body["seats"])}
    # A day or referrer whose only sales were refunded may stay as a row of zeros in one design
    # and be absent in the other: the same figures, so such rows are left out of the comparison.
    lists = {
        name: [r for r in body[name] if name not in SALES_LISTS or any(r[k] for k in SALES_FIGURES)]
        for name in DASHBOARD_LISTS
    }
    # The read model's totals also say which filters they answer (none here): not a figure.
    totals = {k: v for k, v in body["totals"].items() if k != "filtered_by"}
    return {"totals": totals, **{name: _rows(rows) for name, rows in lists.items()}}


async def compare_answers(endpoints: Endpoints, shows: list[UUID]) -> dict[str, Any]:
    """How many answers were compared per endpoint, and the first few differences."""
    compared: dict[str, int] = {"availability": 0, "seats": 0, "dashboard": 0}
    differences: list[str] = []
    targets = [(e, f"/v1/shows/{s}/{e}") for s in shows for e in ("availability", "seats")]
    async with http_client(2) as client:
        for endpoint, path in [*targets, ("dashboard", "/v1/dashboard")]:
            baseline = (await client.get(endpoints.baseline_cold + path, headers=VIEWER)).json()
            read_model = (await client.get(endpoints.query_api + path, headers=VIEWER)).json()
            compared[endpoint] += 1
            left, right = _normalize(endpoint, baseline), _normalize(endpoint, read_model)
            for key in left:
                if left[key] != right.get(key):
                    differences.append(f"{path}: {key} differs")
    return {"compared": compared, "differences": len(differences), "examples": differences[:5]}
