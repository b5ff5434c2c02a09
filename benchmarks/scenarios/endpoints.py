"""The base URLs of the services one run measures, and their keys."""

from dataclasses import dataclass

from benchmarks.config import CHECKOUT_KEY, OPERATOR_KEY, VIEWER_KEY

DESIGNS = ("baseline_cold", "baseline_cached", "read_model")
ENDPOINTS = ("availability", "seats", "dashboard")
# Read-model-only reads (the baseline has no filters): the dashboard of one show, and of a day range
# spanning every sale; both must stay flat in the number of orders.
FILTERED = ("dashboard_show", "dashboard_range")


@dataclass(frozen=True, slots=True)
class Endpoints:
    baseline_cold: str  # the baseline with its cache turned off: every request computes
    baseline_cached: str  # the baseline as it ran, with its 60 s / 300 s cache
    query_api: str
    command_api: str

    def base(self, design: str) -> str:
        return {
            "baseline_cold": self.baseline_cold,
            "baseline_cached": self.baseline_cached,
            "read_model": self.query_api,
        }[design]


VIEWER = {"Authorization": f"Bearer {VIEWER_KEY}"}
CHECKOUT = {"Authorization": f"Bearer {CHECKOUT_KEY}"}
OPERATOR = {"Authorization": f"Bearer {OPERATOR_KEY}"}
