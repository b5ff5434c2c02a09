"""The dashboard as CSV: one section per table, for spreadsheets and accounting.

RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma,
a quote or a line break (quotes doubled), UTF-8. Each section is the table's
name on a line of its own, then a header row and the rows; an empty line
separates sections. Money stays in cents, as in the JSON, so no figure is
rounded on the way.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from query_api.models import DashboardPublic, ReferrerSales, SalesByDay, ShowSales, ZoneSales

MEDIA_TYPE = "text/csv; charset=utf-8"
_SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("sales_by_day", SalesByDay),
    ("by_show", ShowSales),
    ("by_zone", ZoneSales),
    ("by_referrer", ReferrerSales),
)


def _section(out: Any, name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    out.writerow([name])
    out.writerow(header)
    out.writerows(rows)
    out.writerow([])


def _cell(value: object) -> object:
    return "" if value is None else value


def _table(models: Sequence[BaseModel], model_type: type[BaseModel]) -> tuple[list[str], list[list[object]]]:
    header = list(model_type.model_fields)
    return header, [[_cell(getattr(m, name)) for name in header] for m in models]


def dashboard_csv(dashboard: DashboardPublic) -> bytes:
    """The CSV document of ``dashboard``: its filter, totals and each table."""
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, lineterminator="\r\n")
    where = dashboard.filter
    _section(
        out,
        "filter",
        ["from", "to", "show_id"],
        [[_cell(where.from_day), _cell(where.to_day), _cell(where.show_id)]],
    )
    totals = dashboard.totals.model_dump(exclude={"filtered_by"})
    totals["filtered_by"] = " ".join(dashboard.totals.filtered_by)
    _section(out, "totals", list(totals), [list(totals.values())])
    for name, model_type in _SECTIONS:
        header, values = _table(getattr(dashboard, name), model_type)
        _section(out, name, header, values)
    return buffer.getvalue().encode()
