"""The Markdown report: one section per measurement, tables first, then how to read them."""

from collections.abc import Callable
from typing import Any

from benchmarks.report.sections import commands, freshness, reads, replay, scale
from benchmarks.report.tables import SUMMARY_HEAD, errors_section, fmt, section, summary_cells

SECTIONS = ("Machine", "Isolation", "Data set", "Floors", "Reads", "Scale", "Commands", "Freshness", "Replay")


def render(results: dict[str, Any], plots: dict[str, str]) -> str:
    meta, errors = results["meta"], results.get("errors", {})
    parts = [
        f"# boxoffice benchmark: {meta['scale']} scale\n",
        f"Run `{meta['run_id']}` started {meta['started_at']}, took {meta['duration_s']} s. Read model = "
        "boxoffice's projections behind the query API; baseline = the replaced compute-on-read design "
        "(docs/performance.md). Latencies in ms measured by the client; every figure is a report, "
        "never a pass/fail threshold.\n",
    ]
    if errors:
        parts.append(errors_section(errors))
    sections: list[tuple[str, tuple[str, ...], Callable[[], str]]] = [
        ("Machine", ("machine",), lambda: _machine(results["machine"], meta)),
        ("Isolation", (), lambda: _isolation(meta["isolation"])),
        ("Data set", ("data",), lambda: _data(results["data"])),
        ("Floors", ("floors",), lambda: _floors(results["floors"])),
        ("Reads", ("reads",), lambda: reads(results["reads"], results["equivalence"], plots)),
        ("Scale", ("reads",), lambda: scale(results["reads"], plots)),
        ("Commands", ("commands",), lambda: commands(results["commands"], plots)),
        ("Freshness", ("freshness",), lambda: freshness(results["freshness"])),
        ("Replay", ("replay",), lambda: replay(results["replay"])),
    ]
    for title, needs, build in sections:
        if all(results.get(key) for key in needs):
            parts.append(build())
        else:
            parts.append(f"## {title}\n\nNot measured in this run (see Errors).\n")
    return "\n".join(parts)


def _machine(m: dict[str, Any], meta: dict[str, Any]) -> str:
    pg = m["postgresql"]
    rows = [
        ["CPU", f"{m['cpu_cores']} cores, {m['cpu_model']}"],
        ["memory", f"{m['memory_gib']} GiB"],
        ["load average (start / end)", f"{m['load_average_at_start']} / {meta['load_average_at_end']}"],
        ["OS", m["os"]],
        ["Python", m["python"]],
        [
            "PostgreSQL",
            f"{pg['server_version']} (fsync={pg['fsync']}, synchronous_commit="
            f"{pg['synchronous_commit']}, shared_buffers={pg['shared_buffers']})",
        ],
        ["Kafka", m["kafka"]],
        ["packages", ", ".join(f"{k} {v}" for k, v in m["packages"].items())],
    ]
    return section("Machine", ["", ""], rows, "")


def _isolation(iso: dict[str, Any]) -> str:
    return (
        "## Isolation\n\n"
        f"Private database `{iso['database']}` (migrated like production), private topic `{iso['topic']}` "
        f"and dead-letter topic `{iso['dead_letter_topic']}`, projections registered as "
        f"`{iso['projection_registry_prefix']}_<name>` (their own schemas and consumer groups). "
        + ("Kept after the run." if iso["kept"] else "All dropped at the end of the run.")
        + "\n"
    )


def _data(data: list[dict[str, Any]]) -> str:
    rows = [
        [
            fmt(d["orders"]),
            fmt(d["shows"]),
            fmt(d["events"]),
            d["generate_s"],
            d["copy_s"],
            d["publish_s"],
            d.get("load_s", ""),  # runs before the steps overlapped have none
            d["caught_up_after_load_s"],
            fmt(d["projection_events_per_s"]),
        ]
        for d in data
    ]
    head = [
        "orders",
        "shows",
        "events",
        "generate s",
        "COPY s",
        "publish s",
        "load s",
        "projections done after load s",
        "projected events/s",
    ]
    return section(
        "Data set",
        head,
        rows,
        (
            "\nEvents made with `contracts`, COPYed into the write tables and outbox, published to the "
            "private topic; the real projector processes consume them while later slices load. The steps "
            "overlap (the next slice is generated while the current one is COPYed and published), so "
            "their busy seconds add up to more than the load's wall time, load s.\n"
        ),
    )


def _floors(floors: list[dict[str, Any]]) -> str:
    rows = [[f["name"], f["concurrency"], *summary_cells(f)] for f in floors]
    head = ["floor", "concurrency", *SUMMARY_HEAD]
    return section(
        "Floors",
        head,
        rows,
        (
            "\nThe same FastAPI/uvicorn stack and load generator returning a constant, and doing one "
            "primary-key select, measured once before the first size's reads: what the harness costs a "
            "request that does almost nothing. A reference, not a bound: reads measured at another "
            "moment on a shared machine can come out below it.\n"
        ),
    )
