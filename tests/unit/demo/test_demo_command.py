"""The ``demo`` command refuses what it must not do before it touches anything."""

import pytest
from typer.testing import CliRunner

from cli.demo.stack import StackError, require_loopback
from cli.demo_cmds import app


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8001", "http://localhost:8002/", "http://[::1]:8001", "http://127.9.9.9:1"]
)
def test_loopback_urls_are_accepted(url: str) -> None:
    assert require_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3:8001", "http://example.com", "http://192.168.1.5:8002", "nonsense"]
)
def test_other_addresses_are_refused(url: str) -> None:
    with pytest.raises(StackError, match="loopback"):
        require_loopback(url)


def test_the_command_refuses_a_remote_stack_without_sending_anything() -> None:
    result = CliRunner().invoke(app, ["--command-url", "http://10.0.0.8:8001", "--duration", "1"])
    assert result.exit_code == 1
    assert "not a loopback address" in result.output


@pytest.mark.parametrize(
    "args", [["--customers", "0"], ["--rate", "0"], ["--shows", "0"], ["--duration", "0"]]
)
def test_out_of_range_options_are_usage_errors(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
