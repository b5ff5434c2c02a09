"""One HTTP request through a whole ASGI app, in process, as uvicorn would call it.

The in-process measurements (``benchmarks.commands.api_cpu``, ``relay_cpu``,
``benchmarks.reads.coalescing``) call the real app this way, so the CPU they
count is the app's and its middleware's, without a socket or an HTTP parser.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
Message = dict[str, Any]


async def asgi_request(
    app: App,
    method: str,
    path: str,
    *,
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
) -> tuple[int, bytes]:
    """Send one request (the whole body at once; the client never disconnects); its status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"content-length", str(len(body)).encode()), *headers] if body else list(headers),
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # never: the app has read the whole body
        raise AssertionError

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return int(answer["status"]), bytes(answer["body"])
