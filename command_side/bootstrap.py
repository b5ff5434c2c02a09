"""Composition roots of the command side: the API app and the worker."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from command_side.adapters.engine import create_engine
from command_side.api import routes_holds, routes_layout, routes_ops, routes_orders, routes_webhooks
from command_side.api.command_metrics import CommandMetrics
from command_side.api.deps import CommandState
from command_side.api.errors import install_command_error_handlers
from command_side.api.fast_holds import FastHolds
from command_side.api.middleware import UNMATCHED, BodyLimit, CommandRequestMetrics
from command_side.domain.holds import HoldPolicy
from command_side.handlers.dispatch import command_handlers
from command_side.handlers.runner import call_after_events_commit
from command_side.settings import CommandSettings
from command_side.worker.process import CommandWorker
from command_side.worker.wakeup import OutboxNotifier
from infra.http.metrics import RouteTiming
from infra.http.unexpected import UnexpectedErrors
from infra.settings import ApiKeySettings
from infra.telemetry import tracing
from infra.telemetry.asgi import FASTAPI_TELEMETRY_OFF, TraceRequests

DESCRIPTION = """Commands of boxoffice: venues, shows, holds, orders, payments, cancellations.

Authenticate with `Authorization: Bearer <key>` (roles from `BOXOFFICE_API_KEYS`).
Every POST accepts `Idempotency-Key`. Every success returns a `consistency_token`
(body and `X-Consistency-Token`) to pass to the query API. Errors are
`{"error": {"code", "message", ...}}`.
"""


def hold_policy(settings: CommandSettings) -> HoldPolicy:
    return HoldPolicy(
        default_ttl=settings.hold_ttl_default_seconds,
        min_ttl=settings.hold_ttl_min_seconds,
        max_ttl=settings.hold_ttl_max_seconds,
        max_lifetime=settings.hold_max_lifetime_seconds,
        max_seats_per_customer=settings.max_seats_per_customer,
    )


def create_app(settings: CommandSettings, api_keys: ApiKeySettings | None = None) -> FastAPI:
    """The command API. Its engine is created now (connecting lazily) and disposed at shutdown.

    With ``relay_notify`` each command that committed events wakes the relay
    leader with a NOTIFY sent after COMMIT (``worker.wakeup.OutboxNotifier``:
    coalesced, in the background, on its own connection, never failing the
    command); ``app.state.outbox_notifier`` is that notifier (or None).
    """
    registry = CollectorRegistry()
    state = CommandState(
        settings=settings,
        api_keys=api_keys or ApiKeySettings(),
        engine=create_engine(settings),
        handlers=command_handlers(hold_policy(settings), settings.order_pay_by_seconds),
        metrics=CommandMetrics(registry),
    )
    notifier = None
    if settings.relay_notify:
        notifier = OutboxNotifier(
            settings.database_url, settings.relay_notify_channel, settings.db_connect_timeout_seconds
        )
        call_after_events_commit(state.engine, notifier.notify)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        call_after_events_commit(state.engine, None)
        if notifier is not None:
            await notifier.aclose()
        await state.engine.dispose()

    app = FastAPI(
        title="boxoffice command API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    app.state.command = state
    app.state.outbox_notifier = notifier
    app.state.metrics_registry = registry
    install_command_error_handlers(app)
    for router in (
        routes_layout.router,
        routes_holds.router,
        routes_orders.router,
        routes_ops.router,
        routes_webhooks.router,
    ):
        app.include_router(router)
    app.add_middleware(FastHolds)  # innermost: holds answered past routing, inside every other layer
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RouteTiming, observer=CommandRequestMetrics(registry), unmatched=UNMATCHED)
    app.add_middleware(UnexpectedErrors)  # outermost of ours: nothing unexpected escapes as text/plain
    if tracing.on:  # outermost: a server span per request, continuing the caller's traceparent
        app.add_middleware(TraceRequests)
    return app


def build_worker(settings: CommandSettings) -> CommandWorker:
    """The outbox relay and expiry, run while this process holds the relay's leader lock."""
    return CommandWorker(settings)
