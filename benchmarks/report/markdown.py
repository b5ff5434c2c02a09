"""The Markdown report: one section per measurement, tables first, then how to read them."""

from typing import Any

from benchmarks.report.tables import fmt, ratio, table
from benchmarks.scenarios.endpoints import ENDPOINTS

SECTIONS = ("Machine", "Isolation", "Data set", "Floors", "Reads", "Scale", "Freshness", "Commands", "Replay")


def render(results: dict[str, Any], plots: dict[str, str]) -> str:
    meta = results["meta"]
    parts = [
        f"# boxoffice benchmark: {meta['scale']} scale\n",
        f"Run `{meta['run_id']}` started {meta['started_at']}, took {meta['duration_s']} s. Read model = "
        "boxoffice's projections behind the query API; baseline = the replaced compute-on-read design "
        "(docs/performance.md). Latencies in ms measured by the client; every figure is a report, "
        "never a pass/fail threshold.\n",
        _machine(results["machine"], meta), _isolation(meta["isolation"]), _data(results["data"]),
        _floors(results["floors"]), _reads(results["reads"], plots), _scale(results["reads"], plots),
        _freshness(results["freshness"]), _commands(results["commands"], plots), _replay(results["replay"]),
    ]  # fmt: skip
    return "\n".join(parts)


def _machine(m: dict[str, Any], meta: dict[str, Any]) -> str:
    pg = m["postgresql"]
    rows = [
        ["CPU", f"{m['cpu_cores']} cores, {m['cpu_model']}"], ["memory", f"{m['memory_gib']} GiB"],
        ["load average (start / end)", f"{m['load_average_at_start']} / {meta['load_average_at_end']}"],
        ["OS", m["os"]], ["Python", m["python"]],
        ["PostgreSQL", f"{pg['server_version']} (fsync={pg['fsync']}, synchronous_commit="
                       f"{pg['synchronous_commit']}, shared_buffers={pg['shared_buffers']})"],
        ["Kafka", m["kafka"]],
        ["packages", ", ".join(f"{k} {v}" for k, v in m["packages"].items())],
    ]  # fmt: skip
    return "## Machine\n\n" + table(["", ""], rows)


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
    rows = [[fmt(d["orders"]), fmt(d["shows"]), fmt(d["events"]), d["generate_s"], d["copy_s"], d["publish_s"],
             d["caught_up_after_load_s"], fmt(d["projection_events_per_s"])] for d in data]  # fmt: skip
    head = ["orders", "shows", "events", "generate s", "COPY s", "publish s", "projections done after load s",
            "projected events/s"]  # fmt: skip
    return "## Data set\n\n" + table(head, rows) + (
        "\nEvents made with `contracts`, COPYed into the write tables and outbox, published to the private "
        "topic; the real projector processes consume them while later slices load.\n"
    )


def _summary_cells(r: dict[str, Any]) -> list[Any]:
    return [r["p50_ms"], r["p99_ms"], r["max_ms"], fmt(r["throughput"]), fmt(r["ok"]), r["failed"]]


def _floors(floors: list[dict[str, Any]]) -> str:
    rows = [[f["name"], f["concurrency"], *_summary_cells(f)] for f in floors]
    head = ["floor", "concurrency", "p50", "p99", "max", "req/s", "requests", "failed"]
    return "## Floors\n\n" + table(head, rows) + (
        "\nThe same FastAPI/uvicorn stack and load generator returning a constant, and doing one "
        "primary-key select: no read can beat these on this machine.\n"
    )


