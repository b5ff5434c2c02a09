"""Whether each service answers; a probe never raises, it reports ``down`` with the reason."""

import httpx
import psycopg
from sqlalchemy.engine import make_url

from cli.operator_status.report import ServiceProbe
from infra.db import libpq_dsn
from infra.launcher.kafka import metadata_answers

# Generous: on a loaded host a local PostgreSQL session can take seconds to start, and a probe
# that gives up early reports a running service as down. A refused connection fails at once.
CONNECT_TIMEOUT_SECONDS = 10
TIMEOUT_SECONDS = 5.0


def shown_url(database_url: str) -> str:
    """The database URL without its password."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as "?" and reported down by the probe
        return "?"


async def probe_postgres(database_url: str) -> ServiceProbe:
    """``up`` when a session opens and answers ``SELECT 1``."""
    address = shown_url(database_url)
    try:
        async with await psycopg.AsyncConnection.connect(
            libpq_dsn(database_url), connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True
        ) as conn:
            await conn.execute("SELECT 1")
    except Exception as error:  # any failure to reach it is "down", with the reason
        return ServiceProbe("postgresql", address, "down", _first_line(error))
    return ServiceProbe("postgresql", address, "up")


async def probe_kafka(bootstrap_servers: str) -> ServiceProbe:
    """``up`` when a broker returns cluster metadata."""
    try:
        answers = await metadata_answers(bootstrap_servers, timeout_s=TIMEOUT_SECONDS)
    except Exception as error:  # a malformed address raises before any connection
        return ServiceProbe("kafka", bootstrap_servers, "down", _first_line(error))
    if answers:
        return ServiceProbe("kafka", bootstrap_servers, "up")
    return ServiceProbe("kafka", bootstrap_servers, "down", "no cluster metadata")


async def probe_http(name: str, base_url: str, path: str) -> ServiceProbe:
    """``up`` on a 200 from ``base_url + path``; ``not ready`` on any other status; else ``down``."""
    url = base_url.rstrip("/") + path
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.get(url)
    except Exception as error:  # refused, timed out, bad URL: no answer
        return ServiceProbe(name, url, "down", _first_line(error) or type(error).__name__)
    if response.status_code == httpx.codes.OK:
        return ServiceProbe(name, url, "up")
    return ServiceProbe(name, url, "not ready", f"HTTP {response.status_code} {response.text[:200]}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
