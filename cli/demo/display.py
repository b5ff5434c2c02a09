"""The live terminal view of an on-sale: throughput, outcomes, sales, projection lag.

Pure rendering: ``render`` builds rich renderables from the figures, so the
same function serves the live view and the tests.
"""

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cli.demo.stats import COMMAND_KINDS, DemoStats
from cli.demo.watch import ReadSnapshot

OUTCOMES = (("ok", "green"), ("conflict", "yellow"), ("rejected", "magenta"), ("error", "red"))


def money(cents: int) -> str:
    """Cents as currency, e.g. ``$1,234.50`` (negative amounts keep their sign)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def _commands(stats: DemoStats, now: float) -> Table:
    mean = stats.total() / max(1.0, now - stats.started_at)
    title = f"Commands · {stats.commands_per_second(now):,.0f}/s now · {mean:,.0f}/s over the run"
    table = Table(title=title, expand=True)
    table.add_column("command")
    for outcome, colour in OUTCOMES:
        table.add_column("409" if outcome == "conflict" else outcome, justify="right", style=colour)
    table.add_column("no answer", justify="right", style="red")
    for kind in COMMAND_KINDS:
        table.add_row(
            kind,
            *(f"{stats.total(kind, outcome):,}" for outcome, _ in OUTCOMES),
            f"{stats.total(kind, 'transport'):,}",
        )
    p50, p95 = stats.latency_ms(0.5), stats.latency_ms(0.95)
    if p50 is not None and p95 is not None:
        table.caption = f"latency p50 {p50:.0f} ms · p95 {p95:.0f} ms · seat retries {stats.seat_retries:,}"
    return table


def _sales(stats: DemoStats, read: ReadSnapshot) -> Table:
    table = Table(title="Sales: what the command API accepted vs what the read model shows", expand=True)
    table.add_column("")
    table.add_column("accepted commands", justify="right")
    table.add_column("read model, these shows", justify="right")

    def figure(value: int | None, as_money: bool = False) -> str:
        if value is None:
            return "-"
        return money(value) if as_money else f"{value:,}"

    table.add_row("tickets sold", f"{stats.tickets_sold:,}", figure(read.shows_sold))
    table.add_row("revenue (net)", money(stats.revenue_cents), figure(read.shows_revenue_cents, True))
    table.add_row("seats held now", "", figure(read.shows_held))
    totals = read.totals
    if totals:
        refunded = money(int(totals.get("refunded_cents", 0)))
        table.caption = (
            f"dashboard, all shows: {totals.get('orders_paid', 0):,} orders paid · "
            f"{refunded} refunded · {totals.get('live_holds', 0):,} live holds"
        )
    return table


def _projections(stats: DemoStats, read: ReadSnapshot, now: float) -> Table:
    age = "never" if read.updated_at is None else f"{now - read.updated_at:.1f} s ago"
    table = Table(title=f"Projections · read side polled {age}", expand=True)
    for name in ("projection", "version", "state", "lag (events)", "DLQ"):
        table.add_column(name, justify="left" if name in {"projection", "state"} else "right")
    for row in read.projections:
        table.add_row(row.name, row.version, row.state, row.lag, row.dlq)
    behind = read.events_behind(stats.accepted_seq)
    caption = Text("" if behind is None else f"seat maps of this run's shows are {behind:,} event(s) behind")
    if read.error:
        caption.append(f"  {read.error}", style="red")
    table.caption = caption
    return table


def _journeys(stats: DemoStats) -> Text:
    parts = [f"{label}: {count:,}" for label, count in stats.journeys.most_common()]
    return Text("customers · " + (" · ".join(parts) if parts else "starting…"), style="dim")


def render(stats: DemoStats, read: ReadSnapshot, now: float, footer: str) -> RenderableType:
    """The whole live view at ``now``."""
    elapsed = now - stats.started_at
    return Panel(
        Group(_commands(stats, now), _sales(stats, read), _projections(stats, read, now), _journeys(stats)),
        title=f"boxoffice on-sale · {elapsed:,.0f} s",
        subtitle=footer,
    )
