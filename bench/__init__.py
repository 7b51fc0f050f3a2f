"""Benchmarks. ``python -m bench`` runs them all; each prints ratios against a baseline
measured in the same run. Figures are recorded in docs/benchmarks.md."""
