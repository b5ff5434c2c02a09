"""Fixtures shared by the integration tests of the benchmarks."""

import pytest

from benchmarks.wrk import WrkError, ensure_wrk


@pytest.fixture(scope="session")
def wrk() -> str:
    """The wrk binary. ``make test`` installs it, so its absence is a failure, not a skip."""
    try:
        return ensure_wrk()
    except WrkError as error:
        pytest.fail(f"wrk is needed (make bench-tools): {error}")
