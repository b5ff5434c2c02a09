"""The "Latest figures" summary of docs/performance.md, generated from a committed Markdown report.

The committed report (``docs/bench/small-latest.md``) is the one record of the
run the documentation quotes: its ``results.json`` stays in the run's output
directory (``var/bench``, not in git). So the summary is read back from the
report's own tables (``parse_report``), and every figure in it is quoted as the
report prints it: the summary cannot disagree with the report, not even by
rounding. ``render_latest`` is a pure function of the report text;
``benchmarks.report.publish`` writes its output between the markers below, and
a unit test fails when the section in docs/performance.md differs from it.
"""

import re
import textwrap
from dataclasses import dataclass, field

from benchmarks.config import AVAILABILITY_TTL_SECONDS, DASHBOARD_TTL_SECONDS
from benchmarks.scenarios.endpoints import ENDPOINTS

BEGIN = "<!-- latest-figures:begin -->"
END = "<!-- latest-figures:end -->"
NOTE = (
    "<!-- Generated from {source} by `python -m benchmarks.report.publish`: do not edit by hand "
    "(change benchmarks/report/latest.py, or publish a newer run). -->"
)
READ_LABELS = {"availability": "availability", "seats": "seat map", "dashboard": "dashboard"}
# Which floor bounds which design: the cached baseline answers from memory (no database), every
# read-model request reads its projection's version and watermarks, the cold baseline aggregates.
FLOOR_OF = {"baseline_cached": "constant", "read_model": "primary_key", "baseline_cold": "primary_key"}
FLOOR_LABELS = {"constant": "a constant answer", "primary_key": "one primary-key select"}
WIDTH = 80  # docs/performance.md's prose is wrapped at 80 columns

Row = dict[str, str]


class ReportFormatError(ValueError):
    """The text is not a report written by ``benchmarks.report.markdown.render``."""


@dataclass(frozen=True, slots=True)
class Report:
    """A rendered report read back: its header facts and, per ``## `` section, its body."""

    scale: str
    run_id: str
    started_at: str
    duration_s: str
    sections: dict[str, str] = field(default_factory=dict)

    def measured(self, title: str) -> bool:
        body = self.sections.get(title)
        return body is not None and not body.lstrip().startswith("Not measured")

    def tables(self, title: str) -> list[list[Row]]:
        return tables_of(self.sections.get(title, ""))

    def table(self, title: str) -> list[Row]:
        found = self.tables(title)
        if not found:
            raise ReportFormatError(f"section {title!r} has no table")
        return found[0]


_TITLE = re.compile(r"^# boxoffice benchmark: (\w+) scale$", re.MULTILINE)
_RUN = re.compile(r"^Run `([^`]+)` started (\S+), took ([\d.]+) s\.", re.MULTILINE)
_ORDERS = re.compile(r"^### ([\d,]+) orders$", re.MULTILINE)
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def parse_report(text: str) -> Report:
    """Read a Markdown report back into its header facts and sections."""
    title, run = _TITLE.search(text), _RUN.search(text)
    if title is None or run is None:
        raise ReportFormatError("not a boxoffice benchmark report (no title or run line)")
    sections: dict[str, str] = {}
    for chunk in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = chunk.partition("\n")
        sections[heading.strip()] = body
    return Report(title.group(1), run.group(1), run.group(2), run.group(3), sections)


def tables_of(text: str) -> list[list[Row]]:
    """Every Markdown table in ``text``, as rows keyed by the header cells."""
    found: list[list[Row]] = []
    block: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if len(block) >= 2:  # header and separator, then the rows
            head = block[0]
            found.append([dict(zip(head, cells, strict=True)) for cells in block[2:]])
        block = []
    return found


def number(cell: str) -> float:
    """The first number of a cell as the report prints it (``2,056``, ``13.20``)."""
    match = _NUMBER.search(cell)
    if match is None:
        raise ReportFormatError(f"no number in {cell!r}")
    return float(match.group().replace(",", ""))


def reads_by_size(report: Report) -> dict[str, list[Row]]:
    """The reads table of each data size (``"100,000"`` -> rows), in the report's order."""
    body = report.sections.get("Reads", "")
    parts = _ORDERS.split(body)
    # parts: [before the first size, size, its body, size, its body, ...]
    return {size: tables_of(sub)[0] for size, sub in zip(parts[1::2], parts[2::2], strict=True)}


