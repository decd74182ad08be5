"""A locally counted histogram ends up exactly as if every value had been observed directly
(it reaches into the client library's histogram, so a change there must fail here)."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from loki_dashboard.telemetry.local_histogram import LocalHistogram

BUCKETS = (0.001, 0.01, 0.1, 1)
VALUES = [0.0005, 0.001, 0.004, 0.01, 0.05, 0.2, 3.0, 7.5, -0.002]


def exposition(histogram_values: list[float], *, local: bool) -> dict[str, float]:
    registry = CollectorRegistry()
    histogram = Histogram("t_seconds", "t", registry=registry, buckets=BUCKETS)
    if local:
        counted = LocalHistogram(histogram)
        for value in histogram_values[:4]:
            counted.observe(value)
        counted.flush()
        counted.flush()  # nothing new: changes nothing
        for value in histogram_values[4:]:
            counted.observe(value)
        counted.observe(0.05, times=3)
        counted.flush()
    else:
        for value in histogram_values:
            histogram.observe(max(value, 0.0))
        for _ in range(3):
            histogram.observe(0.05)
    lines = generate_latest(registry).decode().splitlines()
    return {
        name: float(number)
        for line in lines
        if not line.startswith("#") and "_created" not in line
        for name, number in [line.rsplit(" ", 1)]
    }


def test_flushed_counts_equal_direct_observations() -> None:
    local, direct = exposition(VALUES, local=True), exposition(VALUES, local=False)
    assert local.keys() == direct.keys()
    for name, number in direct.items():
        assert local[name] == pytest.approx(number), name
    assert local['t_seconds_bucket{le="0.1"}'] == 9
    assert local["t_seconds_count"] == 12
