"""The local launcher: a real single-node Kafka (KRaft) and PostgreSQL without Docker.

``Launcher(settings).up()`` starts both (idempotently) under the state dir;
``infra.services.resolve_services`` is what the rest of the code calls.
"""

from infra.launcher.errors import LauncherError
from infra.launcher.launcher import Launcher, UpResult
from infra.launcher.settings import LauncherSettings
from infra.launcher.status import Reporter, ServiceStatus

__all__ = ["Launcher", "LauncherError", "LauncherSettings", "Reporter", "ServiceStatus", "UpResult"]
