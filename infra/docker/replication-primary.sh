#!/bin/sh
# Run once by the postgres image's entrypoint when it initialises the primary's volume
# (mounted into /docker-entrypoint-initdb.d by infra/docker-compose.cluster.yml): the role the
# hot standby streams as, its pg_hba line, and the physical slot that keeps the WAL it still needs.
# The same three things infra/launcher/postgres_replica.py prepares on the launcher's primary.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v password="$BOXOFFICE_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE boxoffice_replication WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('boxoffice_replica_1', true);
SQL
echo "host replication boxoffice_replication all scram-sha-256" >> "$PGDATA/pg_hba.conf"
