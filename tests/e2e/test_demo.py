"""``boxoffice demo`` against a running stack: it sells seats, counts refusals, and never crashes on them."""

import os
import re
import subprocess
from typing import Any

import httpx
import pytest

from tests.e2e.stack import API_KEYS, Stack
from tests.support.processes import typer_command

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def run_demo(stack: Stack, api_keys: str, *args: str) -> subprocess.CompletedProcess[str]:
    argv = typer_command(
        "cli.demo_cmds", "demo", "--command-url", stack.command_url, "--query-url", stack.query_url, *args
    )
    # A wide terminal, so that the URLs and the tables are printed whole.
    env = {**os.environ, "BOXOFFICE_API_KEYS": api_keys, "COLUMNS": "200", "TERM": "dumb"}
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, check=False)


def table_row(output: str, label: str) -> list[str]:
    """The cells of the last rendered table row starting with ``label``."""
    rows = [line for line in output.splitlines() if re.search(rf"│\s*{re.escape(label)}\s*│", line)]
    assert rows, f"no row {label!r} in:\n{output}"
    cells = [cell.strip() for cell in rows[-1].split("│") if cell.strip()]
    return cells[cells.index(label) + 1 :]


def availability(stack: Stack, show_id: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.query_url}/v1/shows/{show_id}/availability", timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_demo_sells_seats_and_the_read_model_agrees(stack: Stack) -> None:
    done = run_demo(stack, API_KEYS, "--duration", "12", "--customers", "6", "--rate", "30", "--shows", "2")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "already running: reusing it" in out
    assert f"{stack.query_url}/?key=e2e-viewer-key" in out
    assert "e2e-checkout-key" in out
    assert "the read model shows every accepted sale" in out

    accepted, read = table_row(out, "tickets sold")
    assert accepted == read
    assert int(accepted.replace(",", "")) > 0
    holds_ok, *_ = table_row(out, "hold")
    assert int(holds_ok.replace(",", "")) > 0

    show_ids = re.findall(rf"show\s+({UUID})", out)
    assert len(show_ids) == 2
    sold = sum(z["sold"] for show_id in show_ids for z in availability(stack, show_id)["zones"])
    assert sold == int(accepted.replace(",", ""))


def test_refused_commands_are_counted_not_fatal(stack: Stack) -> None:
    # The stack does not know this checkout key: every checkout command gets a 401.
    keys = "operator:e2e-operator-key,checkout:unknown-checkout-key,viewer:e2e-viewer-key"
    done = run_demo(stack, keys, "--duration", "4", "--customers", "3", "--rate", "20", "--shows", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    ok, conflict, rejected, error, transport = table_row(done.stdout, "hold")
    assert ok == "0"
    assert int(rejected.replace(",", "")) > 0
    assert (conflict, error, transport) == ("0", "0", "0")
    assert "Traceback" not in done.stdout + done.stderr


def test_a_refused_operator_key_ends_the_demo_with_a_message(stack: Stack) -> None:
    keys = "operator:unknown-operator-key,checkout:e2e-checkout-key,viewer:e2e-viewer-key"
    done = run_demo(stack, keys, "--duration", "2")
    assert done.returncode == 1
    assert "could not create the venue: HTTP 401" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
