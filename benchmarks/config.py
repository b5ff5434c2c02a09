"""Scale presets: how much data, how long each measurement may run, what load it applies.

Every measurement is bounded twice, by a count and by a time budget, so a slow
design (the baseline's cold dashboard at a million orders) cannot stretch a run.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

ScaleName = Literal["tiny", "small", "large"]


@dataclass(frozen=True, slots=True)
class ReadLoad:
    """A closed-loop read load: ``concurrency`` clients, at most ``requests`` or ``seconds``."""

    concurrency: int
    requests: int
    seconds: float
    shows: int  # distinct shows the reads spread over (the cached baseline is warmed on each)


@dataclass(frozen=True, slots=True)
class ScaleConfig:
    name: ScaleName
    order_steps: tuple[int, ...]  # cumulative orders at which the reads are measured
    reads: ReadLoad
    freshness_rate: float  # commands per second, open loop
    freshness_seconds: float
    command_levels: tuple[int, ...]  # concurrent clients, rising
    command_requests: int  # holds per level (bounded by command_seconds as well)
    command_seconds: float
    floor: ReadLoad
    catch_up_timeout: float


SCALES: dict[str, ScaleConfig] = {
    "tiny": ScaleConfig(
        name="tiny",
        order_steps=(300, 1_000),
        reads=ReadLoad(concurrency=4, requests=20, seconds=0.5, shows=2),
        freshness_rate=20.0,
        freshness_seconds=1.0,
        command_levels=(1, 4),
        command_requests=10,
        command_seconds=1.0,
        floor=ReadLoad(concurrency=4, requests=50, seconds=0.5, shows=1),
        catch_up_timeout=120.0,
    ),
    "small": ScaleConfig(
        name="small",
        order_steps=(10_000, 100_000),
        reads=ReadLoad(concurrency=8, requests=3_000, seconds=6.0, shows=40),
        freshness_rate=200.0,
        freshness_seconds=15.0,
        command_levels=(1, 4, 16, 64),
        command_requests=600,
        command_seconds=8.0,
        floor=ReadLoad(concurrency=8, requests=5_000, seconds=5.0, shows=1),
        catch_up_timeout=900.0,
    ),
    "large": ScaleConfig(
        name="large",
        order_steps=(10_000, 100_000, 1_000_000),
        reads=ReadLoad(concurrency=8, requests=5_000, seconds=8.0, shows=100),
        freshness_rate=300.0,
        freshness_seconds=30.0,
        command_levels=(1, 4, 16, 64, 128),
        command_requests=1_500,
        command_seconds=12.0,
        floor=ReadLoad(concurrency=8, requests=10_000, seconds=8.0, shows=1),
        catch_up_timeout=1_800.0,
    ),
}

# The baseline's cache lifetimes, as the design it replaces had them.
AVAILABILITY_TTL_SECONDS = 60.0
DASHBOARD_TTL_SECONDS = 300.0

# Keys of the private processes; they only ever listen on loopback.
OPERATOR_KEY = "bench-operator-key"
CHECKOUT_KEY = "bench-checkout-key"
VIEWER_KEY = "bench-viewer-key"
API_KEYS = f"operator:{OPERATOR_KEY},checkout:{CHECKOUT_KEY},viewer:{VIEWER_KEY}"


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """What one run was asked to do."""

    scale: ScaleConfig
    out_dir: Path
    keep: bool = False  # keep the private database and topics for inspection
    seed: int = 7
    database_url: str | None = None  # default: the services resolve_services() finds
    kafka_bootstrap: str | None = None


@dataclass(frozen=True, slots=True)
class WrkBenchOptions:
    """What every wrk benchmark (``benchmarks.commands``, ``benchmarks.reads``) is asked, besides its load."""

    out_dir: Path
    allow_non_durable: bool = False
    keep: bool = False  # keep the private database and topics for inspection
    seed: int = 7
    install: bool = True  # install wrk (scripts/install-bench-tools.sh) when missing
    quick: bool = False
    database_url: str | None = None  # default: the services resolve_services() finds
    kafka_bootstrap: str | None = None

    def as_quick(self) -> Self:
        """The smoke-test size of the benchmark (``quick`` set)."""
        raise NotImplementedError
