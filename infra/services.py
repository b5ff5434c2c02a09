"""Where the real services are: configured ones, or the local launcher's.

Every process and tool asks ``resolve_services()`` instead of reading URLs
itself, so one rule holds everywhere: when ``BOXOFFICE_DATABASE_URL`` and
``BOXOFFICE_KAFKA_BOOTSTRAP_SERVERS`` are set, those services are used and
nothing is started; otherwise the local launcher's services are.
"""

from dataclasses import dataclass

from infra.launcher import Launcher, LauncherError, LauncherSettings
from infra.launcher.status import Reporter, quiet
from infra.settings import ServiceSettings


class ServicesNotRunningError(LauncherError):
    """No services are configured and the local launcher's are not running."""


@dataclass(frozen=True, slots=True)
class Services:
    """The URLs to use, and the settings with those URLs filled in."""

    database_url: str
    kafka_bootstrap_servers: str
    settings: ServiceSettings
    external: bool


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
    the two variables is set or the services cannot be started.
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
    elif not launcher.is_running():
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
    return Services(ls.database_url, ls.kafka_bootstrap_servers, filled, external=False)
