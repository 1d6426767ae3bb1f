"""Once-only delivery and fairness: event de-duplication and sliding-window rate limits.

Both are in-memory and thread-safe (Bolt runs listeners in a thread pool). The clock is
injected so tests can move time without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

Clock = Callable[[], float]


class SeenKeys:
    """Remembers keys (event ids, channel+ts) for `ttl_s`, bounded to `max_keys` entries.

    Slack retries an unacknowledged event up to three times within about five minutes, so an
    hour of memory covers every retry.
    """

    def __init__(
        self, ttl_s: float = 3600.0, max_keys: int = 20_000, clock: Clock = time.monotonic
    ):
        self._ttl = ttl_s
        self._max = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check_and_add(self, *keys: str) -> bool:
        """True if any key was seen before; records all of them either way."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            seen = any(k in self._seen for k in keys)
            for k in keys:
                self._seen[k] = now
                self._seen.move_to_end(k)
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)
            return seen

    def __contains__(self, key: object) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._seen

    def _expire(self, now: float) -> None:
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at < self._ttl:
                break
            self._seen.popitem(last=False)


class RateLimiter:
    """At most `limit` events per key in any `window_s` seconds (a sliding window log)."""

    def __init__(self, limit: int, window_s: float = 60.0, clock: Clock = time.monotonic):
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window_s:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may act again; 0 when it may act now."""
        if self.limit <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            hits = self._trim(key, now)
            if len(hits) < self.limit:
                return 0.0
            return max(self.window_s - (now - hits[0]), 0.0)

    def hit(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            self._trim(key, now).append(now)
            # Keys that went quiet are dropped so the dict does not grow without bound.
            if len(self._hits) > 10_000:
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]


_ACQUIRE_LOCK = threading.Lock()


def acquire(limiters: list[tuple[RateLimiter, str]]) -> float:
    """Counts one hit against every (limiter, key) if all allow it; else the longest wait."""
    with _ACQUIRE_LOCK:  # check-then-hit across several limiters must not interleave
        wait = max((lim.retry_after(key) for lim, key in limiters), default=0.0)
        if wait > 0:
            return wait
        for lim, key in limiters:
            lim.hit(key)
        return 0.0
