"""A private pair of local services (Kafka and PostgreSQL) that a test may start, kill and restart.

The launcher gets a state dir of its own in the system temp dir, readable by
the ``postgres`` user PostgreSQL runs as (pytest's ``tmp_path`` is private to
root), and three free ports; so nothing it does touches the shared services
or anyone's ``var/``. On leaving, every node it started is stopped and its
state dir deleted, whatever happened inside.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra.launcher import Launcher, LauncherSettings
from tests.support.processes import free_ports


@contextmanager
def isolated_launcher(prefix: str, **settings: Any) -> Iterator[Launcher]:
    """A launcher (nothing started yet) on its own state dir, named ``<prefix>...``.

    ``settings`` are launcher settings over the defaults; unless they give ``kafka_port``, the single
    node's Kafka, controller and PostgreSQL ports are three free ones.
    """
    state = Path(tempfile.mkdtemp(prefix=prefix))
    state.chmod(0o755)
    if "kafka_port" not in settings:
        kafka, controller, postgres = free_ports(3)
        settings |= {"kafka_port": kafka, "kafka_controller_port": controller, "postgres_port": postgres}
    launcher = Launcher(LauncherSettings(state_dir=state, **settings))
    try:
        yield launcher
    finally:
        launcher.down()
        shutil.rmtree(state, ignore_errors=True)
