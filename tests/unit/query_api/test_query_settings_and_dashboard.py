"""Settings validation and the dashboard's per-row arithmetic."""

import pytest
from pydantic import ValidationError

from query_api.readers.dashboard import occupancy_pct
from query_api.settings import QueryApiSettings


@pytest.mark.parametrize("name", ["read; DROP TABLE x", "Read", "", "a" * 64])
def test_schema_names_must_be_plain_identifiers(name: str) -> None:
    with pytest.raises(ValidationError):
        QueryApiSettings(read_schema=name)


def test_defaults() -> None:
    settings = QueryApiSettings()
    assert (settings.port, settings.read_schema, settings.default_wait_ms) == (8002, "read", 1000)


@pytest.mark.parametrize(
    ("sold", "capacity", "pct"), [(0, 10, 0.0), (1, 3, 33.33), (3, 3, 100.0), (0, 0, 0.0)]
)
def test_occupancy(sold: int, capacity: int, pct: float) -> None:
    assert occupancy_pct(sold, capacity) == pct
