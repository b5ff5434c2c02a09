"""The read models' names as the production code spells them, so tests never write them again.

``DASHBOARD_TOTALS`` is the dashboard projection's list of totals, in the
column order of its ``dashboard_totals`` view (the query API's
``DashboardTotals`` carries the same figures).
"""

from projections.dashboard.fold import TOTALS as DASHBOARD_TOTALS

__all__ = ["DASHBOARD_TOTALS"]
