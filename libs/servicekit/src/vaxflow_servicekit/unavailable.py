"""A dependency that does not answer becomes a 503 naming it, never a 500 with a stack trace.

The database, Redis or Kafka being down (or too slow to answer within the client's timeout)
is not a bug of the service: the request may succeed a few seconds later. The request-context
middleware turns such an error into `503 Service Unavailable` with `Retry-After` and a
problem+json body whose `dependency` member names what is missing.
"""

from __future__ import annotations

import asyncio

from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError
from pymongo.errors import ConnectionFailure, OperationFailure
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from vaxflow_servicekit.problems import ProblemError

RETRY_AFTER_S = 5
# FerretDB answers InternalError (1) when it lost its PostgreSQL backend; the others are
# MongoDB's "not now" codes (shutdown, not primary, time limit).
_DATABASE_DOWN_CODES = frozenset({1, 6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435})

_BY_TYPE: tuple[tuple[type[BaseException], str], ...] = (
    (ConnectionFailure, "database"),  # includes timeouts and server selection failures
    (RedisConnectionError, "redis"),
    (RedisTimeoutError, "redis"),
    (KafkaConnectionError, "kafka"),
    (KafkaTimeoutError, "kafka"),
    (NodeNotReadyError, "kafka"),
)


def dependency_of(exc: BaseException) -> str | None:
    """The dependency an error says is unavailable (database, redis, kafka), else None."""
    seen: BaseException | None = exc
    for _ in range(5):  # the error itself and what it was raised from
        if seen is None:
            return None
        name = _named(seen)
        if name is not None:
            return name
        seen = seen.__cause__ or seen.__context__
    return None


def _named(exc: BaseException) -> str | None:
    if isinstance(exc, OperationFailure):
        return "database" if exc.code in _DATABASE_DOWN_CODES else None
    for kind, name in _BY_TYPE:
        if isinstance(exc, kind):
            return name
    return None


def unavailable_problem(exc: BaseException) -> ProblemError | None:
    """The 503 problem for an error that says a dependency is down, else None."""
    if isinstance(exc, asyncio.CancelledError):
        return None
    dependency = dependency_of(exc)
    if dependency is None:
        return None
    return ProblemError(
        503,
        f"The service cannot reach its {dependency} right now; try again shortly.",
        title="Dependency unavailable",
        slug="dependency-unavailable",
        headers={"Retry-After": str(RETRY_AFTER_S)},
        extensions={"dependency": dependency},
    )
