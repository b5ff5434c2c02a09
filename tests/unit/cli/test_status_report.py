"""``boxoffice status``'s health rule: down services and a missing relay leader are problems; lag is not."""

import json
from datetime import UTC, datetime

from cli.operator_status.report import LeaderSession, OutboxBacklog, ServiceProbe, StatusReport, VersionLag

UP = [ServiceProbe(name, "addr", "up") for name in ("postgresql", "kafka", "command API")]
LEADER = LeaderSession(42, "boxoffice-relay-leader", None, datetime(2026, 1, 1, tzinfo=UTC))


def test_all_up_with_one_leader_is_healthy_even_when_lagging() -> None:
    lagging = VersionLag("dashboard", 2, "live", 10_000, 600.0, 3, 3, 1)
    report = StatusReport(UP, [LEADER], OutboxBacklog(500, 300.0), [lagging])
    assert report.healthy
    assert report.problems == []


def test_a_down_or_unready_service_and_no_leader_are_problems() -> None:
    services = [*UP, ServiceProbe("query API", "addr", "not ready"), ServiceProbe("projector", "a", "down")]
    report = StatusReport(services, relay_leaders=[])
    assert not report.healthy
    expected = ["query API is not ready", "projector is down", "no relay leader holds the lock"]
    assert report.problems == expected


def test_an_unknown_leader_is_not_reported_as_missing() -> None:
    assert StatusReport(UP, relay_leaders=None).healthy


def test_as_dict_is_json_with_iso_times() -> None:
    facts = StatusReport(UP, [LEADER]).as_dict()
    assert json.loads(json.dumps(facts))["relay_leaders"][0]["since"] == "2026-01-01T00:00:00+00:00"
    assert (facts["healthy"], facts["outbox"], facts["projections"]) == (True, None, None)
