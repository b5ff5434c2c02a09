"""A real HTTP receiver on localhost that records what it is sent and answers as told."""

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, object]:
        document: dict[str, object] = orjson.loads(self.body)
        return document


@dataclass
class Receiver:
    """Requests in arrival order; ``fail_first`` answers 500 that many times; ``gate`` holds answers."""

    url: str = ""
    fail_first: int = 0
    gate: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.received.append(Received(headers, body))
            status = 500 if len(self.received) <= self.fail_first else 200
        if self.gate is not None:
            self.gate.wait(timeout=60)
        with self.lock:
            self.answered.append(status)
        return status

    def delivered(self) -> list[Received]:
        """The requests that got a 2xx, in the order they arrived."""
        with self.lock:
            return [r for r, s in zip(self.received, self.answered, strict=False) if s == 200]

    def event_ids(self) -> set[str]:
        return {r.headers["x-boxoffice-event-id"] for r in self.delivered()}


@contextmanager
def running_receiver(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        if receiver.gate is not None:
            receiver.gate.set()
        server.shutdown()
        server.server_close()


async def eventually(check: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Wait until ``check()`` holds; fail after ``timeout`` seconds (a bound, not a timing assertion)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)
    assert check(), what
