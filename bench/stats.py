"""Percentiles and table rows for benchmark reports."""

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1)."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50": percentile(samples, 0.50),
        "p99": percentile(samples, 0.99),
        "mean": statistics.fmean(samples),
    }


def row(name: str, samples: Sequence[float], baseline: Sequence[float] | None, target: str) -> str:
    """A markdown table row: name, n, p50, p99, ratio of p50 to the baseline's, target."""
    s = summary(samples)
    ratio = f"{s['p50'] / summary(baseline)['p50']:.2f}x" if baseline else "1.00x (baseline)"
    return f"| {name} | {s['n']} | {s['p50']:.1f} | {s['p99']:.1f} | {ratio} | {target} |"


HEADER = "| measure | n | p50 ms | p99 ms | p50 vs baseline | target |\n|---|---|---|---|---|---|"
