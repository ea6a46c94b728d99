"""Failed key attempts per client address: past the limit within the window, refused with 429.

An API key or the sign-in form's key that is unknown or revoked counts as one
failed attempt of the address it came from. After ``limit`` failures within
``window`` seconds, every key attempt from that address (a right key too, so
that the refusal tells a guesser nothing) is refused with 429 and
``Retry-After`` until its oldest failure leaves the window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

STALE_SWEEP = 10_000
"""How many addresses are kept before those with no failure in the window are dropped."""


class FailedAttempts:
    """The failed key attempts of each client address within a sliding window (thread-safe)."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str, now: float | None = None) -> int | None:
        """Give the whole seconds the address must wait before trying a key again, or None."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if address not in self._failures:
                return None
            failures = self._recent(address, now)
            if len(failures) < self.limit:
                return None
            return max(1, math.ceil(failures[0] + self.window - now))

    def failed(self, address: str, now: float | None = None) -> None:
        """Count one failed key attempt of the address."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._recent(address, now)
            failures.append(now)
            if len(self._failures) > STALE_SWEEP:
                for other in [a for a, f in self._failures.items() if f[-1] <= now - self.window]:
                    del self._failures[other]

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(address, deque(maxlen=self.limit))
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures
