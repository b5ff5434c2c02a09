"""Starting a replay's extra processes: one failing to start leaves none of the others running."""

import asyncio
import signal
from typing import Any

import pytest

from projections.ops import replay_processes
from projections.runtime.projection import Deployment
from projections.seat_availability import SeatAvailability


class _Process:
    """What ``stop_processes`` uses of a started process, recording the signals it gets."""

    def __init__(self) -> None:
        self.returncode: int | None = None
        self.signals: list[int] = []

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)
        self.returncode = -sig

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def wait(self) -> int:
        assert self.returncode is not None, "waited for before it was asked to stop"
        return self.returncode


async def test_processes_already_started_are_stopped_when_a_later_one_fails_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[_Process] = []

    async def spawn(*argv: str, **options: Any) -> _Process:
        if len(started) == 2:
            raise OSError("no more processes")
        started.append(_Process())
        return started[-1]

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spawn)
    deployment = Deployment(SeatAvailability(), "unit", "t")
    with pytest.raises(OSError, match="no more processes"):
        await replay_processes.start_processes(
            deployment, "postgresql://x/y", "k:1", 2, count=3, max_records=100
        )
    assert [p.signals for p in started] == [[signal.SIGTERM], [signal.SIGTERM]]


async def test_all_processes_are_returned_when_each_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    async def spawn(*argv: str, **options: Any) -> _Process:
        assert "--join-replay" in argv
        return _Process()

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spawn)
    deployment = Deployment(SeatAvailability(), "unit", "t")
    processes = await replay_processes.start_processes(
        deployment, "postgresql://x/y", "k:1", 2, count=3, max_records=100
    )
    assert len(processes) == 3
    assert not any(p.signals for p in processes)  # type: ignore[attr-defined]