def _reads(reads: list[dict[str, Any]], plots: dict[str, str]) -> str:
    out = ["## Reads\n"]
    for orders in sorted({r["orders"] for r in reads}):
        rows = [[r["endpoint"], r["design"], r["concurrency"], *_summary_cells(r)]
                for r in reads if r["orders"] == orders]  # fmt: skip
        head = ["endpoint", "design", "concurrency", "p50", "p99", "max", "req/s", "requests", "failed"]
        out.append(f"### {fmt(orders)} orders\n\n" + table(head, rows))
        ratios = []
        for endpoint in ENDPOINTS:
            by = {r["design"]: r for r in reads if r["orders"] == orders and r["endpoint"] == endpoint}
            rm, cold, cached = by["read_model"], by["baseline_cold"], by["baseline_cached"]
            ratios.append([endpoint, ratio(rm["p50_ms"], cold["p50_ms"]), ratio(rm["p50_ms"], cached["p50_ms"]),
                           ratio(rm["throughput"], cold["throughput"]),
                           ratio(rm["throughput"], cached["throughput"])])  # fmt: skip
        head = ["endpoint", "p50 read model / cold", "p50 read model / cached", "req/s read model / cold",
                "req/s read model / cached"]  # fmt: skip
        out.append("Ratios (read model / baseline; below 1 for latency and above 1 for throughput favour "
                   "the read model):\n\n" + table(head, ratios))  # fmt: skip
    out.append(f"![reads]({plots['reads']})\n")
    return "\n".join(out)


def _scale(reads: list[dict[str, Any]], plots: dict[str, str]) -> str:
    sizes = sorted({r["orders"] for r in reads})
    rows = []
    for endpoint in ENDPOINTS:
        for design in ("baseline_cold", "baseline_cached", "read_model"):
            by = {r["orders"]: r["p50_ms"] for r in reads if r["endpoint"] == endpoint and r["design"] == design}
            rows.append([endpoint, design, *[by.get(s, "") for s in sizes]])
    head = ["endpoint", "design", *[f"p50 at {fmt(s)}" for s in sizes]]
    return f"## Scale\n\n{table(head, rows)}\n![latency against data size]({plots['scale']})\n"


def _freshness(f: dict[str, Any]) -> str:
    rm = f["read_model"]
    rows = [["read model (measured)", f"{rm['target_rate']} / {rm['achieved_rate']}", rm["p50_ms"], rm["p99_ms"],
             rm["max_ms"], fmt(rm["ok"]), rm["outcomes"]]]  # fmt: skip
    for name, b in f["baseline"].items():
        rows.append([f"baseline {name} (TTL {b['ttl_s']:g} s, derived)", "any", b["p50_s"] * 1000,
                     b["p99_s"] * 1000, b["max_s"] * 1000, "", ""])  # fmt: skip
    head = ["design", "commands/s target / started", "p50 ms", "p99 ms", "max ms", "samples", "outcomes"]
    return "## Freshness\n\n" + table(head, rows) + (
        f"\nRead model: hold accepted (command answered, p50 {rm['command_p50_ms']} ms) → availability read "
        "with its consistency token answered 200, at a steady command rate. Baseline: a cached answer "
        "stays unchanged until its TTL passes, so a change is invisible for U(0, TTL).\n"
    )


def _commands(commands: list[dict[str, Any]], plots: dict[str, str]) -> str:
    rows = [[c["scenario"], c["concurrency"], fmt(c["throughput"]), c["p50_ms"], c["p99_ms"], c["max_ms"],
             fmt(c["ok"]), c["outcomes"]] for c in commands]  # fmt: skip
    head = ["scenario", "clients", "accepted holds/s", "p50", "p99", "max", "accepted", "outcomes"]
    return "## Commands\n\n" + table(head, rows) + (
        "\nBest-available holds of two seats. spread: over 32 shows; hot: one fresh 8,000-seat show per "
        f"level that everyone wants (each hold takes that show's row lock in turn).\n\n![commands]({plots['commands']})\n"
    )


def _replay(r: dict[str, Any]) -> str:
    rows = [[", ".join(r["projections"]), fmt(r["events"]), r["seconds"], fmt(r["events_per_s"])]]
    return "## Replay\n\n" + table(["projections", "events", "seconds", "events/s"], rows) + (
        "\nA fresh version of every projection (new schemas, new consumer groups) consuming the whole topic "
        "from offset 0 while the serving version keeps running; from process start to caught up.\n"
    )
