"""A hot standby of the launcher's primary, kept by streaming replication.

Guarantees:
- it is made once, from the running primary, by ``pg_basebackup -R`` into a
  scratch directory renamed into place, so an interrupted ``up`` never leaves a
  half-made replica; later starts reuse its data (and catch up);
- it streams as the ``boxoffice_replication`` role through a physical
  replication slot of its own (``boxoffice_replica_<i>``): the primary keeps
  every WAL segment the replica has not received, so a replica stopped or
  killed for a while catches up on start (the cost: the primary's ``pg_wal``
  grows while a replica is down);
- it is read only (``hot_standby``): a write is refused by the server, and a
  read sees the primary's commits up to the replayed WAL position.
"""

from dataclasses import replace
from pathlib import Path

import psycopg
from psycopg import sql

from infra.launcher.errors import LauncherError
from infra.launcher.postgres import PostgresCluster
from infra.launcher.postgres_bin import run_as_server_user
from infra.launcher.settings import LauncherSettings
from infra.launcher.status import Reporter, ServiceStatus
from infra.launcher.topology import replica_home, replica_slot

REPLICATION_ROLE = "boxoffice_replication"
HBA_LINE = f"host replication {REPLICATION_ROLE} samehost scram-sha-256"

# Seen from the standby itself, so it answers while the primary is down: bytes received but not yet
# replayed, and seconds since the last replayed commit while such bytes wait (0 when all is replayed).
LAG_SQL = """
SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint,
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0.0
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END
"""


class PostgresReplica(PostgresCluster):
    """Hot standby ``index`` (from 1): ``<state>/postgres-replica-<index>``.

    It listens on ``postgres_replica_port + index - 1``.
    """

    role = "postgres replica"

    def __init__(self, settings: LauncherSettings, primary: PostgresCluster, index: int) -> None:
        super().__init__(settings)
        self.primary = primary
        self.index = index
        self.name = f"postgresql-replica-{index}"
        self.home = replica_home(settings.state_dir, index).resolve()
        self.port = settings.postgres_replica_port + index - 1
        self.data_dir = self.home / "data"
        self.log_file = self.home / "log" / "postgresql.log"
        self.slot = replica_slot(index)

    @property
    def title(self) -> str:
        return f"PostgreSQL replica {self.index}"

    def _initialise(self, bin_dir: Path, report: Reporter) -> None:
        if self.primary.pid() is None:
            raise LauncherError(f"{self.title} is copied from the primary, which is not running")
        prepare_primary(self.settings, self.primary, self.slot)
        report(f"copying the primary into {self.data_dir} (pg_basebackup, slot {self.slot})")
        scratch = self.home / "data.basebackup"
        run_as_server_user(["rm", "-rf", str(scratch)])
        password = self.settings.postgres_replication_password.get_secret_value()
        conninfo = (
            f"host={self.settings.launcher_host} port={self.primary.port} user={REPLICATION_ROLE} "
            f"password={password} application_name={self.name}"
        )
        result = run_as_server_user(
            [str(bin_dir / "pg_basebackup"), "-D", str(scratch), "-d", conninfo, "-X", "stream",
             "-S", self.slot, "-R", "-c", "fast", "--no-password"],
        )  # fmt: skip
        if result.returncode != 0:
            raise LauncherError(
                f"pg_basebackup of {self.title} failed", hint=(result.stdout + result.stderr).strip()[-3000:]
            )
        scratch.rename(self.data_dir)

    def _role_conf(self) -> str:
        # A standby needs the primary's max_wal_senders (and max_connections) or more; feedback keeps the
        # primary's vacuum from removing rows a long read on the replica still needs.
        return super()._role_conf() + "hot_standby = on\nhot_standby_feedback = on\n"

    def _after_start(self) -> None:
        """Nothing to create: the standby is read only and has the primary's databases."""

    def status_with_lag(self) -> ServiceStatus:
        """The status, with the replay lag measured on the standby when it answers."""
        status = self.status()
        if not status.running:
            return status
        try:
            with psycopg.connect(self.settings.admin_dsn(self.port), connect_timeout=3) as conn:
                row = conn.execute(LAG_SQL).fetchone()
        except psycopg.Error:
            return status
        if row is None or row[0] is None:
            return status
        return replace(status, replay_lag_s=float(row[1] or 0.0), replay_lag_bytes=int(row[0]))


def prepare_primary(settings: LauncherSettings, primary: PostgresCluster, slot: str) -> None:
    """On the primary (idempotent): the replication role, its ``pg_hba.conf`` line, and ``slot``."""
    password = settings.postgres_replication_password.get_secret_value()
    hba = primary.data_dir / "pg_hba.conf"
    if HBA_LINE not in hba.read_text().splitlines():
        with hba.open("a") as lines:
            lines.write(f"# boxoffice launcher: streaming replication to the hot standbys\n{HBA_LINE}\n")
    with psycopg.connect(settings.admin_dsn(primary.port), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (REPLICATION_ROLE,)).fetchone()
        verb = sql.SQL("ALTER" if exists else "CREATE")
        conn.execute(
            sql.SQL("{} ROLE {} WITH REPLICATION LOGIN PASSWORD {}").format(
                verb, sql.Identifier(REPLICATION_ROLE), sql.Literal(password)
            )
        )
        if not conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (slot,)).fetchone():
            conn.execute("SELECT pg_create_physical_replication_slot(%s, true)", (slot,))
        conn.execute("SELECT pg_reload_conf()")
