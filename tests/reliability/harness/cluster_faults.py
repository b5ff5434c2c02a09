"""The faults of the cluster scenario, injected one after the other under the load, each with its figures.

:meth:`ClusterFaults.one_of_everything` SIGKILLs a Kafka node (restarted
after ``broker_down_s``; its rejoining is awaited in the background while the
next faults run), the relay leader (then started again, as the standby), one
projector instance of each projection, one command API, and stops the replica
for ``replica_down_s`` before starting it again. It ends the load once every
fault is done, then waits for the Kafka node to be back in sync. ``figures``
holds, per fault, what the survivors did meanwhile and how long the takeover
took (the relay's: from the kill to the standby's "became relay leader" line).
"""

import asyncio
import os
import signal
import time
from datetime import UTC, datetime
from typing import Any

from infra.launcher import Launcher
from infra.launcher.kafka import metadata_answers
from infra.launcher.status import quiet
from tests.reliability.harness import checks_read as rd
from tests.reliability.harness import checks_write as wr
from tests.reliability.harness.cluster import ReplicaLag, partitions_fully_replicated, replay_position_reached
from tests.reliability.harness.processes import Child
from tests.reliability.harness.stack import Stack
from tests.reliability.harness.token_reads import ReadingLoad


def leadership_logged_at(worker: Child) -> float:
    """When ``worker`` logged that it became the relay leader (epoch seconds; the log's clock is UTC)."""
    current = worker.log_text().rpartition("---- start")[2]
    line = current.rpartition("became relay leader")[0].rsplit("\n", 1)[-1]
    stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
    return stamp.timestamp()


async def elapsed_until(predicate: Any, what: str, within_s: float = 60) -> float:
    started = time.monotonic()
    await wr.wait_for(predicate, what, within_s, every_s=0.1)
    return round(time.monotonic() - started, 2)


