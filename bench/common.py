"""Shared helpers for the benchmarks: a figure with its target, and timing loops.

Each benchmark module exposes ``run() -> list[Figure]``; ``bench/run.py`` collects them into one
table. Benchmarks never fail on timing: a missed target is reported, not raised.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: float
    # "max": the figure must stay at or below the target; "min": at or above it.
    sense: str = "max"

    @property
    def ok(self) -> bool:
        return self.value <= self.target if self.sense == "max" else self.value >= self.target

    def row(self) -> str:
        op = "<=" if self.sense == "max" else ">="
        verdict = "ok" if self.ok else "MISSED"
        return f"{self.name:<58} {self.value:>10.3f} {self.unit:<6} {op} {self.target:<8g} {verdict}"


def median_ms(fn: Callable[[], object], *, repeat: int, warmup: int = 3) -> float:
    """Median wall time of ``fn`` in milliseconds over ``repeat`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(samples)


def print_table(figures: list[Figure]) -> None:
    print(f"{'figure':<58} {'value':>10} {'unit':<6} target")
    for fig in figures:
        print(fig.row())
