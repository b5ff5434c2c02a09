"""An Apache Kafka node in KRaft mode (broker and controller), run with the JDK from Maven Central jars.

The node is alone (the default) or one voter of a cluster (:mod:`infra.launcher.topology`);
every node of a cluster is formatted with the same cluster id, kept in the cluster's directory.

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
from infra.launcher.proc import accepts_connections, is_alive, live_pid, require_port_free, stop_pid, tail
from infra.launcher.settings import LauncherSettings
from infra.launcher.status import Reporter, ServiceStatus
from infra.launcher.topology import KafkaNode, kafka_nodes

MAIN_CLASS = "kafka.Kafka"


class KafkaBroker:
    """One node: ``<home>/{data,logs}`` (``<state>/kafka`` alone), its config and pid file."""

    def __init__(self, settings: LauncherSettings, node: KafkaNode | None = None) -> None:
        self.settings = settings
        self.node = node or kafka_nodes(settings)[0]
        self.name = self.node.name
        self.address = f"{settings.launcher_host}:{self.node.port}"
        self.home = self.node.home
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
        return ServiceStatus(
            self.name, pid is not None, pid, self.address, self.data_dir, self.server_log,
            role=f"kafka broker {self.node.node_id}, controller",
        )  # fmt: skip

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
            report(f"{self._title} already running (pid {pid}) on {self.address}")
            return False
        self.pid_file.unlink(missing_ok=True)  # stale: its process is gone or is something else
        java = self.java()
        host = self.settings.launcher_host
        for port in (self.node.port, self.node.controller_port):
            require_port_free(
                self._title,
                host,
                port,
                self.settings.port_wait_s,
                hint="stop that process (a Kafka of another topology of this state dir stops with "
                "`boxoffice infra down`) or choose other ports (--kafka-port/--kafka-controller-port)",
            )
        # One class path cache for every node: Maven resolves the jars once.
        classpath, resolved = resolve_classpath(self.settings.kafka_dir, self.settings.mvn_bin)
        if resolved:
            report("resolved the Kafka artifacts from Maven Central")
        self._write_config()
        if not (self.data_dir / "meta.properties").exists():
            self._format(java, classpath, report)
        report(f"starting {self._title} on {self.address}")
        heap = self.node.heap
        initial = "256m" if self.node.brokers == 1 else heap
        with self.console_log.open("ab") as out:
            process = subprocess.Popen(
                [java, f"-Xmx{heap}", f"-Xms{initial}", "-XX:+UseG1GC",
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
        self.properties.write_text(server_properties(self.settings, self.node, self.data_dir))
        (self.home / "log4j2.xml").write_text(log4j2_xml(self.server_log))

    @property
    def _title(self) -> str:
        return "Kafka" if self.node.brokers == 1 else f"Kafka node {self.node.node_id}"

    def _cluster_id(self) -> str:
        """A new id for a single node; for a cluster, the one id every node is formatted with."""
        if self.node.brokers == 1:
            return new_cluster_id()
        id_file = self.node.cluster_home / "cluster.id"
        if not id_file.exists():
            id_file.write_text(new_cluster_id() + "\n")
        return id_file.read_text().strip()

    def _format(self, java: str, classpath: str, report: Reporter) -> None:
        cluster_id = self._cluster_id()
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
        """Return once the node answers metadata naming every node of its cluster and a group
        coordinator; raise with its log tail if it dies or times out."""
        host, port = self.settings.launcher_host, self.node.port
        while True:
            pid = self.pid()
            if pid is None or not is_alive(pid):
                raise LauncherError(
                    f"the {self._title} broker exited during start-up",
                    hint=f"{self.console_log}:\n{tail(self.console_log)}\n{self.server_log}:\n"
                    f"{tail(self.server_log)}",
                )
            if accepts_connections(host, port) and run_sync(
                metadata_answers(f"{host}:{port}", group_coordinator=True, min_brokers=self.node.brokers)
            ):
                return
            if time.monotonic() > deadline:
                raise LauncherError(
                    f"{self._title} did not answer on {host}:{port} in time", hint=f"see {self.server_log}"
                )
            time.sleep(0.5)

    def stop(self, report: Reporter) -> bool:
        """Stop the broker (controlled shutdown, then SIGKILL after 60 s); True if it was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        report(f"stopping {self._title} (pid {pid})")
        if not stop_pid(pid, grace_s=60):
            report(f"{self._title} did not stop within 60 s and was killed; it recovers its logs on start")
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
    bootstrap_servers: str, timeout_s: float = 10.0, group_coordinator: bool = False, min_brokers: int = 1
) -> bool:
    """True when the broker returns cluster metadata naming at least ``min_brokers`` brokers.

    With ``group_coordinator``, also require a group coordinator: on a fresh
    broker the first lookup creates ``__consumer_offsets``, and consumers that
    join before it exists spin on "coordinator dead" for a few seconds.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout_s * 1000))
    try:
        async with asyncio.timeout(timeout_s):
            await admin.start()
            cluster = await admin.describe_cluster()
            if len(cluster.get("brokers") or ()) < max(1, min_brokers):
                return False
            if group_coordinator:
                await admin.find_coordinator("boxoffice-launcher-readiness")
        return True
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()
