"""What a run measures: per endpoint latency and statuses, outcomes, and a per-second timeline."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def distribution(values: list[float]) -> dict[str, Any]:
    """Count, mean and the usual percentiles of some durations (seconds, rounded to ms)."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "count": len(values),
        "mean": ms(sum(values) / len(values)) if values else None,
        "p50": ms(percentile(values, 50)),
        "p95": ms(percentile(values, 95)),
        "p99": ms(percentile(values, 99)),
        "max": ms(max(values)) if values else None,
    }


@dataclass
class EndpointStats:
    """The calls of one endpoint (method and path template)."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0  # server errors, transport failures, and refusals the run did not expect
    retried: int = 0  # answers that meant "not yet" while the event streams caught up


class Recorder:
    """Collects every call and event of a run (single event loop: no locking needed)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.endpoints: defaultdict[str, EndpointStats] = defaultdict(EndpointStats)
        self.outcomes: Counter[str] = Counter()
        self.dose_to_certificate: list[float] = []
        self.failures: list[str] = []  # the first few unexpected answers, for the report
        self._requests_per_second: Counter[int] = Counter()
        self._doses_per_second: Counter[int] = Counter()
        self.dose_times: list[float] = []  # monotonic seconds since start of each dose
        self.lag_samples: list[dict[str, Any]] = []  # consumer lag per group over time
        self.history: list[dict[str, Any]] = []  # every write sent: its outcome and ids

    def record(
        self, endpoint: str, outcome: str, status: int, ids: dict[str, str], error: str = ""
    ) -> None:
        """A write's outcome: ok, failed (refused, nothing done) or indeterminate (unknown)."""
        entry: dict[str, Any] = {
            "at": round(self.elapsed(), 3),
            "endpoint": endpoint,
            "outcome": outcome,
            "status": status,
            "ids": ids,
        }
        if error:
            entry["error"] = error
        self.history.append(entry)

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def call(self, endpoint: str, latency: float, status: int) -> None:
        """One answered (status) or failed (0) request."""
        stats = self.endpoints[endpoint]
        stats.latencies.append(latency)
        stats.statuses[status] += 1
        self._requests_per_second[int(self.elapsed())] += 1

    def error(self, endpoint: str, detail: str) -> None:
        """A request whose answer the run did not expect."""
        self.endpoints[endpoint].errors += 1
        if len(self.failures) < 20:
            self.failures.append(f"{endpoint}: {detail[:300]}")

    def retry(self, endpoint: str) -> None:
        """A "not yet" answer: the step is tried again."""
        self.endpoints[endpoint].retried += 1

    def count(self, outcome: str, n: int = 1) -> None:
        """One more citizen (or staff action) reached this outcome."""
        self.outcomes[outcome] += n

    def dose(self) -> None:
        """A dose was recorded (201)."""
        now = self.elapsed()
        self.dose_times.append(now)
        self._doses_per_second[int(now)] += 1
        self.outcomes["doses"] += 1

    def total_requests(self) -> int:
        """Requests sent so far."""
        return sum(self._requests_per_second.values())

    def total_errors(self) -> int:
        """Unexpected answers so far."""
        return sum(s.errors for s in self.endpoints.values())

    def recent_rate(self, what: str, window_s: int = 5) -> float:
        """Requests or doses per second over the last complete seconds."""
        counter = self._doses_per_second if what == "doses" else self._requests_per_second
        now = int(self.elapsed())
        return sum(counter[s] for s in range(now - window_s, now)) / window_s

    def endpoint_table(self) -> dict[str, dict[str, Any]]:
        """Per endpoint: count, statuses, latency percentiles (ms), errors, retries."""
        table: dict[str, dict[str, Any]] = {}
        for name in sorted(self.endpoints):
            stats = self.endpoints[name]

            def ms(q: float, stats: EndpointStats = stats) -> float | None:
                value = percentile(stats.latencies, q)
                return None if value is None else round(value * 1000, 1)

            table[name] = {
                "count": len(stats.latencies),
                "p50_ms": ms(50),
                "p95_ms": ms(95),
                "p99_ms": ms(99),
                "errors": stats.errors,
                "retried": stats.retried,
                "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            }
        return table

    def timeline(self) -> list[dict[str, int]]:
        """Per second of the run: requests sent and doses recorded."""
        last = max([*self._requests_per_second, *self._doses_per_second, 0])
        return [
            {
                "second": s,
                "requests": self._requests_per_second[s],
                "doses": self._doses_per_second[s],
            }
            for s in range(last + 1)
        ]
