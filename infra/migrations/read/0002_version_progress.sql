-- The progress of a projection version, read from its runtime tables.
--
-- Projectors create a `projection_progress` view in each views schema over
-- projection_meta.versions and this function, so that readers (the query API)
-- read progress from a view and never from a version's own tables. The
-- function runs with the caller's privileges: a version whose tables the
-- caller may not read reports NULL (unknown) instead of failing the query, and
-- so does any version that is not live. Privileges are checked from the
-- catalogs first, since a refused SELECT would abort the caller's transaction.

CREATE OR REPLACE FUNCTION projection_meta.version_progress(
    version_schema text,
    version_state text,
    OUT "position" bigint,
    OUT last_checkpoint_at timestamptz,
    OUT dlq_count bigint
) LANGUAGE plpgsql STABLE AS $$
DECLARE
    readable CONSTANT text := 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c'
        ' JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace'
        ' WHERE n.nspname = $1 AND c.relname = $2'
        ' AND has_schema_privilege(n.oid, ''USAGE'') AND has_table_privilege(c.oid, ''SELECT''))';
    allowed boolean;
BEGIN
    IF version_state IS DISTINCT FROM 'live' THEN
        RETURN;
    END IF;
    EXECUTE readable INTO allowed USING version_schema, 'checkpoints';
    IF allowed THEN
        EXECUTE format('SELECT coalesce(sum(next_offset), 0)::bigint, max(updated_at) FROM %I.checkpoints',
                       version_schema)
            INTO "position", last_checkpoint_at;
    END IF;
    EXECUTE readable INTO allowed USING version_schema, 'dead_letters';
    IF allowed THEN
        EXECUTE format('SELECT count(*) FROM %I.dead_letters WHERE redriven_at IS NULL', version_schema)
            INTO dlq_count;
    END IF;
END
$$;
