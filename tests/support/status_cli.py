"""Running ``boxoffice status`` in tests, and a known outbox state for it to report."""

from uuid import uuid4

from typer.testing import CliRunner, Result

from cli.main import app
from tests.support.database import query

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens on it


def insert_outbox(database_url: str) -> None:
    """Three unpublished rows (the oldest two minutes old) and one published row."""
    show = uuid4()
    rows = [(1, "2 minutes", False), (2, "1 minute", False), (3, "1 second", False), (4, "0", True)]
    for seq, age, published in rows:
        query(
            database_url,
            "INSERT INTO write_model.outbox (event_id, show_id, seq, event_type, body, occurred_at,"
            " published_at) VALUES (%s, %s, %s, 'SeatsHeld', '\\x7b7d', now() - %s::interval,"
            " CASE WHEN %s THEN now() END) RETURNING position",
            (uuid4(), show, seq, age, published),
        )


def invoke(database_url: str, kafka: str, *args: str) -> Result:
    """``boxoffice status ARGS`` in process, with these services configured."""
    env = {"BOXOFFICE_DATABASE_URL": database_url, "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS": kafka}
    return CliRunner().invoke(app, ["status", *args], env=env)


def urls(command: str, query_: str, worker: str, projector: str) -> list[str]:
    """The options pointing ``status`` at these base URLs."""
    return [
        "--command-url", command, "--query-url", query_,
        "--worker-metrics-url", worker, "--projector-metrics-url", projector,
    ]  # fmt: skip
