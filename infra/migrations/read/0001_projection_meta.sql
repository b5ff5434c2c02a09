-- The projection version registry and the schema of read views.
--
-- Each projection version owns a schema proj_<name>_v<N> that the projector
-- creates; the `read` schema holds only views over the live version of each
-- projection, swapped with DROP/CREATE VIEW in one transaction.

CREATE SCHEMA IF NOT EXISTS projection_meta;
CREATE SCHEMA IF NOT EXISTS read;

CREATE TABLE IF NOT EXISTS projection_meta.versions (
    projection     text        NOT NULL,
    version        int         NOT NULL CHECK (version >= 1),
    schema_name    text        NOT NULL UNIQUE,
    state          text        NOT NULL CHECK (state IN ('building', 'live', 'retired', 'abandoned')),
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    views_schema   text        NOT NULL DEFAULT 'read',
    created_at     timestamptz NOT NULL DEFAULT now(),
    activated_at   timestamptz,
    retired_at     timestamptz,
    PRIMARY KEY (projection, version)
);

-- At most one live version per projection: the one the read views point at.
CREATE UNIQUE INDEX IF NOT EXISTS versions_one_live
    ON projection_meta.versions (projection) WHERE state = 'live';
