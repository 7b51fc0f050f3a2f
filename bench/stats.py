"""Percentiles, targets and table rows for benchmark reports."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class Target:
    """Upper bounds in milliseconds; ``over_baseline`` bounds the p50 above the baseline's."""

    p50: float | None = None
    p99: float | None = None
    over_baseline: float | None = None

    def text(self) -> str:
        parts = []
        if self.p50 is not None:
            parts.append(f"p50 ≤ {self.p50:g}")
        if self.p99 is not None:
            parts.append(f"p99 ≤ {self.p99:g}")
        if self.over_baseline is not None:
            parts.append(f"p50 ≤ baseline + {self.over_baseline:g}")
        return ", ".join(parts)

    def met(self, measured: dict[str, float], baseline: dict[str, float] | None) -> bool:
        if self.p50 is not None and measured["p50"] > self.p50:
            return False
        if self.p99 is not None and measured["p99"] > self.p99:
            return False
        if self.over_baseline is not None:
            return baseline is not None and measured["p50"] <= baseline["p50"] + self.over_baseline
        return True


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def row(
    name: str,
    samples: Sequence[float],
    baseline: Sequence[float] | None,
    target: Target | None = None,
) -> str:
    """A markdown table row: name, n, p50, p99, p50 against the baseline's, target, met."""
    s = summary(samples)
    base = summary(baseline) if baseline else None
    if base:
        ratio = f"{s['p50'] / base['p50']:.2f}x"
    else:
        ratio = "1.00x (baseline)" if "(baseline)" in name else "-"
    goal, verdict = (target.text(), met(target.met(s, base))) if target else ("-", "-")
    return (
        f"| {name} | {s['n']} | {_ms(s['p50'])} | {_ms(s['p99'])} | {ratio} | {goal} | {verdict} |"
    )


def _ms(value: float) -> str:
    """Milliseconds: three decimals below one, one above."""
    return f"{value:.3f}" if value < 1 else f"{value:.1f}"


HEADER = (
    "| measure | n | p50 ms | p99 ms | p50 vs baseline | target ms | met |\n"
    "|---|---|---|---|---|---|---|"
)
