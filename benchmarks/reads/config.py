"""What the read benchmark runs: data size, connections, rates and durations."""

from dataclasses import dataclass, replace
from typing import Literal

from benchmarks.config import WrkBenchOptions

Endpoint = Literal["availability", "seats", "dashboard"]
ENDPOINTS: tuple[Endpoint, ...] = ("availability", "seats", "dashboard")
ENDPOINT_LABELS: dict[Endpoint, str] = {
    "availability": "seat availability",
    "seats": "seat map (compact)",
    "dashboard": "sales dashboard",
}
TARGET_LABELS = {"query_api": "read model (query API)", "baseline_cached": "baseline cached"}
FLOOR_PATH = "/healthz"  # each process's constant answer: no database, no auth
HOLD_ZONES = ("A", "B", "C", "D")  # the benchmark hall's zones (benchmarks.datagen.layout)
QUIET_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class ReadBenchOptions(WrkBenchOptions):
    orders: int = 20_000  # generated history (benchmarks.datagen), 560 orders per show
    seconds: int = 10  # per closed-loop case, and per open-loop run
    connections: int = 8  # closed loop
    history_shows: int = 16  # generated shows the reads spread over (with their sales history)
    hold_shows: int = 16  # fresh shows the background holds land on; the reads spread over them too
    freshness_shows: int = 8  # fresh shows of the freshness measurement
    background_rate: float = 100.0  # holds/s through the command API during (a), (b) and (d)
    background_connections: int = 8
    open_rate: float = 1_000.0  # availability reads/s of the open loop
    open_connections: int = 20
    freshness_rate: float = 200.0  # holds/s, each followed by a read with its consistency token
    freshness_seconds: float = 15.0
    query_workers: tuple[int, ...] = (1, 2)  # the first for every section, the rest for (d)
    command_workers: int = 2
    # Replace the query API by a fresh process after the data load (as after a deploy); by default
    # the process that ran through the bulk load is measured, as a long-running one would be.
    restart_query_api: bool = False

    def as_quick(self) -> "ReadBenchOptions":
        """The smoke-test size: every section, a second or two each, on a small data set."""
        return replace(
            self,
            orders=QUICK_ORDERS,
            seconds=1,
            history_shows=2,
            hold_shows=2,
            freshness_shows=2,
            background_rate=20.0,
            open_rate=200.0,
            freshness_rate=20.0,
            freshness_seconds=2.0,
            quick=True,
        )


QUICK_ORDERS = 1_200
