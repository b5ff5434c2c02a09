"""``boxoffice events show`` and ``boxoffice events tail``, run as processes against real services.

Commands go through the real command app into a private database; the relay
publishes them to a private topic (``BOXOFFICE_EVENTS_TOPIC``), which ``tail``
follows without a consumer group.
"""

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest

from cli.event_log.summary import describe
from command_side.adapters.event_log import EventLogReader, UnknownShowError
from command_side.settings import CommandSettings
from command_side.worker.process import CommandWorker
from infra.settings import REPO_ROOT
from tests.integration.command_side.cmd_support import (
    CHECKOUT,
    OPERATOR,
    ClientFactory,
    as_customer,
    new_show,
    outbox,
)

pytestmark = pytest.mark.integration
BOXOFFICE = str(Path(sys.executable).parent / "boxoffice")


def cli_env(settings: CommandSettings) -> dict[str, str]:
    return {
        **os.environ,
        "BOXOFFICE_DATABASE_URL": settings.database_url,
        "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "BOXOFFICE_EVENTS_TOPIC": settings.events_topic,
    }


def run_cli(settings: CommandSettings, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [BOXOFFICE, "events", *args],
        env=cli_env(settings),
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )


async def some_history(client: httpx.AsyncClient, customer: str = "alice") -> str:
    """A show whose stream holds every kind of event a checkout makes: held, ordered, paid, released."""
    show_id = await new_show(client, rows=2, seats=5)
    held = await client.post(
        f"/v1/shows/{show_id}/holds",
        json={"customer_id": customer, "seat_ids": ["A-1-1", "A-1-2"]},
        headers=CHECKOUT,
    )
    assert held.status_code == 201, held.text
    placed = await client.post(
        "/v1/orders", json={"hold_id": held.json()["hold_id"], "customer_id": customer}, headers=CHECKOUT
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    paid = await client.post(
        f"/v1/orders/{order['order_id']}/payment",
        json={"payment_ref": "p1", "amount_cents": order["total_cents"]},
        headers=as_customer(customer),
    )
    assert paid.status_code == 200, paid.text
    second = await client.post(
        f"/v1/shows/{show_id}/holds", json={"customer_id": "bob", "seat_ids": ["A-2-5"]}, headers=CHECKOUT
    )
    assert second.status_code == 201, second.text
    released = await client.delete(f"/v1/holds/{second.json()['hold_id']}", headers=OPERATOR)
    assert released.status_code == 200, released.text
    return show_id


ROW = re.compile(r"^\s*(\d+)\s+(\w+)\s+(\S+Z)\s+([0-9a-f-]{36})\s+(.*?)\s*$")


async def test_show_prints_every_event_in_seq_order_with_its_summary(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await some_history(client)
    stored = await outbox(command_settings.database_url, show_id)
    assert [r.event_type for r in stored] == [
        "ShowScheduled", "SeatsHeld", "OrderPlaced", "OrderPaid", "SeatsHeld", "HoldReleased",
    ]  # fmt: skip

    result = run_cli(command_settings, "show", show_id)

    assert result.returncode == 0, result.stderr.decode()
    rows = [m.groups() for line in result.stdout.decode().splitlines() if (m := ROW.match(line))]
    assert [(int(seq), kind) for seq, kind, *_ in rows] == [(r.seq, r.event_type) for r in stored]
    for (_, _, _, correlation, summary), row in zip(rows, stored, strict=True):
        line = describe(row.body)
        assert (UUID(correlation), summary) == (line.correlation_id, line.summary)
    summaries = [summary for *_, summary in rows]
    assert summaries[1].startswith("held A-1-1, A-1-2 for alice until ")
    assert re.fullmatch(r"order [0-9a-f]{8}… paid 2,000 cents by alice: A-1-1, A-1-2", summaries[3])
    assert summaries[5].endswith("of bob released: A-2-5 free")


async def test_show_json_prints_the_stored_envelopes_byte_for_byte(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await some_history(client)
    stored = await outbox(command_settings.database_url, show_id)

    everything = run_cli(command_settings, "show", show_id, "--json")
    from_third = run_cli(command_settings, "show", show_id, "--json", "--from-seq", "3")

    assert everything.returncode == 0, everything.stderr.decode()
    assert everything.stdout == b"".join(r.body + b"\n" for r in stored)
    assert from_third.returncode == 0, from_third.stderr.decode()
    assert from_third.stdout == b"".join(r.body + b"\n" for r in stored if r.seq >= 3)


async def test_the_reader_pages_join_into_the_whole_stream(
    client: httpx.AsyncClient, command_settings: CommandSettings
) -> None:
    show_id = await some_history(client)
    stored = await outbox(command_settings.database_url, show_id)

    with EventLogReader(command_settings.database_url) as reader:
        pages = list(reader.pages(UUID(show_id), page_size=4))
        tail_pages = list(reader.pages(UUID(show_id), from_seq=4, page_size=1))
        with pytest.raises(UnknownShowError):
            list(reader.pages(uuid4()))

    assert [len(p) for p in pages] == [4, 2]
    assert [(e.seq, e.event_type, e.body) for p in pages for e in p] == [
        (r.seq, r.event_type, r.body) for r in stored
    ]
    assert [[e.seq for e in p] for p in tail_pages] == [[4], [5], [6]]


async def test_a_bad_or_unknown_show_id_is_a_clear_error(command_settings: CommandSettings) -> None:
    invalid = run_cli(command_settings, "show", "not-a-uuid")
    unknown = run_cli(command_settings, "show", str(uuid4()))

    assert invalid.returncode == 2
    assert "not a show id" in invalid.stderr.decode()
    assert unknown.returncode == 1
    assert "no show" in unknown.stderr.decode()
    for result in (invalid, unknown):
        assert b"Traceback" not in result.stderr
        assert result.stdout == b""


async def published(settings: CommandSettings, *show_ids: str) -> None:
    async with asyncio.timeout(60):
        for show_id in show_ids:
            while not all(r.published for r in await outbox(settings.database_url, show_id)):
                await asyncio.sleep(0.05)


class Tail:
    """A running ``boxoffice events tail`` process, read line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    @classmethod
    async def start(cls, settings: CommandSettings, *args: str) -> "Tail":
        process = await asyncio.create_subprocess_exec(
            BOXOFFICE, "events", "tail", *args,
            env=cli_env(settings), cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stderr is not None
        try:
            ready = await asyncio.wait_for(process.stderr.readline(), 60)
            assert ready.startswith(b"following "), ready + await process.stderr.read(2000)
        except BaseException:
            process.kill()
            await process.wait()
            raise
        return cls(process)

    async def read_until(self, predicate: str, timeout: float = 60) -> None:
        """Read stdout until a line contains ``predicate``."""
        assert self.process.stdout is not None
        async with asyncio.timeout(timeout):
            while not any(predicate in line for line in self.lines):
                line = await self.process.stdout.readline()
                assert line, "tail ended early"
                self.lines.append(line.decode().rstrip("\n"))

    async def interrupt(self) -> tuple[int, bytes]:
        self.process.send_signal(signal.SIGINT)
        rest, errors = await asyncio.wait_for(self.process.communicate(), 60)
        self.lines.extend(rest.decode().splitlines())
        assert self.process.returncode is not None
        return self.process.returncode, errors


async def test_tail_follows_the_topic_live_and_filters_by_show(
    make_client: ClientFactory, command_settings: CommandSettings, worker: CommandWorker
) -> None:
    client = make_client()
    show_id = await new_show(client, rows=2, seats=5)
    other_id = await new_show(client, rows=2, seats=5)
    await published(command_settings, show_id, other_id)  # so the tails start after these events
    one_show = await Tail.start(command_settings, "--show", show_id)
    every_show = await Tail.start(command_settings, "--json")
    try:
        other_hold = await client.post(
            f"/v1/shows/{other_id}/holds",
            json={"customer_id": "zed", "seat_ids": ["A-1-1"]},
            headers=CHECKOUT,
        )
        assert other_hold.status_code == 201
        await every_show.read_until(f'"stream_id":"{other_id}","seq":2')
        await some_history(client, customer="carol")  # a third show, shown by neither filter
        hold = await client.post(
            f"/v1/shows/{show_id}/holds",
            json={"customer_id": "dora", "seat_ids": ["A-1-1", "A-1-2"]},
            headers=CHECKOUT,
        )
        assert hold.status_code == 201
        await one_show.read_until(f"{show_id} #2 SeatsHeld")
        await every_show.read_until(f'"stream_id":"{show_id}","seq":2')
    finally:
        one_code, one_errors = await one_show.interrupt()
        every_code, every_errors = await every_show.interrupt()

    assert (one_code, every_code) == (0, 0)
    assert b"Traceback" not in one_errors + every_errors
    assert len(one_show.lines) == 1, one_show.lines  # only the show's hold: made after the tail started
    assert "held A-1-1, A-1-2 for dora until " in one_show.lines[0]
    stored = await outbox(command_settings.database_url, show_id)
    other = await outbox(command_settings.database_url, other_id)
    seen = [line.encode() for line in every_show.lines]
    assert stored[1].body in seen
    assert other[1].body in seen
    assert other[0].body not in seen  # published before the tail started
