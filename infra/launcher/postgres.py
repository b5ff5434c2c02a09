"""A PostgreSQL cluster of our own, made with initdb in the state dir and run with pg_ctl.

Guarantees: the cluster is initialised once, atomically (initdb into a scratch
dir, then rename), so an interrupted ``up`` never leaves a half-made cluster;
``start`` is idempotent; fsync stays on, so after ``kill -9`` of the postmaster
``start`` brings the same data back (PostgreSQL replays its WAL); a stale
``postmaster.pid`` whose pid now belongs to another process is removed first.
"""

import time
from pathlib import Path

import psycopg
from psycopg import sql

from infra.launcher.errors import LauncherError
from infra.launcher.postgres_bin import (
    check_reachable,
    find_bin_dir,
    give_to_server_user,
    run_as_server_user,
)
from infra.launcher.proc import cmdline, live_pid, require_port_free, stop_pid, tail
from infra.launcher.settings import POSTGRES_DATABASE, POSTGRES_USER, LauncherSettings
from infra.launcher.status import Reporter, ServiceStatus

CONF_NAME = "boxoffice.conf"


class PostgresCluster:
    """The primary of one state dir: ``<state>/postgres/{data,log}``.

    :class:`~infra.launcher.postgres_replica.PostgresReplica` reuses it for a hot
    standby: another home and port, made by ``pg_basebackup`` instead of initdb.
    """

    name = "postgresql"
    role = "postgres primary"

    def __init__(self, settings: LauncherSettings) -> None:
        self.settings = settings
        self.home = settings.postgres_dir.resolve()
        self.port = settings.postgres_port
        self.data_dir = self.home / "data"
        self.log_file = self.home / "log" / "postgresql.log"

    @property
    def title(self) -> str:
        return "PostgreSQL"

    def pid(self) -> int | None:
        return live_pid(self.data_dir / "postmaster.pid", "postgres", str(self.data_dir))

    def status(self) -> ServiceStatus:
        pid = self.pid()
        address = f"{self.settings.launcher_host}:{self.port}"
        running = pid is not None
        return ServiceStatus(self.name, running, pid, address, self.data_dir, self.log_file, self.role)

    def start(self, report: Reporter, deadline: float) -> bool:
        """Initialise if needed and start; True if started now. Returns once it accepts connections."""
        if (pid := self.pid()) is not None:
            report(f"{self.title} already running (pid {pid}) on {self.status().address}")
            return False
        host, port = self.settings.launcher_host, self.port
        require_port_free(
            "PostgreSQL",
            host,
            port,
            self.settings.port_wait_s,
            hint="stop that process or choose another port (--postgres-port; replicas follow "
            "BOXOFFICE_POSTGRES_REPLICA_PORT)",
        )
        bin_dir = find_bin_dir(self.settings.postgres_bin_dir, report)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        give_to_server_user(self.home)
        check_reachable(self.home)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initialise(bin_dir, report)
        (self.data_dir / CONF_NAME).write_text(self._conf())
        give_to_server_user(self.data_dir / CONF_NAME)
        self._remove_stale_lock()
        report(f"starting {self.title} on {host}:{port}")
        self._pg_ctl_start(bin_dir, deadline)
        self._wait_ready(deadline)
        self._after_start()
        return True

    def _after_start(self) -> None:
        self._ensure_database()

    def _remove_stale_lock(self) -> None:
        # postgres refuses to start while the pid in postmaster.pid is alive, even when that pid was
        # reused by an unrelated process after a kill -9; a live postgres of this dir is never touched.
        lock = self.data_dir / "postmaster.pid"
        pid = live_pid(lock)
        if pid is None or "postgres" not in cmdline(pid):
            lock.unlink(missing_ok=True)

    def _initialise(self, bin_dir: Path, report: Reporter) -> None:
        report(f"initialising a PostgreSQL cluster in {self.data_dir}")
        scratch = self.home / "data.initdb"
        pwfile = self.home / "initdb.pw"
        run_as_server_user(["rm", "-rf", str(scratch)])
        pwfile.write_text(self.settings.postgres_password.get_secret_value() + "\n")
        pwfile.chmod(0o600)
        give_to_server_user(pwfile)
        try:
            result = run_as_server_user(
                [str(bin_dir / "initdb"), "-D", str(scratch), "-U", POSTGRES_USER, f"--pwfile={pwfile}",
                 "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--no-locale"],
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise LauncherError("initdb failed", hint=(result.stdout + result.stderr).strip()[-3000:])
        with (scratch / "postgresql.conf").open("a") as conf:
            conf.write(f"\ninclude_if_exists = '{CONF_NAME}'\n")
        scratch.rename(self.data_dir)

    def _conf(self) -> str:
        fsync = "on" if self.settings.postgres_fsync else "off"
        return (
            "# Written by the boxoffice launcher on every start; edit LauncherSettings instead.\n"
            f"listen_addresses = '{self.settings.launcher_host}'\n"
            f"port = {self.port}\n"
            # TCP only: socket paths under a deep state dir can exceed the 107-byte limit.
            "unix_socket_directories = ''\n"
            "max_connections = 300\n"
            "shared_buffers = 256MB\n"
            f"fsync = {fsync}\n"
            "log_line_prefix = '%m [%p] %q%u@%d '\n"
            "log_min_messages = warning\n"
            "log_timezone = 'UTC'\n"
            "timezone = 'UTC'\n"
            f"{self._role_conf()}"
        )

    def _role_conf(self) -> str:
        # Streaming replication (infra.launcher.postgres_replica); PostgreSQL 15's defaults, made explicit.
        return "wal_level = replica\nmax_wal_senders = 10\nmax_replication_slots = 10\n"

    def _pg_ctl_start(self, bin_dir: Path, deadline: float) -> None:
        command = [str(bin_dir / "pg_ctl"), "start", "-D", str(self.data_dir), "-l", str(self.log_file), "-w",
                   "-t", str(max(5, int(deadline - time.monotonic()))), "-s"]  # fmt: skip
        while True:
            result = run_as_server_user(command)
            if result.returncode == 0:
                return
            log = tail(self.log_file, lines=5)
            # After kill -9 of the postmaster its backends linger for a moment and keep the old
            # shared memory attached; the new postmaster refuses until they have exited.
            if "still in use" in log and time.monotonic() < deadline:
                time.sleep(1)
                continue
            raise LauncherError(
                "PostgreSQL did not start",
                hint=f"{(result.stdout + result.stderr).strip()}\n{self.log_file}:\n{log}",
            )

    def _wait_ready(self, deadline: float) -> None:
        while True:
            try:
                with psycopg.connect(self.settings.admin_dsn(self.port), connect_timeout=3) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise LauncherError(
                        "PostgreSQL does not accept connections", hint=f"{exc}\nsee {self.log_file}"
                    ) from exc
                time.sleep(0.3)

    def _ensure_database(self) -> None:
        with psycopg.connect(self.settings.admin_dsn(self.port), autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (POSTGRES_DATABASE,)).fetchone():
                return
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(POSTGRES_DATABASE), sql.Identifier(POSTGRES_USER)
                )
            )

    def stop(self, report: Reporter) -> bool:
        """Fast shutdown (rolls back open transactions, checkpoints); True if it was running."""
        pid = self.pid()
        if pid is None:
            return False
        report(f"stopping {self.title} (pid {pid})")
        bin_dir = find_bin_dir(self.settings.postgres_bin_dir, report, install=False)
        result = run_as_server_user(
            [str(bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "-s"]
        )
        if result.returncode != 0 and self.pid() is not None:
            stop_pid(pid, grace_s=10)
        return True
