"""Finding (or installing) the PostgreSQL server binaries, and running them as the right user.

PostgreSQL refuses to run as root, so when the launcher runs as root every
server binary runs as the ``postgres`` OS user and the cluster's directory is
owned by it.
"""

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from infra.launcher.errors import LauncherError
from infra.launcher.status import Reporter

SERVER_USER = "postgres"
DEBIAN_BIN_ROOT = Path("/usr/lib/postgresql")
PREFERRED_MAJOR = 15


def running_as_root() -> bool:
    return os.geteuid() == 0


def server_user() -> str | None:
    """The OS user the server runs as: ``postgres`` under root, else the current user (None)."""
    return SERVER_USER if running_as_root() else None


def _installed_bin_dir() -> Path | None:
    preferred = DEBIAN_BIN_ROOT / str(PREFERRED_MAJOR) / "bin"
    if (preferred / "initdb").is_file():
        return preferred
    others = sorted(
        (p for p in DEBIAN_BIN_ROOT.glob("*/bin") if (p / "initdb").is_file() and p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    return others[-1] if others else None


def find_bin_dir(configured: Path | None, report: Reporter, install: bool = True) -> Path:
    """The directory holding initdb/pg_ctl; installs Debian's ``postgresql`` package if none is."""
    if configured is not None:
        if not (configured / "pg_ctl").is_file():
            raise LauncherError(f"no pg_ctl in {configured} (BOXOFFICE_POSTGRES_BIN_DIR)")
        return configured
    found = _installed_bin_dir()
    if found is not None:
        return found
    if not install:
        raise LauncherError("the PostgreSQL server binaries are not installed")
    _apt_install(report)
    found = _installed_bin_dir()
    if found is None:
        raise LauncherError(f"installed PostgreSQL but found no initdb under {DEBIAN_BIN_ROOT}")
    return found


def _apt_install(report: Reporter) -> None:
    if not running_as_root() or shutil.which("apt-get") is None:
        raise LauncherError(
            "the PostgreSQL server binaries are not installed",
            hint="install PostgreSQL 15 (apt-get install -y postgresql) or set BOXOFFICE_POSTGRES_BIN_DIR",
        )
    report("installing PostgreSQL (apt-get install postgresql)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )
        if result.returncode != 0:
            raise LauncherError(
                f"{' '.join(command)} failed", hint=(result.stdout + result.stderr).strip()[-2000:]
            )


def give_to_server_user(*paths: Path) -> None:
    """Make the server user own these paths (recursively), when running as root."""
    user = server_user()
    if user is None:
        return
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise LauncherError(
            f"running as root, but there is no {user!r} OS user to run PostgreSQL as",
            hint="install Debian's postgresql package (it creates the user) or run as a normal user",
        ) from None
    for path in paths:
        if path.exists() and path.stat().st_uid != entry.pw_uid:
            shutil.chown(path, entry.pw_uid, entry.pw_gid)
            for child in path.rglob("*") if path.is_dir() else ():
                os.chown(child, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def run_as_server_user(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a server binary as the server user, detached from our session; output captured."""
    return subprocess.run(
        command,
        user=server_user(),
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # the postmaster pg_ctl forks must outlive us and ignore our Ctrl-C
        cwd="/",  # the server user may not be allowed into our working directory
    )


def check_reachable(directory: Path) -> None:
    """Fail clearly when the server user cannot write ``directory`` (e.g. a private parent dir)."""
    if server_user() is None:
        return
    result = run_as_server_user(["test", "-w", str(directory), "-a", "-x", str(directory)])
    if result.returncode != 0:
        raise LauncherError(
            f"the {SERVER_USER} OS user cannot write {directory}",
            hint="PostgreSQL refuses to run as root and runs as that user; choose a state dir whose "
            "parent directories it can traverse (BOXOFFICE_STATE_DIR)",
        )
