"""The broker's configuration files: single-node KRaft settings and file logging."""

from pathlib import Path
from xml.sax.saxutils import quoteattr

from contracts.topics import EVENTS_TOPIC_PARTITIONS
from infra.launcher.settings import LauncherSettings


def server_properties(settings: LauncherSettings, data_dir: Path) -> str:
    """One process as broker and controller; every replication factor 1, as one node requires."""
    host, port, cport = settings.launcher_host, settings.kafka_port, settings.kafka_controller_port
    lines = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{cport}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": str(EVENTS_TOPIC_PARTITIONS),
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "12",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Tests and projectors join groups constantly; the 3 s default delay would slow every one.
        "group.initial.rebalance.delay.ms": "0",
        # Topics are created deliberately (infra.topic_setup), never by a typo in a producer.
        "auto.create.topics.enable": "false",
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def log4j2_xml(server_log: Path) -> str:
    """Broker logs to a size-rolled file; only warnings reach the console capture."""
    pattern = str(server_log.with_suffix("")) + "-%i.log"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="file" fileName={quoteattr(str(server_log))} filePattern={quoteattr(pattern)}>
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="50 MB"/></Policies>
      <DefaultRolloverStrategy max="5"/>
    </RollingFile>
    <Console name="console" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <ThresholdFilter level="WARN"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="org.apache.kafka.controller" level="INFO"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Root level="INFO">
      <AppenderRef ref="file"/>
      <AppenderRef ref="console"/>
    </Root>
  </Loggers>
</Configuration>
"""
