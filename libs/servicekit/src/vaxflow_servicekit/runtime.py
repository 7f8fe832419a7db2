"""One process entry for every service: its API, its workers (consumers, outbox relays), or both.

`--role api` serves the HTTP API; `--role worker` runs the consumers and outbox relays and
serves only /healthz, /readyz and /metrics (for probes and scraping); `--role all` (the local
default) does both in one process. In Kubernetes api and worker scale apart.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.logging import configure_logging, get_logger
from vaxflow_servicekit.mongo import Document, IndexSpec, create_mongo_client, ensure_indexes
from vaxflow_servicekit.readiness import kafka_metadata, mongo_ping, readiness_of, redis_ping
from vaxflow_servicekit.settings import ServiceSettings

Role = Literal["api", "worker", "all"]
ROLES: tuple[Role, ...] = ("api", "worker", "all")

log = get_logger(__name__)


@dataclass
class Infrastructure:
    """The process's clients, opened once in the lifespan and shared by routes and workers."""

    settings: ServiceSettings
    mongo: AsyncMongoClient[Document] | None = None
    producer: AIOKafkaProducer | None = None
    redis: Redis | None = None

    @property
    def db(self) -> AsyncDatabase[Document]:
        """The service's own database."""
        assert self.mongo is not None, "the service declared no database"
        return self.mongo[self.settings.database_name]


class Worker(Protocol):
    """A background loop (a reliable consumer, an outbox relay) with a cooperative stop."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...


WorkerFactory = Callable[[Infrastructure], Sequence[Worker]]


@dataclass(frozen=True)
class Needs:
    """Which parts of the stack a service uses, and the indexes its database needs."""

    mongo: bool = True
    kafka: bool = True
    redis: bool = False
    indexes: Sequence[IndexSpec] = field(default_factory=tuple)


def infrastructure(settings: ServiceSettings, needs: Needs) -> Callable[[FastAPI], Any]:
    """A lifespan hook that opens the clients, creates indexes and registers readiness probes."""

    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        infra = Infrastructure(settings)
        app.state.infra = infra
        readiness = readiness_of(app)
        async with contextlib.AsyncExitStack() as stack:
            if needs.mongo:
                infra.mongo = create_mongo_client(settings.mongo)
                stack.push_async_callback(infra.mongo.close)
                await ensure_indexes(infra.db, needs.indexes)
                readiness.add("database", mongo_ping(infra.mongo))
            if needs.kafka:
                infra.producer = create_producer(settings.kafka)
                await infra.producer.start()
                stack.push_async_callback(infra.producer.stop)
                readiness.add("kafka", kafka_metadata(infra.producer.client))
            if needs.redis:
                infra.redis = Redis.from_url(
                    settings.redis.url, socket_timeout=settings.redis.socket_timeout_s
                )
                stack.push_async_callback(infra.redis.aclose)
                readiness.add("redis", redis_ping(infra.redis))
            yield

    return hook


def workers(factory: WorkerFactory, *, stop_timeout_s: float = 20.0) -> Callable[[FastAPI], Any]:
    """A lifespan hook that runs the service's workers and stops them cleanly at shutdown.

    A worker that stops by itself (a bug, a lost dependency it cannot recover from) makes
    the process exit, so the supervisor restarts it rather than leaving a half-alive service.
    """

    @contextlib.asynccontextmanager
    async def hook(app: FastAPI) -> AsyncIterator[None]:
        running = list(factory(app.state.infra))
        tasks = [asyncio.create_task(w.run(), name=type(w).__name__) for w in running]
        for task in tasks:
            task.add_done_callback(_exit_if_worker_died)
        try:
            yield
        finally:
            for worker in running:
                worker.stop()
            for task in tasks:
                task.remove_done_callback(_exit_if_worker_died)
            await _wait_or_cancel(tasks, stop_timeout_s)

    return hook


def _exit_if_worker_died(task: asyncio.Task[None]) -> None:
    error = None if task.cancelled() else task.exception()
    log.error("worker_stopped", worker=task.get_name(), error=repr(error))
    # A graceful shutdown of the whole process; the supervisor (or Kubernetes) restarts it.
    os.kill(os.getpid(), signal.SIGTERM)


async def _wait_or_cancel(tasks: Sequence[asyncio.Task[None]], timeout_s: float) -> None:
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout_s)
    for task in pending:
        task.cancel()  # abandons the batch in hand: it is redelivered, never lost
    await asyncio.gather(*tasks, return_exceptions=True)


AppBuilder = Callable[[ServiceSettings, Role], FastAPI]


def parse_role(argv: Sequence[str] | None = None) -> Role:
    """Read `--role api|worker|all` from the command line (default: all)."""
    parser = argparse.ArgumentParser(description="Run a VaxFlow service.")
    parser.add_argument("--role", choices=ROLES, default="all")
    role: Role = parser.parse_args(argv).role
    return role


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve the app with uvicorn, logging through the service's JSON logger only."""
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )


def run_service(
    settings: ServiceSettings,
    build: Callable[[ServiceSettings, Role], FastAPI],
    argv: Sequence[str] | None = None,
) -> None:
    """The process entry of a service: configure logging, build the app for the role, serve."""
    role = parse_role(argv)
    configure_logging(settings.service_name, settings.log_level)
    log.info("service_starting", role=role, port=settings.port)
    serve(build(settings, role), settings)


def for_role(role: Role, *, api: Sequence[Any], worker: Sequence[Any]) -> list[Any]:
    """Pick what a role runs: the API's parts, the workers' parts, or both."""
    return [
        *(api if role in ("api", "all") else ()),
        *(worker if role in ("worker", "all") else ()),
    ]
