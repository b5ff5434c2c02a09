"""The command worker's /metrics: backlog during an outage and after a load, relay latency and
published events, the leader gauge on exactly one of two worker processes, expiries per kind."""

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from command_side.settings import CommandSettings
from command_side.worker.process import CommandWorker
from tests.integration.command_side.cmd_support import CHECKOUT, ClientFactory, new_show
from tests.support.metrics import Samples, scrape
from tests.support.processes import ChildProcess, boxoffice_argv, clean_environment, free_port

pytestmark = pytest.mark.integration
SAMPLED_WITHIN = 30.0  # the backlog is sampled every 5 s; a loaded machine may be slower


async def eventually(url: str, check: Callable[[Samples], bool], within: float = SAMPLED_WITHIN) -> Samples:
    """The first scrape of ``url`` for which ``check`` holds; fails with the last one after ``within``."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        samples = await asyncio.to_thread(scrape, url)
        if check(samples):
            return samples
        assert asyncio.get_running_loop().time() < deadline, f"{url} never got there: {samples.values}"
        await asyncio.sleep(0.2)


async def test_an_outage_shows_as_a_growing_backlog_with_an_age(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    show_id = await new_show(client)
    cut_off = CommandWorker(
        command_settings.model_copy(
            update={"kafka_bootstrap_servers": "127.0.0.1:1", "worker_metrics_port": port}
        )
    )
    stop = asyncio.Event()
    task = asyncio.create_task(cut_off.run(stop))
    try:
        for i in range(1, 6):
            body = {"customer_id": f"c{i}", "seat_ids": [f"A-3-{i}"]}
            response = await client.post(f"/v1/shows/{show_id}/holds", json=body, headers=CHECKOUT)
            assert response.status_code == 201
        samples = await eventually(
            url,
            lambda s: (
                s.value("boxoffice_outbox_backlog_rows") >= 6  # ShowScheduled and 5 holds
                and s.value("boxoffice_outbox_backlog_age_seconds") > 0
            ),
        )
        assert samples.value("boxoffice_relay_leader") == 1
        assert samples.value("boxoffice_relay_published_events_total") == 0
        assert samples.value("boxoffice_relay_publish_seconds_count") == 0
    finally:
        stop.set()
        await task
    with pytest.raises(httpx.HTTPError):  # a stopped worker stops serving its metrics
        await asyncio.to_thread(scrape, url)


@contextmanager
def worker_processes(settings: CommandSettings, logs: Path, count: int) -> Iterator[list[str]]:
    """``count`` ``boxoffice command-worker --metrics-port P`` processes; yields their /metrics URLs."""
    env = clean_environment(
        BOXOFFICE_DATABASE_URL=settings.database_url,
        BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS=settings.kafka_bootstrap_servers,
        BOXOFFICE_EVENTS_TOPIC=settings.events_topic,
        BOXOFFICE_EXPIRY_INTERVAL_SECONDS="0.2",
        BOXOFFICE_RELAY_LEADER_RETRY_SECONDS="0.2",
    )
    ports = [free_port() for _ in range(count)]
    children = [
        ChildProcess(
            f"worker-{i}",
            boxoffice_argv("command-worker", "--metrics-port", str(port)),
            env,
            logs / f"w{i}.log",
        )
        for i, port in enumerate(ports)
    ]
    try:
        for child in children:
            child.start()
        urls = [f"http://127.0.0.1:{port}/metrics" for port in ports]
        for child, url in zip(children, urls, strict=True):
            child.wait_answering(url)
        yield urls
    finally:
        for child in children:
            child.stop()


def leaders(samples: list[Samples]) -> list[float]:
    return [s.value("boxoffice_relay_leader") for s in samples]


async def one_leader(urls: list[str], within: float = SAMPLED_WITHIN) -> str:
    """The URL of the one worker whose leader gauge is 1, once exactly one's is."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        gauges = leaders(list(await asyncio.gather(*(asyncio.to_thread(scrape, u) for u in urls))))
        if sorted(gauges) == [0] * (len(urls) - 1) + [1]:
            return urls[gauges.index(1)]
        assert asyncio.get_running_loop().time() < deadline, f"leader gauges {gauges}"
        await asyncio.sleep(0.2)


async def test_two_workers_one_leader_backlog_drained_latency_and_expiries(
    make_client: ClientFactory, command_settings: CommandSettings, tmp_path: Path
) -> None:
    quick_orders = make_client(order_pay_by_seconds=1)
    with worker_processes(command_settings, tmp_path, 2) as urls:
        async with quick_orders as client:
            show_id = await new_show(client)
            url = f"/v1/shows/{show_id}/holds"
            for i in range(1, 9):
                body = {"customer_id": f"c{i}", "seat_ids": [f"A-4-{i}"]}
                assert (await client.post(url, json=body, headers=CHECKOUT)).status_code == 201
            lapsing = {"customer_id": "late", "seat_ids": ["A-5-1"], "ttl_seconds": 1}
            assert (await client.post(url, json=lapsing, headers=CHECKOUT)).status_code == 201
            unpaid = await client.post(
                url, json={"customer_id": "u", "seat_ids": ["A-5-2"]}, headers=CHECKOUT
            )
            order = await client.post(
                "/v1/orders", json={"hold_id": unpaid.json()["hold_id"], "customer_id": "u"}, headers=CHECKOUT
            )
            assert order.status_code == 201
        events = 1 + 8 + 1 + 2  # ShowScheduled, holds, the lapsing hold, the unpaid hold and its order

        def drained_and_expired(s: Samples) -> bool:
            return (
                s.value("boxoffice_relay_leader") == 1
                and s.value("boxoffice_relay_published_events_total") >= events + 2  # and both expiries
                and s.value("boxoffice_expiries_total", kind="hold") >= 1
                and s.value("boxoffice_expiries_total", kind="order") >= 1
                and s.value("boxoffice_outbox_backlog_rows") == 0
            )

        leader_url = await one_leader(urls)
        leader = await eventually(leader_url, drained_and_expired)
        assert leader.value("boxoffice_relay_publish_seconds_count") >= events + 2
        assert leader.value("boxoffice_outbox_backlog_age_seconds") == 0
        standby_url = next(u for u in urls if u != leader_url)
        # The standby publishes nothing and reports the same backlog from its own samples.
        standby = await eventually(standby_url, lambda s: s.value("boxoffice_outbox_backlog_rows") == 0)
        assert standby.value("boxoffice_relay_leader") == 0
        assert standby.value("boxoffice_relay_published_events_total") == 0
        assert standby.value("boxoffice_expiries_total", kind="hold") == 0
        both = await asyncio.gather(*(asyncio.to_thread(scrape, u) for u in urls))
        assert sorted(leaders(list(both))) == [0, 1]
