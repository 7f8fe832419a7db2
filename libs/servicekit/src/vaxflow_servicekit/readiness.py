"""Readiness: named async probes of the parts a service needs (database, Kafka, Redis).

A probe is an async callable that returns when the part answers and raises when it does not.
Register probes when the clients exist (usually in a lifespan hook):

    readiness_of(app).add("mongo", mongo_ping(client))
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, Protocol

from fastapi import FastAPI
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from vaxflow_servicekit import mongo
from vaxflow_servicekit.logging import get_logger

Probe = Callable[[], Awaitable[object]]
CheckStatus = Literal["ok", "error", "timeout"]

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ReadinessCheck:
    """A named probe with its own time limit."""

    name: str
    probe: Probe
    timeout_s: float = 2.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one probe answered; `error` names the exception class only, never its message."""

    name: str
    status: CheckStatus
    duration_ms: float
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Render for the /readyz body."""
        body: dict[str, Any] = {"status": self.status, "duration_ms": self.duration_ms}
        if self.error:
            body["error"] = self.error
        return body


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    """The results of one round of probes."""

    results: tuple[CheckResult, ...]

    @property
    def ready(self) -> bool:
        """True when every probe answered."""
        return all(result.status == "ok" for result in self.results)

    @property
    def failing(self) -> list[str]:
        """Names of the probes that did not answer."""
        return [result.name for result in self.results if result.status != "ok"]

    def checks_json(self) -> dict[str, dict[str, Any]]:
        """Per-check status, keyed by check name."""
        return {result.name: result.as_json() for result in self.results}


async def _run(check: ReadinessCheck) -> tuple[CheckResult, Exception | None]:
    started = time.perf_counter()
    status: CheckStatus = "ok"
    failure: Exception | None = None
    try:
        async with asyncio.timeout(check.timeout_s):
            await check.probe()
    except TimeoutError as exc:
        status, failure = "timeout", exc
    except Exception as exc:  # a failing part is an answer, not a crash of /readyz
        status, failure = "error", exc
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    error = type(failure).__name__ if failure else None
    return CheckResult(check.name, status, elapsed_ms, error), failure


class Readiness:
    """The probes a service registered; names are unique (adding a name again replaces it)."""

    def __init__(self, checks: Mapping[str, ReadinessCheck] | None = None) -> None:
        self._checks: dict[str, ReadinessCheck] = dict(checks or {})

    def add(self, name: str, probe: Probe, *, timeout_s: float = 2.0) -> None:
        """Register (or replace) a probe."""
        self._checks[name] = ReadinessCheck(name, probe, timeout_s)

    def remove(self, name: str) -> None:
        """Forget a probe, e.g. when its client is closed at shutdown."""
        self._checks.pop(name, None)

    @property
    def names(self) -> list[str]:
        """Names of the registered probes."""
        return list(self._checks)

    async def run(self) -> ReadinessReport:
        """Run every probe concurrently, each within its time limit."""
        outcomes = await asyncio.gather(*(_run(check) for check in self._checks.values()))
        # Logged after every probe is done: formatting a traceback must not eat their time.
        for result, failure in outcomes:
            if failure is not None:
                log.warning("readiness_check_failed", check=result.name, exc_info=failure)
        return ReadinessReport(tuple(result for result, _ in outcomes))


def readiness_of(app: FastAPI) -> Readiness:
    """Return the readiness registry of an app built by `create_app`."""
    readiness = getattr(app.state, "readiness", None)
    if not isinstance(readiness, Readiness):
        raise RuntimeError("app has no readiness registry: build it with create_app")
    return readiness


class KafkaMetadataSource(Protocol):
    """What `kafka_metadata` needs: an aiokafka client (e.g. `producer.client`)."""

    async def fetch_all_metadata(self) -> Any:
        """Ask a broker for the cluster metadata."""


def mongo_ping(client: AsyncMongoClient[Any]) -> Probe:
    """Probe: the database answers `ping`."""

    return partial(mongo.ping, client)


def redis_ping(client: Redis) -> Probe:
    """Probe: Redis answers PING."""

    async def probe() -> None:
        await client.ping()

    return probe


def kafka_metadata(client: KafkaMetadataSource) -> Probe:
    """Probe: a Kafka broker returns cluster metadata naming at least one broker."""

    async def probe() -> None:
        metadata = await client.fetch_all_metadata()
        if not metadata.brokers():
            raise ConnectionError("Kafka metadata lists no broker")

    return probe
