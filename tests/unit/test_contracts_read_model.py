"""The read model's agreement: the projections build their views from it, the query API its tables."""

from dataclasses import fields

from sqlalchemy import Table

from contracts.read_model import (
    PROJECTION_PROGRESS,
    PROJECTION_VIEWS,
    TOTAL_FIGURES,
    WATERMARK_VIEWS,
    ReadView,
)
from projections.catalog import PROJECTIONS
from projections.dashboard.fold import TOTALS
from query_api.models import DashboardTotals
from query_api.views import read_views


def view(name: str) -> ReadView:
    return next(v for views in PROJECTION_VIEWS.values() for v in views if v.name == name)


def test_every_projection_creates_exactly_its_agreed_views() -> None:
    assert set(PROJECTIONS) == set(PROJECTION_VIEWS)
    for name, projection in PROJECTIONS.items():
        made = projection.views("proj_x_v1")
        assert list(made) == [v.name for v in PROJECTION_VIEWS[name]]


def test_the_query_api_describes_every_agreed_view_with_its_columns() -> None:
    described = read_views("read_x")
    tables = {
        t.name: t for t in (getattr(described, f.name) for f in fields(described)) if isinstance(t, Table)
    }
    for agreed in (*(v for views in PROJECTION_VIEWS.values() for v in views), PROJECTION_PROGRESS):
        table = tables[agreed.name]
        assert table.schema == "read_x"
        assert tuple(c.name for c in table.columns) == agreed.column_names


def test_the_totals_are_one_list_for_the_fold_the_views_and_the_answer() -> None:
    assert TOTALS == TOTAL_FIGURES
    assert tuple(n for n in DashboardTotals.model_fields if n != "filtered_by") == TOTAL_FIGURES
    assert view("dashboard_totals").column_names == TOTAL_FIGURES


def test_watermark_views_are_agreed_per_projection() -> None:
    for projection, name in WATERMARK_VIEWS.items():
        assert view(name).column_names == ("show_id", "seq", "event_at")
        assert name in [v.name for v in PROJECTION_VIEWS[projection]]
