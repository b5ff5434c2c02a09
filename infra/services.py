"""Where the real services are: configured ones, or the local launcher's.

Every process and tool asks ``resolve_services()`` instead of reading URLs
itself, so one rule holds everywhere: when ``BOXOFFICE_DATABASE_URL`` and
``BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS`` are set, those services are used and
nothing is started; otherwise the local launcher's services are.

With the launcher's cluster topology (``boxoffice infra up --replicas 1
--brokers 3``) the bootstrap list names every broker and the hot standby's
URLs are given too, for the processes that read from it.
"""

from dataclasses import dataclass

from contracts.read_model import READER_ROLE
from infra.db import with_credentials
from infra.launcher import Launcher, LauncherError, LauncherSettings
from infra.launcher.status import Reporter, quiet
from infra.settings import ServiceSettings


class ServicesNotRunningError(LauncherError):
    """No services are configured and the local launcher's are not running."""


@dataclass(frozen=True, slots=True)
class Services:
    """The URLs to use, and the settings with those URLs filled in.

    ``kafka_bootstrap_servers`` is comma separated, every broker of a cluster.
    ``replica_database_url`` is the launcher's first hot standby (the owner
    role, read only) and ``replica_query_database_url`` the same server as the
    query API's read-only role: the value of ``BOXOFFICE_QUERY_DATABASE_URL``
    for a query API reading from the replica. Both are None with no replica
    running and for configured (external) services. ``settings`` is not
    pointed at the replica: which process reads from it is the caller's choice.
    """

    database_url: str
    kafka_bootstrap_servers: str
    settings: ServiceSettings
    external: bool
    replica_database_url: str | None = None
    replica_query_database_url: str | None = None


def launcher_for(settings: ServiceSettings, launcher_settings: LauncherSettings | None = None) -> Launcher:
    """The local launcher whose state dir is the one these settings name."""
    if launcher_settings is None:
        launcher_settings = LauncherSettings(state_dir=settings.state_dir)
    return Launcher(launcher_settings)


def resolve_services(
    start: bool = False,
    settings: ServiceSettings | None = None,
    launcher_settings: LauncherSettings | None = None,
    report: Reporter = quiet,
) -> Services:
    """The services to use; with ``start=True`` the local ones are started if needed (idempotent).

    Raises ServicesNotRunningError when nothing is configured, the launcher's
    services are down and ``start`` is False; LauncherError when only one of
    the two variables is set or the services cannot be started. "Down" means
    the primary, or a majority of the Kafka nodes: a stopped replica or one
    broker of three down leaves them usable (the replica's URLs are given all the same).
    """
    settings = settings or ServiceSettings()
    database_url, kafka_servers = settings.database_url, settings.kafka_bootstrap_servers
    if database_url and kafka_servers:
        return Services(database_url, kafka_servers, settings, external=True)
    if database_url or kafka_servers:
        raise LauncherError(
            "only one of BOXOFFICE_DATABASE_URL and BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS is set",
            hint="set both to use your own services, or neither to use the local launcher's",
        )
    launcher = launcher_for(settings, launcher_settings)
    if start:
        launcher.up(report)
    elif not launcher.is_serving():
        down = ", ".join(s.name for s in launcher.status() if not s.running)
        raise ServicesNotRunningError(
            f"the local services are not running ({down}) and BOXOFFICE_DATABASE_URL / "
            "BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS are not set",
            hint="run `boxoffice infra up`, or set both variables to use services of your own",
        )
    ls = launcher.settings
    filled = settings.model_copy(
        update={"database_url": ls.database_url, "kafka_bootstrap_servers": ls.kafka_bootstrap_servers}
    )
    replica = ls.replica_database_urls[0] if ls.replica_database_urls else None
    reader = None
    if replica is not None:
        reader = with_credentials(replica, READER_ROLE, settings.reader_password.get_secret_value())
    return Services(ls.database_url, ls.kafka_bootstrap_servers, filled, False, replica, reader)
