"""What the figures were measured on: cores, memory, load, versions of every moving part."""

import os
import platform
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psycopg

from infra.db import libpq_dsn
from infra.kafka_admin import kafka_admin
from infra.settings import REPO_ROOT

KAFKA_POM = REPO_ROOT / "infra" / "kafka" / "pom.xml"
PACKAGES = (
    "fastapi",
    "uvicorn",
    "httpx",
    "sqlalchemy",
    "psycopg",
    "aiokafka",
    "pydantic",
    "orjson",
    "uvloop",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _postgres(database_url: str) -> dict[str, str]:
    with psycopg.connect(libpq_dsn(database_url)) as conn:
        settings = ("server_version", "fsync", "synchronous_commit", "shared_buffers", "max_connections")
        return {name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in settings}  # type: ignore[index]


async def _kafka(bootstrap: str) -> str:
    """The broker's cluster size, and the Kafka version the project's launcher pins."""
    async with kafka_admin(bootstrap) as admin:
        cluster = await admin.describe_cluster()
    brokers = len(cluster.get("brokers", []))
    match = re.search(r"<kafka.version>([^<]+)<", KAFKA_POM.read_text()) if KAFKA_POM.exists() else None
    pinned = match.group(1) if match else "unknown"
    return f"{brokers} broker(s) at {bootstrap}; launcher pins Kafka {pinned}"


async def describe(database_url: str, bootstrap: str) -> dict[str, Any]:
    return {
        "cpu_cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "postgresql": _postgres(database_url),
        "kafka": await _kafka(bootstrap),
        "packages": {name: _package(name) for name in PACKAGES},
    }
