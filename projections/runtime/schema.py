"""The runtime tables every projection version has next to its read tables.

- ``checkpoints``: the next offset to consume per partition, written in the
  same transaction as the read rows (and the fence: a batch commits only if
  the stored offset is still the one its consumer started from).
- ``watermarks``: the last seq applied per show; events at or below it are dropped.
- ``dead_letters``: every event that could not be decoded or applied.
- ``quarantine``/``parked``: shows whose stream stopped at a dead letter, and
  their later events, kept in offset order until a redrive applies them.
"""

from projections.runtime.sql import ident


def runtime_ddl(schema: str) -> list[str]:
    s = ident(schema)
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"CREATE TABLE IF NOT EXISTS {s}.checkpoints (partition int PRIMARY KEY, next_offset bigint NOT NULL,"
        " event_at timestamptz, applied bigint NOT NULL DEFAULT 0, updated_at timestamptz)",
        f"CREATE TABLE IF NOT EXISTS {s}.watermarks (show_id uuid PRIMARY KEY, seq bigint NOT NULL,"
        " event_at timestamptz NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {s}.dead_letters (id bigserial PRIMARY KEY, show_id uuid,"
        ' partition int NOT NULL, "offset" bigint NOT NULL, seq bigint, event_type text, error text NOT NULL,'
        " key bytea, value bytea, dead_at timestamptz NOT NULL DEFAULT now(), redriven_at timestamptz,"
        ' UNIQUE (partition, "offset"))',
        f"CREATE TABLE IF NOT EXISTS {s}.quarantine (show_id uuid PRIMARY KEY,"
        " dead_letter_id bigint NOT NULL, since timestamptz NOT NULL DEFAULT now(), error text NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {s}.parked (show_id uuid NOT NULL, partition int NOT NULL,"
        ' "offset" bigint NOT NULL, key bytea, value bytea NOT NULL, event_at timestamptz,'
        ' PRIMARY KEY (show_id, partition, "offset"))',
    ]
