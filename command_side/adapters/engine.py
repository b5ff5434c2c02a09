"""The pooled async engine of the write model."""

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from command_side.settings import CommandSettings
from infra.db import sqlalchemy_url


def create_engine(settings: CommandSettings) -> AsyncEngine:
    """An engine whose connections fail fast when the database is unreachable (so the API answers 503)."""
    return create_async_engine(
        sqlalchemy_url(settings.database_url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        # UTC sessions: timestamps read back go into events, which are UTC (contracts.timestamps)
        connect_args={"connect_timeout": settings.db_connect_timeout_seconds, "options": "-c timezone=UTC"},
    )
