"""Fault injection: extra latency, a share of 500/503 answers, dropped connections, forced 429s.

Applied to SP-API operations only (not to LWA, the admin routes or document transfers), so a client's
retry logic can be exercised while the rest of the flow stays reachable.
"""
from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, replace

NONE, ERROR_500, ERROR_503, DROP, THROTTLE = "none", "500", "503", "drop", "throttle"


@dataclass(frozen=True)
class Faults:
    """Fault settings: extra latency and shares (0–1) of failed, dropped and throttled requests."""
    latency_ms: float = 0.0
    error_rate: float = 0.0     # share of requests answered 500 or 503 (half each)
    drop_rate: float = 0.0      # share of requests whose connection is closed without an answer
    throttle_rate: float = 0.0  # share of requests answered 429 whatever the buckets say

    def validated(self) -> "Faults":
        """Self, after checking every rate is a share in [0, 1] and latency is not negative."""
        for name in ("error_rate", "drop_rate", "throttle_rate"):
            value = getattr(self, name)
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if float(self.latency_ms) < 0:
            raise ValueError("latency_ms must be >= 0")
        return self


class FaultInjector:
    """Holds the current faults (changeable at run time) and draws the fate of each request."""

    def __init__(self, faults: Faults | None = None, seed: int | None = None):
        self._faults = (faults or Faults()).validated()
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    @property
    def faults(self) -> Faults:
        """The current settings."""
        return self._faults

    def update(self, **changes) -> Faults:
        """Change some fault settings (unknown names raise TypeError, bad values ValueError)."""
        with self._lock:
            self._faults = replace(self._faults, **{k: float(v) for k, v in changes.items()}).validated()
            return self._faults

    def as_dict(self) -> dict:
        """The current settings as JSON-ready data (admin route)."""
        return asdict(self._faults)

    def draw(self) -> str:
        """The fault for one request: drop, 500, 503, throttle or none."""
        f = self._faults
        with self._lock:
            x = self._random.random()
        if x < f.drop_rate:
            return DROP
        x -= f.drop_rate
        if x < f.error_rate:
            return ERROR_500 if x < f.error_rate / 2 else ERROR_503
        x -= f.error_rate
        if x < f.throttle_rate:
            return THROTTLE
        return NONE
