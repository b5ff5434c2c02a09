"""Floors: the same load generator and HTTP stack against a constant and one primary-key read."""

from typing import Any
from uuid import UUID

from benchmarks.config import ReadLoad
from benchmarks.loadgen import closed_loop, http_client


async def measure_floors(baseline_url: str, show_id: UUID, load: ReadLoad) -> list[dict[str, Any]]:
    rows = []
    async with http_client(load.concurrency) as client:
        for name, path in (("constant", "/floor/constant"), ("primary_key", f"/floor/pk/{show_id}")):
            await client.get(baseline_url + path)

            async def read(_: int, path: str = path) -> str:
                response = await client.get(baseline_url + path)
                return "ok" if response.status_code == 200 else str(response.status_code)

            summary = await closed_loop(read, load.concurrency, load.requests, load.seconds)
            rows.append({"name": name, "concurrency": load.concurrency, **summary.as_dict()})
    return rows
