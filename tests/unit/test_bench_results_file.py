"""Every benchmark writes its ``results.json`` through one function, with one encoding."""

from datetime import UTC, datetime
from pathlib import Path

import orjson

from benchmarks.report.results_file import write_results


def test_results_json_takes_int_keys_and_values_json_has_no_type_for(tmp_path: Path) -> None:
    results = {"levels": {8: 1.5}, "out": tmp_path, "at": datetime(2026, 1, 2, tzinfo=UTC)}

    path = write_results(results, tmp_path / "run")

    assert path == tmp_path / "run" / "results.json"
    text = path.read_text()
    assert text.startswith("{\n  ")  # indented for people reading it
    expected = {"levels": {"8": 1.5}, "out": str(tmp_path), "at": "2026-01-02T00:00:00+00:00"}
    assert orjson.loads(text) == expected
