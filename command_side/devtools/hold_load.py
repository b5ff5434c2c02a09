"""Measure accepted explicit holds per second and their latency against a running command API.

``python -m command_side.devtools.hold_load --url http://127.0.0.1:8001 --concurrency 16 --shows 1``

Creates fresh venues and shows (one zone of ``rows`` x 100 seats each), then
keeps ``concurrency`` keep-alive connections busy holding distinct seats (two
per hold, each with an Idempotency-Key) for ``seconds``. Every hold must be
accepted (201): seats never repeat, so any other answer is reported as an error.
The client is a minimal HTTP/1.1 writer so that it costs the shared CPUs little.
"""

import argparse
import asyncio
import itertools
import os
import time
from urllib.parse import urlsplit
from uuid import uuid4

import httpx
import orjson

from command_side.devtools import show_setup

OPERATOR = {"Authorization": "Bearer dev-operator-key"}
CHECKOUT = "Bearer dev-checkout-key"


async def _new_show(client: httpx.AsyncClient, rows: int) -> str:
    layout = show_setup.zones(["A"], rows, 100, name="{}")
    return await show_setup.new_show(client, OPERATOR, layout, {"A": 1000}, title="load")


async def _worker(
    host: str,
    port: int,
    *,
    jobs: "itertools.count[int]",
    shows: list[str],
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            n = next(jobs)
            show = shows[n % len(shows)]
            k = n // len(shows)  # two seats per hold: seats 2k+1, 2k+2 of the show in row-major order
            seats = [f"A-{s // 100 + 1}-{s % 100 + 1}" for s in (2 * k, 2 * k + 1)]
            body = orjson.dumps({"customer_id": f"c{n}", "seat_ids": seats})
            head = (
                f"POST /v1/shows/{show}/holds HTTP/1.1\r\nHost: {host}\r\nAuthorization: {CHECKOUT}\r\n"
                f"Idempotency-Key: {uuid4()}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            payload = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 201 " not in status_line:
                errors.append(f"{status_line!r} {payload[:200]!r}")
    finally:
        writer.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8001")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--shows", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rows", type=int, default=100)
    args = parser.parse_args()
    url = urlsplit(args.url)
    async with httpx.AsyncClient(base_url=args.url, timeout=60) as client:
        shows = [await _new_show(client, args.rows) for _ in range(args.shows)]
    latencies: list[float] = []
    errors: list[str] = []
    jobs = itertools.count()
    started = time.perf_counter()
    deadline = started + args.seconds
    await asyncio.gather(
        *(
            _worker(
                url.hostname or "127.0.0.1",
                url.port or 80,
                jobs=jobs,
                shows=shows,
                deadline=deadline,
                latencies=latencies,
                errors=errors,
            )
            for _ in range(args.concurrency)
        )
    )
    elapsed = time.perf_counter() - started
    ok = len(latencies) - len(errors)
    print(
        f"shows={args.shows} c={args.concurrency} holds={ok} rate={ok / elapsed:.0f}/s "
        f"p50={_pct(latencies, 0.5):.1f}ms p99={_pct(latencies, 0.99):.1f}ms errors={len(errors)} "
        f"load={os.getloadavg()[0]:.2f}"
    )
    for error in errors[:3]:
        print("  ", error)


if __name__ == "__main__":
    asyncio.run(main())
