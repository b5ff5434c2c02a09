"""``boxoffice webhooks``: the webhook dispatcher process (``boxoffice up`` supervises it)."""

from typing import Annotated

import typer


def webhooks(
    log_level: Annotated[str, typer.Option(help="Logging level.")] = "INFO",
) -> None:
    """Deliver events to the registered webhooks: signed POSTs, retried, in seq order per show."""
    import asyncio
    import logging

    from infra.services import resolve_services
    from infra.telemetry import configure_tracing
    from webhooks.app import create_app
    from webhooks.settings import WebhookSettings

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    configure_tracing("boxoffice-webhooks")
    services = resolve_services()
    settings = WebhookSettings(
        database_url=services.database_url, kafka_bootstrap_servers=services.kafka_bootstrap_servers
    )
    asyncio.run(create_app(settings).run())
