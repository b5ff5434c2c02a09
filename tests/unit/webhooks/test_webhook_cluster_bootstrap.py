"""The dispatcher reaches every node of a Kafka cluster, not one host named after the whole list."""

from webhooks.app import build_dispatcher
from webhooks.settings import WebhookSettings


async def test_each_node_of_a_comma_separated_bootstrap_list_is_a_server() -> None:
    settings = WebhookSettings(
        database_url="postgresql+psycopg://u:p@127.0.0.1:1/db",
        kafka_bootstrap_servers="127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094",
    )
    dispatcher = build_dispatcher(settings)
    try:
        servers = dispatcher.broker._connection_kwargs["bootstrap_servers"]  # what it connects to
    finally:
        await dispatcher.sender.aclose()
        await dispatcher.engine.dispose()
    assert list(servers) == ["127.0.0.1:19092", "127.0.0.1:19093", "127.0.0.1:19094"]
