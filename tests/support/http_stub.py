"""A stub HTTP/1.1 server that records every request, for testing load generators' scripts.

It keeps connections alive, answers each request with the status that
``answer(method, path)`` picks and a ``{}`` body, and records the request
(method, path, lower-cased headers, body) and the status it sent.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

Answer = Callable[[str, str], int]  # (method, path) -> status
Request = tuple[str, str, dict[str, str], bytes]  # method, path, headers, body


@dataclass
class RecordingStub:
    answer: Answer
    requests: list[Request] = field(default_factory=list)
    sent: Counter[int] = field(default_factory=Counter)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
                first, *lines = head.split("\r\n")
                method, path, _ = first.split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines if ln)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status = self.answer(method, path)
                self.requests.append((method, path, headers, body))
                self.sent[status] += 1
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\n\r\n{{}}".encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


RunningStub = tuple[RecordingStub, str]  # the stub and its base URL


@asynccontextmanager
async def recording_stub(answer: Answer) -> AsyncIterator[RunningStub]:
    """A running stub on a free loopback port and its base URL; closed afterwards."""
    state = RecordingStub(answer)
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield state, f"http://127.0.0.1:{port}"
    finally:
        server.close()