def render_latest(report_text: str, source: str) -> str:
    """The section between the markers (markers included) for the report ``report_text``."""
    report = parse_report(report_text)
    parts = [_intro(report, source)]
    if report.measured("Reads"):
        parts += _reads(report)
    else:
        parts.append("Reads: not measured in this run (see the report's Errors).")
    if report.measured("Floors") and report.measured("Reads"):
        parts.append(_floors(report, errors=report.sections.get("Errors", "")))
    parts.append(_commands_freshness_replay(report))
    errors = report.sections.get("Errors")
    if errors:
        listed = "; ".join(line[2:].strip() for line in errors.splitlines() if line.startswith("- "))
        parts.append(f"This run reported errors: {listed}.")
    body = "\n\n".join(p if p.startswith("|") else _wrap(p) for p in parts)
    return f"{BEGIN}\n{NOTE.format(source=source)}\n\n{body}\n{END}"


def _wrap(paragraph: str) -> str:
    return textwrap.fill(paragraph, WIDTH, break_long_words=False, break_on_hyphens=False)


def replace_section(document: str, section: str) -> str:
    """``document`` with the text from BEGIN to END (markers included) replaced by ``section``."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start or document.count(BEGIN) != 1 or document.count(END) != 1:
        raise ReportFormatError(f"the document needs exactly one {BEGIN} ... {END} pair, in that order")
    return document[:start] + section + document[end + len(END) :]


def current_section(document: str) -> str:
    """The generated section as it stands in ``document`` (markers included)."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise ReportFormatError(f"the document has no {BEGIN} ... {END} section")
    return document[start : end + len(END)]


def _intro(report: Report, source: str) -> str:
    machine = {cells[0]: cells[1] for cells in _two_column(report.sections.get("Machine", ""))}
    cpu = machine.get("CPU", "unknown CPU")
    loads = [number(x) for x in _NUMBER.findall(machine.get("load average (start / end)", ""))]
    load = ""
    if len(loads) == 6:
        load = f"; load average {loads[0]:g} at the start and {loads[3]:g} at the end (1 minute)"
    link = source.removeprefix("docs/")
    return (
        f"{report.scale.capitalize()} scale, run `{report.run_id}` ({report.started_at[:10]}, "
        f"{report.duration_s} s; [full report]({link})), on {cpu}{load}. The load generator, both "
        "designs' processes, PostgreSQL and Kafka share those cores, and other work may run beside "
        "them: compare the columns of one run, not runs with each other."
    )


def _two_column(section: str) -> list[tuple[str, str]]:
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2 and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[1]))
    return rows


def _reads(report: Report) -> list[str]:
    """An introduction, the table (one block, not wrapped) and the dashboard's growth."""
    sizes = reads_by_size(report)
    largest = list(sizes)[-1]
    rows = sizes[largest]
    by = {(r["endpoint"], r["design"]): r for r in rows}
    concurrency = rows[0]["concurrency"]
    equivalence = report.tables("Reads")[0]
    differences = sum(int(number(r["differences"])) for r in equivalence)
    avail_ttl, dash_ttl = _ttls(report)
    intro = (
        f"Reads at {largest} orders, {concurrency} concurrent clients: p50 / p99 in ms, then requests/s. "
        f"Before any timing, both designs were asked the same questions at every data size: "
        f"{differences} difference{'s' if differences != 1 else ''}."
    )
    lines = [
        f"| read | baseline cold | baseline cached (up to {avail_ttl} s / {dash_ttl} s stale) "
        "| read model (fresh) |",
        "| --- | --- | --- | --- |",
    ]
    for endpoint in ENDPOINTS:
        cells = []
        for design in ("baseline_cold", "baseline_cached", "read_model"):
            r = by.get((endpoint, design))
            cells.append(f"{r['p50']} / {r['p99']}, {r['req/s']}/s" if r else "not measured")
        lines.append(f"| {READ_LABELS[endpoint]} | {' | '.join(cells)} |")
    growth = _growth(report)
    return [intro, "\n".join(lines), *([growth] if growth else [])]


