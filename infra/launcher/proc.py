"""Process plumbing shared by the launcher, the supervisor, the benchmarks and the tests.

Pid files, liveness, free ports and signals; :mod:`infra.launcher.child` builds
a child process with a log file on top of it.

A pid file is trusted only while the process it names is alive *and* its
command line still names the service (a pid reused after ``kill -9`` or a
reboot is treated as stale), so ``up`` after a crash never mistakes another
process for the service.
"""

import contextlib
import errno
import fcntl
import os
import random
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from infra.launcher.errors import LauncherError


def _state_of(pid: int) -> str | None:
    """The one-letter state from /proc (``Z`` for a zombie); None when the pid does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name in parentheses may hold spaces; the state follows the last ')'.
    return stat.rpartition(")")[2].split()[0]


def reap(pid: int) -> None:
    """Collect the exit status of a child of this process, if it is one, so it leaves no zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def is_alive(pid: int) -> bool:
    """True until the process has fully exited (a zombie whose threads are all gone counts as exited).

    A JVM's main thread turns zombie before its other threads finish exiting
    and release the listening sockets, so the remaining tasks are checked too.
    """
    reap(pid)
    state = _state_of(pid)
    if state is None:
        return False
    if state not in ("Z", "X"):
        return True
    try:
        return len(os.listdir(f"/proc/{pid}/task")) > 1
    except OSError:
        return False


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def live_pid(pid_file: Path, *markers: str) -> int | None:
    """The pid in ``pid_file`` if that process is alive and its command line holds every marker.

    The first line of the file is the pid (PostgreSQL's ``postmaster.pid`` has
    the same first line), so this reads both services' files.
    """
    try:
        first = pid_file.read_text().splitlines()[0].strip()
        pid = int(first)
    except (OSError, ValueError, IndexError):
        return None
    if pid <= 0 or not is_alive(pid):
        return None
    line = cmdline(pid)
    return pid if all(m in line for m in markers) else None


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port (SO_REUSEADDR, as the servers bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct ports nothing listens on, below the kernel's ephemeral range.

    Below that range no outgoing connection is given one of them meanwhile; a
    port can still be taken by another process before the caller binds it.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()
    chosen: list[int] = []
    while len(chosen) < count:
        port = rng.randrange(20000, min(low, 32768))
        if port not in chosen and port_is_free(host, port):
            chosen.append(port)
    return chosen


def free_port(host: str = "127.0.0.1") -> int:
    """One port nothing listens on (see :func:`free_ports`)."""
    return free_ports(1, host)[0]


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group that ``pid`` leads, so its own children get it too; quiet if gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def require_port_free(service: str, host: str, port: int, timeout_s: float, hint: str) -> None:
    """Wait for a port to be released (by a server still exiting after kill -9).

    LauncherError naming ``service`` and the port, with ``hint``, if it is
    still taken after ``timeout_s`` seconds.
    """
    deadline = time.monotonic() + timeout_s
    while not port_is_free(host, port):
        if time.monotonic() > deadline:
            raise LauncherError(
                f"{service} cannot listen on {host}:{port}: the port is taken by another process", hint=hint
            )
        time.sleep(0.2)


def accepts_connections(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def stop_pid(pid: int, grace_s: float) -> bool:
    """SIGTERM, wait up to ``grace_s`` for a clean exit, then SIGKILL; True if it exited cleanly."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return True
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    while is_alive(pid):
        time.sleep(0.1)
    return False


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file, for error messages; empty when there is none."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16_000))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` so concurrent ``up``/``down`` calls run one at a time."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