class ClusterFaults:
    """Faults on ``cluster`` and ``stack`` while ``load`` runs; ``lag`` pauses while the replica is down."""

    def __init__(
        self,
        cluster: Launcher,
        stack: Stack,
        load: ReadingLoad,
        lag: ReplicaLag,
        *,
        broker_down_s: float = 12,
        replica_down_s: float = 8,
    ) -> None:
        self.cluster, self.stack, self.load, self.lag = cluster, stack, load, lag
        self.db = cluster.settings.database_url
        self.kafka = cluster.settings.kafka_bootstrap_servers
        self.broker_down_s, self.replica_down_s = broker_down_s, replica_down_s
        self.figures: dict[str, Any] = {}
        self._rejoining: asyncio.Task[None] | None = None
        self._outage = (0.0, 0.0)
        self.timeline: list[str] = []  # UTC times of what happened, to set beside the processes' logs

    def mark(self, what: str) -> None:
        self.timeline.append(f"{datetime.now(UTC).strftime('%H:%M:%S.%f')[:-3]} {what}")

    async def one_of_everything(self, settle_s: float = 3) -> dict[str, Any]:
        await asyncio.sleep(2 * settle_s)
        for fault in (
            self.kill_kafka_node,
            self.kill_relay_leader,
            self.kill_projector_instances,
            self.kill_command_api,
            self.stop_replica,
        ):
            self.mark(f"{fault.__name__} begins")
            await fault()
            self.mark(f"{fault.__name__} done")
            await asyncio.sleep(settle_s)
        self.load.finish()
        assert self._rejoining is not None
        await self._rejoining
        behind = self.load.reads.behind_between(*self._outage)
        self.figures["kafka_node_sigkilled"]["token_reads_behind_then"] = behind
        return self.figures

    async def kill_kafka_node(self) -> None:
        node = self.cluster.kafka_nodes[0]
        pid = node.pid()
        assert pid is not None
        seats = self.stack.deployments["seat_availability"]
        accepted, end = len(self.load.ledger.accepted), await rd.topic_end(self.kafka)
        consumed = rd.consumed(self.db, seats)
        killed_at = time.time()
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(self.broker_down_s)
        self.figures["kafka_node_sigkilled"] = {
            "node": node.name,
            "down_seconds": self.broker_down_s,
            "accepted_while_down": len(self.load.ledger.accepted) - accepted,
            "published_while_down": await rd.topic_end(self.kafka) - end,
            "projected_while_down": rd.consumed(self.db, seats) - consumed,
        }
        # reads answered "behind" while the node was down, and in as long again after its restart
        self._outage = (killed_at, time.time() + self.broker_down_s)
        restarted = time.monotonic()
        await asyncio.to_thread(node.start, quiet)
        self.mark(f"{node.name} started")

        async def rejoin() -> None:
            figures = self.figures["kafka_node_sigkilled"]
            async with asyncio.timeout(240):
                while not await metadata_answers(
                    node.address, timeout_s=5, min_brokers=len(self.cluster.kafka_nodes)
                ):
                    await asyncio.sleep(0.5)
                figures["restarted_answering_seconds"] = round(time.monotonic() - restarted, 1)
                while not await partitions_fully_replicated(self.kafka):
                    await asyncio.sleep(0.5)
            figures["restarted_back_in_sync_seconds"] = round(time.monotonic() - restarted, 1)

        self._rejoining = asyncio.create_task(rejoin())

    async def kill_relay_leader(self) -> None:
        stack = self.stack
        await wr.wait_for(lambda: len(stack.leaders()) == 1, "exactly one relay leader", 30)
        leader = stack.leaders()[0]
        killed_at = time.time()
        await asyncio.to_thread(leader.kill)
        await wr.wait_for(lambda: len(stack.leaders()) == 1, "the standby to take over", 30, every_s=0.1)
        took_over_at = leadership_logged_at(stack.leaders()[0])
        self.figures["relay_leader_sigkilled"] = {"takeover_seconds": round(took_over_at - killed_at, 2)}
        await asyncio.sleep(3)
        leader.start()  # back, as the standby

    async def kill_projector_instances(self) -> None:
        end = await rd.topic_end(self.kafka)
        for group in self.stack.projectors.values():
            await asyncio.to_thread(group[0].kill)  # its partner takes its partitions over
        past_the_kill = {
            name: await elapsed_until(
                lambda d=d: rd.consumed(self.db, d) >= end, f"{name} to pass the topic end at the kill", 90
            )
            for name, d in self.stack.deployments.items()
        }
        self.figures["projector_instances_sigkilled"] = {
            "killed": len(self.stack.projectors),
            "survivor_past_the_kill_seconds": past_the_kill,
        }

    async def kill_command_api(self, watch_s: float = 5) -> None:
        ledger = self.load.ledger
        unreachable, accepted = sum(ledger.unreachable.values()), len(ledger.accepted)
        await asyncio.to_thread(self.stack.apis[0].kill)
        await asyncio.sleep(watch_s)
        self.figures["command_api_sigkilled"] = {
            "accepted_by_the_survivor_in_5s": len(ledger.accepted) - accepted,
            "requests_retried_on_the_survivor": sum(ledger.unreachable.values()) - unreachable,
        }

    async def stop_replica(self) -> None:
        node, replica_url = self.cluster.replicas[0], self.cluster.settings.replica_database_urls[0]
        reader = self.stack.query_urls[1]
        self.lag.paused = True
        before = self.load.reads.outcomes.copy()
        await asyncio.to_thread(node.stop, quiet)
        self.mark("replica stopped")
        await asyncio.sleep(self.replica_down_s)
        restarted = time.monotonic()
        await asyncio.to_thread(node.start, quiet, restarted + 120)
        self.mark("replica started")
        await wr.wait_for(
            lambda: replay_position_reached(self.db, replica_url), "the replica to catch up", 90
        )
        self.lag.paused = False
        during = self.load.reads.outcomes - before
        self.figures["replica_stopped"] = {
            "down_seconds": self.replica_down_s,
            "caught_up_after_restart_seconds": round(time.monotonic() - restarted, 1),
            "replica_reads_meanwhile": {outcome: n for (api, outcome), n in during.items() if api == reader},
        }
