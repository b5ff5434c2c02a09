"""The broker's configuration files: KRaft settings of one node (alone or in a cluster) and file logging."""

from pathlib import Path
from xml.sax.saxutils import quoteattr

from contracts.topics import EVENTS_TOPIC_PARTITIONS
from infra.launcher.settings import LauncherSettings
from infra.launcher.topology import KafkaNode, min_insync_replicas, replication_factor


def server_properties(settings: LauncherSettings, node: KafkaNode, data_dir: Path) -> str:
    """One process as broker and controller; replication factors as the cluster's size allows.

    A single node has every replication factor 1. A cluster of 3 voters keeps
    each partition (internal topics too) on 3 nodes and needs 2 in sync for an
    ``acks=all`` write, so it goes on with one node down.
    """
    host, port, cport = settings.launcher_host, node.port, node.controller_port
    rf, min_isr = str(replication_factor(node.brokers)), str(min_insync_replicas(node.brokers))
    lines = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": node.voters,
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": str(EVENTS_TOPIC_PARTITIONS),
        "default.replication.factor": rf,
        "min.insync.replicas": min_isr,
        "offsets.topic.replication.factor": rf,
        "offsets.topic.num.partitions": "12",
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": min_isr,
        "share.coordinator.state.topic.replication.factor": rf,
        "share.coordinator.state.topic.min.isr": min_isr,
        # Tests and projectors join groups constantly; the 3 s default delay would slow every one.
        "group.initial.rebalance.delay.ms": "0",
        # Topics are created deliberately (infra.topic_setup), never by a typo in a producer.
        "auto.create.topics.enable": "false",
    }
    if node.brokers > 1:
        # A killed node is fenced (and leaves the ISR) after this long without a heartbeat.
        lines["broker.session.timeout.ms"] = "6000"
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
