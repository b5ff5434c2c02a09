"""PNG plots: read latency against data size, reads side by side, commands against concurrency."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter

from benchmarks.scenarios.endpoints import DESIGNS, ENDPOINTS

STYLE = {
    "baseline_cold": ("tab:red", "o"),
    "baseline_cached": ("tab:orange", "s"),
    "read_model": ("tab:green", "^"),
}


def draw(results: dict[str, Any], out: Path) -> dict[str, Path]:
    """The plots whose measurements exist in ``results``."""
    plots = {}
    if results.get("reads"):
        plots["scale"] = _scale(results["reads"], out / "scale.png")
        plots["reads"] = _reads(results["reads"], out / "reads.png")
    if results.get("commands"):
        plots["commands"] = _commands(results["commands"], out / "commands.png")
    return plots


def _scale(reads: list[dict[str, Any]], path: Path) -> Path:
    fig, axes = plt.subplots(1, len(ENDPOINTS), figsize=(15, 4.5))
    for ax, endpoint in zip(axes, ENDPOINTS, strict=True):
        for design in DESIGNS:
            rows = sorted(
                (r for r in reads if r["endpoint"] == endpoint and r["design"] == design),
                key=lambda r: r["orders"],
            )
            color, marker = STYLE[design]
            xs = [r["orders"] for r in rows]
            ax.plot(xs, [r["p50_ms"] for r in rows], color=color, marker=marker, label=f"{design} p50")
            ax.plot(
                xs,
                [r["p99_ms"] for r in rows],
                color=color,
                marker=marker,
                linestyle="--",
                alpha=0.5,
                label=f"{design} p99",
            )
        ax.set(
            title=endpoint, xscale="log", yscale="log", xlabel="orders in the data set", ylabel="latency (ms)"
        )
        _plain_ticks(ax, sorted({r["orders"] for r in reads}))
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle("Read latency against data size (log-log)")
    return _save(fig, path)


def _reads(reads: list[dict[str, Any]], path: Path) -> Path:
    largest = max(r["orders"] for r in reads)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.27
    for i, design in enumerate(DESIGNS):
        rows = {r["endpoint"]: r for r in reads if r["orders"] == largest and r["design"] == design}
        xs = [j + (i - 1) * width for j in range(len(ENDPOINTS))]
        heights = [rows[e]["p50_ms"] if e in rows else 0.0 for e in ENDPOINTS]
        ax.bar(xs, heights, width, color=STYLE[design][0], label=design)
    ax.set_xticks(range(len(ENDPOINTS)), ENDPOINTS)
    ax.set(yscale="log", ylabel="p50 latency (ms, log)", title=f"Reads at {largest:,} orders")
    ax.legend()
    ax.grid(True, axis="y", which="both", alpha=0.3)
    return _save(fig, path)


def _commands(commands: list[dict[str, Any]], path: Path) -> Path:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for scenario, color in (("spread", "tab:blue"), ("hot", "tab:purple")):
        rows = [r for r in commands if r["scenario"] == scenario]
        xs = [r["concurrency"] for r in rows]
        left.plot(xs, [r["throughput"] for r in rows], marker="o", color=color, label=scenario)
        right.plot(xs, [r["p50_ms"] for r in rows], marker="o", color=color, label=f"{scenario} p50")
        right.plot(
            xs, [r["p99_ms"] for r in rows], marker="o", linestyle="--", color=color, label=f"{scenario} p99"
        )
    left.set(xscale="log", xlabel="concurrent clients", ylabel="accepted holds / s", title="Hold throughput")
    right.set(
        xscale="log", yscale="log", xlabel="concurrent clients", ylabel="latency (ms)", title="Hold latency"
    )
    levels = sorted({r["concurrency"] for r in commands})
    for ax in (left, right):
        _plain_ticks(ax, levels)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    """Write the figure as a PNG at ``path`` and free it (a run draws several)."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plain_ticks(ax: Any, values: list[int]) -> None:
    """Ticks at the measured x values, labelled 10,000 rather than 10^4."""
    ax.set_xticks(values, [f"{v:,}" for v in values])
    ax.xaxis.set_minor_formatter(NullFormatter())
