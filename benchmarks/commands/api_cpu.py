"""CPU per hold of the command API alone: its app driven in process, one hold at a time.

``python -m benchmarks.commands.api_cpu [--holds 300] [--rounds 2]``

The wrk benchmark measures the whole stack, where every process shares the
machine's cores with the others (and with other work), so the command API's
own share moves with the load. This measures only that share: the app (every
middleware, the routes, the handlers, psycopg) is called through raw ASGI, with
no HTTP client or server in the process, against a private database (created
and dropped here). PostgreSQL's work is in its own processes and not counted;
no relay or projector runs. For each round it reports the process's CPU
milliseconds per accepted hold, explicit (one random seat of a 20,000-seat
zone, with Idempotency-Key and X-Correlation-Id) and best-available (1 or 2
seats), and the wall time per hold. Compare commits back to back in one session:
absolute figures drift with the machine's load.
"""

import argparse
import os
import random
import time
from typing import Any
from uuid import uuid4

import orjson
import uvloop
from pydantic import SecretStr

from benchmarks.asgi_call import App, asgi_request
from benchmarks.environment import create_database, drop_database, new_env
from command_side.bootstrap import create_app
from command_side.settings import CommandSettings
from infra.settings import ApiKeySettings

KEYS = "operator:cpu-operator-key,checkout:cpu-checkout-key"
OPERATOR = (b"authorization", b"Bearer cpu-operator-key")
CHECKOUT = (b"authorization", b"Bearer cpu-checkout-key")
ROWS, SEATS = 200, 100
WARM_UP = 30


async def call(app: App, path: str, body: dict[str, Any], *headers: tuple[bytes, bytes]) -> tuple[int, bytes]:
    """One JSON POST through the whole ASGI app; its status and body."""
    json = (b"content-type", b"application/json")
    return await asgi_request(app, "POST", path, headers=[json, *headers], body=orjson.dumps(body))


async def create_shows(
    app: App, count: int, *, rows: int = ROWS, seats: int = SEATS, name: str = "cpu"
) -> list[str]:
    """``count`` shows of one venue with one zone ``L`` of ``rows`` x ``seats``, created through ``app``."""
    zone_rows = [{"row": str(r), "seats": seats} for r in range(1, rows + 1)]
    venue = {"name": name, "zones": [{"zone_id": "L", "name": "L", "rows": zone_rows}]}
    status, body = await call(app, "/v1/venues", venue, OPERATOR)
    assert status == 201, body
    show = {"venue_id": orjson.loads(body)["venue_id"], "title": name, "starts_at": "2030-01-01T20:00:00Z"}
    shows = []
    for _ in range(count):
        status, body = await call(app, "/v1/shows", show | {"prices": {"L": 100}}, OPERATOR)
        assert status == 201, body
        shows.append(str(orjson.loads(body)["show_id"]))
    return shows


async def measure(database_url: str, holds: int, rounds: int) -> None:
    app: Any = create_app(
        CommandSettings(database_url=database_url, relay_notify=False),
        ApiKeySettings(api_keys=SecretStr(KEYS)),
    )
    modes = ("explicit", "best") * rounds
    shows = await create_shows(app, len(modes))
    seats = [f"L-{r}-{s}" for r in range(1, ROWS + 1) for s in range(1, SEATS + 1)]
    random.Random(7).shuffle(seats)
    for n, (mode, show) in enumerate(zip(modes, shows, strict=True)):
        path = f"/v1/shows/{show}/holds"
        accepted = 0
        for i in range(-WARM_UP, holds):
            if i == 0:
                cpu, wall = time.process_time(), time.perf_counter()
            customer = f"c{n}-{i}"
            body: dict[str, Any] = (
                {"customer_id": customer, "seat_ids": [seats.pop()]}
                if mode == "explicit"
                else {"customer_id": customer, "zone_id": "L", "quantity": 1 + i % 2}
            )
            key = (b"idempotency-key", uuid4().hex.encode())
            correlation = (b"x-correlation-id", str(uuid4()).encode())
            status, _ = await call(app, path, body, CHECKOUT, key, correlation)
            accepted += status == 201 and i >= 0
        cpu_ms = (time.process_time() - cpu) * 1000 / holds
        wall_ms = (time.perf_counter() - wall) * 1000 / holds
        print(f"{mode:9} CPU {cpu_ms:6.3f} ms/hold  wall {wall_ms:6.2f} ms/hold  accepted {accepted}/{holds}")
    await app.state.command.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holds", type=int, default=300, help="holds measured per round and kind")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of explicit then best-available")
    args = parser.parse_args()
    env = new_env(os.environ.get("BOXOFFICE_DATABASE_URL"))
    create_database(env)
    try:
        uvloop.run(measure(env.database_url, args.holds, args.rounds))
    finally:
        drop_database(env)


if __name__ == "__main__":
    main()
