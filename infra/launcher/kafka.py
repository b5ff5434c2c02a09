"""A single-node Apache Kafka broker in KRaft mode, run with the JDK from Maven Central jars.

Guarantees: storage is formatted once (the log dirs persist across restarts);
``start`` is idempotent; a broker killed with ``kill -9`` is started again on
the same log dirs with its messages intact (Kafka recovers unflushed segments);
``wait_ready`` returns only once the broker answers metadata requests.
"""

import asyncio
import base64
import shutil
import subprocess
import time
import uuid

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from infra.launcher.aio import run_sync
from infra.launcher.errors import LauncherError
from infra.launcher.kafka_artifacts import resolve_classpath
from infra.launcher.kafka_config import log4j2_xml, server_properties
from infra.launcher.proc import accepts_connections, is_alive, live_pid, stop_pid, tail, wait_port_free
from infra.launcher.settings import LauncherSettings
from infra.launcher.status import Reporter, ServiceStatus

MAIN_CLASS = "kafka.Kafka"


class KafkaBroker:
    """The broker of one state dir: ``<state>/kafka/{data,logs}``, its config and pid file."""

    def __init__(self, settings: LauncherSettings) -> None:
        self.settings = settings
        self.home = settings.kafka_dir
        self.data_dir = self.home / "data"
        self.log_dir = self.home / "logs"
        self.properties = self.home / "server.properties"
        self.pid_file = self.home / "kafka.pid"
        self.console_log = self.log_dir / "console.out"
        self.server_log = self.log_dir / "server.log"

    def pid(self) -> int | None:
        return live_pid(self.pid_file, MAIN_CLASS, str(self.properties))

    def status(self) -> ServiceStatus:
        pid = self.pid()
        address = self.settings.kafka_bootstrap_servers
        return ServiceStatus("kafka", pid is not None, pid, address, self.data_dir, self.server_log)

    def java(self) -> str:
        found = shutil.which(self.settings.java_bin)
        if found is None:
            raise LauncherError(
                f"Java ({self.settings.java_bin}) is not installed; the Kafka broker runs on the JDK",
                hint="install a JDK 17+ (apt-get install -y openjdk-17-jre-headless) "
                "or set BOXOFFICE_JAVA_BIN",
            )
        return found

    def start(self, report: Reporter) -> bool:
        """Spawn the broker unless it runs; True if spawned now. Does not wait for readiness."""
        if (pid := self.pid()) is not None:
            report(f"Kafka already running (pid {pid}) on {self.settings.kafka_bootstrap_servers}")
            return False
        self.pid_file.unlink(missing_ok=True)  # stale: its process is gone or is something else
        java = self.java()
        host = self.settings.launcher_host
        for port in (self.settings.kafka_port, self.settings.kafka_controller_port):
            if not wait_port_free(host, port, self.settings.port_wait_s):
                raise LauncherError(
                    f"Kafka cannot listen on {host}:{port}: the port is taken by another process",
                    hint="stop that process or choose other ports (--kafka-port/--kafka-controller-port)",
                )
        classpath, resolved = resolve_classpath(self.home, self.settings.mvn_bin)
        if resolved:
            report("resolved the Kafka artifacts from Maven Central")
        self._write_config()
        if not (self.data_dir / "meta.properties").exists():
            self._format(java, classpath, report)
        report(f"starting Kafka on {self.settings.kafka_bootstrap_servers}")
        with self.console_log.open("ab") as out:
            process = subprocess.Popen(
                [java, f"-Xmx{self.settings.kafka_heap}", "-Xms256m", "-XX:+UseG1GC",
                 "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                 f"-Dlog4j2.configurationFile={self.home / 'log4j2.xml'}",
                 "-cp", classpath, MAIN_CLASS, str(self.properties)],
                cwd=self.home, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives the command that started it, ignores its Ctrl-C
            )  # fmt: skip
        self.pid_file.write_text(f"{process.pid}\n")
        return True

    def _write_config(self) -> None:
        for directory in (self.data_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self.properties.write_text(server_properties(self.settings, self.data_dir))
        (self.home / "log4j2.xml").write_text(log4j2_xml(self.server_log))

    def _format(self, java: str, classpath: str, report: Reporter) -> None:
        cluster_id = new_cluster_id()
        report(f"formatting Kafka storage in {self.data_dir}")
        result = subprocess.run(
            [java, f"-Dlog4j2.configurationFile={self.home / 'log4j2.xml'}", "-cp", classpath,
             "kafka.tools.StorageTool", "format", "--ignore-formatted", "-t", cluster_id,
             "-c", str(self.properties)],
            capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if result.returncode != 0:
            raise LauncherError(
                "formatting the Kafka storage failed", hint=(result.stdout + result.stderr).strip()[-3000:]
            )

    def wait_ready(self, deadline: float) -> None:
        """Return once the broker answers metadata; raise with its log tail if it dies or times out."""
        host, port = self.settings.launcher_host, self.settings.kafka_port
        while True:
            pid = self.pid()
            if pid is None or not is_alive(pid):
                raise LauncherError(
                    "the Kafka broker exited during start-up",
                    hint=f"{self.console_log}:\n{tail(self.console_log)}\n{self.server_log}:\n"
                    f"{tail(self.server_log)}",
                )
            if accepts_connections(host, port) and run_sync(
                metadata_answers(f"{host}:{port}", group_coordinator=True)
            ):
                return
            if time.monotonic() > deadline:
                raise LauncherError(
                    f"Kafka did not answer on {host}:{port} in time", hint=f"see {self.server_log}"
                )
            time.sleep(0.5)

    def stop(self, report: Reporter) -> bool:
        """Stop the broker (controlled shutdown, then SIGKILL after 60 s); True if it was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        report(f"stopping Kafka (pid {pid})")
        if not stop_pid(pid, grace_s=60):
            report("Kafka did not stop within 60 s and was killed; it will recover its logs on start")
        self.pid_file.unlink(missing_ok=True)
        return True


def new_cluster_id() -> str:
    """A KRaft cluster id: a UUID in unpadded URL-safe base64, as ``kafka-storage random-uuid`` makes.

    Never one starting with '-': the storage tool would read it as an option.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


async def metadata_answers(
    bootstrap_servers: str, timeout_s: float = 10.0, group_coordinator: bool = False
) -> bool:
    """True when the broker returns cluster metadata naming at least one broker.

    With ``group_coordinator``, also require a group coordinator: on a fresh
    broker the first lookup creates ``__consumer_offsets``, and consumers that
    join before it exists spin on "coordinator dead" for a few seconds.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout_s * 1000))
    try:
        async with asyncio.timeout(timeout_s):
            await admin.start()
            cluster = await admin.describe_cluster()
            if group_coordinator:
                await admin.find_coordinator("boxoffice-launcher-readiness")
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()
