"""Timing helper shared by the bench scripts (run as ``python bench/<script>.py``: this folder is on sys.path)."""
from __future__ import annotations

import statistics
import time
from typing import Callable, TypeVar

T = TypeVar("T")


def median_time(fn: Callable[[], T], repeat: int = 1) -> tuple[float, T | None]:
    """Median wall time in seconds of ``repeat`` calls of ``fn``, and what its last call returned."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result
