"""The sales dashboard: totals, sales by day, by show, by zone and by referrer."""

from projections.dashboard.projection import Dashboard

__all__ = ["Dashboard"]
