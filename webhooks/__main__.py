"""``python -m webhooks``: run the dispatcher with settings from ``BOXOFFICE_*`` variables."""

import asyncio
import logging

from webhooks.app import create_app
from webhooks.settings import WebhookSettings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(create_app(WebhookSettings()).run())  # pydantic-settings reads the environment


if __name__ == "__main__":
    main()
