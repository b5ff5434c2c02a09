"""Keeping a long-lived database session alive: start it again after every loss, with backoff.

The relay's outbox listener and the query API's progress listeners each hold
one dedicated connection (LISTEN, or following a standby). They share this
loop, so that all of them back off the same way: the first retry after 0.2 s,
doubling up to a ceiling, and back to 0.2 s after a session that had been up.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import psycopg

FIRST_BACKOFF_S = 0.2
MAX_BACKOFF_S = 5.0


async def keep_reconnecting(
    session: Callable[[], Awaitable[None]],
    on_lost: Callable[[], bool],
    *,
    what: str,
    log: logging.Logger,
    max_backoff_s: float = MAX_BACKOFF_S,
) -> None:
    """Run ``session()`` until cancelled, starting it again whenever it ends or fails.

    A database or network error (``psycopg.Error``, ``OSError``) is logged as a
    warning; anything else propagates. After each loss ``on_lost()`` puts the
    owner in its disconnected state and returns whether the session had been up.
    """
    backoff = FIRST_BACKOFF_S
    while True:
        cause: BaseException | str = "it ended"
        try:
            await session()
        except (psycopg.Error, OSError) as error:
            cause = error
        if on_lost():
            backoff = FIRST_BACKOFF_S  # it had been working: retry soon
        log.warning("%s lost (%s); reconnecting in %.1fs", what, cause, backoff)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff_s)