def _growth(report: Report) -> str:
    """How the dashboard's p50 moves with the data, per design (the Scale table)."""
    scale = report.table("Scale") if report.measured("Scale") else []
    heads = [h for h in (scale[0] if scale else {}) if h.startswith("p50 at ")]
    sizes = [h.removeprefix("p50 at ") for h in heads]
    found = {r["design"]: [r[h] for h in heads] for r in scale if r["endpoint"] == "dashboard"}
    if len(sizes) < 2 or "baseline_cold" not in found or "read_model" not in found:
        return ""

    def series(values: list[str]) -> str:
        pairs = [f"{v} ms at {s}" for v, s in zip(values, sizes, strict=True) if v]
        return ", ".join(pairs)

    return (
        f"The dashboard's p50 by data size (orders): computed on read {series(found['baseline_cold'])}; "
        f"read model {series(found['read_model'])}."
    )


def _ttls(report: Report) -> tuple[str, str]:
    ttls = {"availability": f"{AVAILABILITY_TTL_SECONDS:g}", "dashboard": f"{DASHBOARD_TTL_SECONDS:g}"}
    if report.measured("Freshness"):
        for row in report.table("Freshness"):
            match = re.match(r"baseline (\w+) \(TTL ([\d.]+) s", row["design"])
            if match and match.group(1) in ttls:
                ttls[match.group(1)] = match.group(2)
    return ttls["availability"], ttls["dashboard"]


def _floors(report: Report, errors: str) -> str:
    floors = {r["floor"]: r for r in report.table("Floors")}
    sizes = reads_by_size(report)
    when = (
        "after a later load (the first attempt failed)"
        if "- floors:" in errors
        else f"after the first load ({next(iter(sizes))} orders), before its reads"
    )
    stated = ", ".join(f"{FLOOR_LABELS.get(n, n)} {r['p50']} ms" for n, r in floors.items())
    text = [
        f"Floors (p50, same stack, load generator and concurrency): {stated}. They are measured once, "
        f"{when}; the reads of larger sizes come later, after the next load. The cached baseline "
        "answers from memory, so only the constant floor applies to it; every read-model request "
        "reads its projection's version and watermarks, and every cold baseline request "
        "aggregates, so the primary-key floor applies to those."
    ]
    below = []
    for size, rows in sizes.items():
        for r in rows:
            floor = floors.get(FLOOR_OF.get(r["design"], ""))
            if floor is not None and number(r["p50"]) < number(floor["p50"]):
                below.append(
                    f"{r['endpoint']} of {r['design']} at {size} orders ({r['p50']} ms, "
                    f"floor {floor['p50']} ms)"
                )
    if below:
        text.append(
            "Below the floor that applies to them: "
            + "; ".join(below)
            + ". A floor is measured at another moment on a shared machine, so it is a reference "
            "for what the harness costs, not a bound a read cannot beat."
        )
    else:
        text.append("No read's p50 came out below the floor that applies to it.")
    return " ".join(text)


def _commands_freshness_replay(report: Report) -> str:
    out = []
    if report.measured("Freshness"):
        measured = [r for r in report.table("Freshness") if r["design"].startswith("read model")]
        rates = [f"{r['stale p50 ms']} / {r['stale p99 ms']} ms at {_started(r)} holds/s" for r in measured]
        out.append(
            "Freshness (hold accepted → visible through its consistency token, p50 / p99): "
            + ", ".join(rates)
            + "; a cached baseline answer stays stale for up to its TTL instead."
        )
    else:
        out.append("Freshness: not measured in this run.")
    if report.measured("Commands"):
        commands = report.table("Commands")
        best = []
        for scenario, label in (("spread", "spread over shows"), ("hot", "on one hot show")):
            rows = [r for r in commands if r["scenario"] == scenario]
            if rows:
                top = max(rows, key=lambda r: number(r["accepted holds/s"]))
                best.append(f"{top['accepted holds/s']}/s {label} ({top['clients']} clients)")
        out.append("Holds accepted by one command API process, at best: " + ", ".join(best) + ".")
    else:
        out.append("Commands: not measured in this run.")
    if report.measured("Replay"):
        r = report.table("Replay")[0]
        ceiling = r.get("plain consumer events/s (ceiling)")
        share = f", {r['replay / ceiling']} of a plain consumer's {ceiling} events/s" if ceiling else ""
        out.append(
            f"Replay (a fresh version of {r['projections']}, from offset 0): {r['events']} events "
            f"in {r['seconds']} s ({r['events/s']} events/s{share})."
        )
    else:
        out.append("Replay: not measured in this run.")
    return " ".join(out)


def _started(row: Row) -> str:
    target_started = row["commands/s target / started"].split("/")
    return target_started[-1].strip()
