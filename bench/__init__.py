"""Benchmarks: each module runs with `python -m bench.NAME --json` and prints its figures as JSON."""
