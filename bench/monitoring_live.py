"""The response centre's live picture on this machine: events folded per second from real topics.

Prints one JSON document. The live picture runs in this process (API and workers, as role
`all`) on a database, topics and consumer group of its own, against the running stack's Kafka,
FerretDB and Redis. Each person checks in, is vaccinated and gets a certificate
(CitizenCheckedIn, DoseAdministered, CertificateIssued, published with the events library), at
one of `--sites` sites, today. Three phases, one after another:

- `backlog`: `--events` events already on the topics when the picture starts: the time from its
  start until the summary shows every dose, check-in and certificate (a rebuild, or a restart
  after an outage);
- `live`: `--events` more published as fast as one producer can while the picture runs: the
  time from the first send until the summary shows them all;
- `latency`: `--samples` single doses, one at a time: the time from the send until the summary
  counts it (the summary is polled every 20 ms, so figures are up to one poll late).

Database writes per 1,000 events come from the workers' own counter
(`vaxflow_monitoring_live_writes_total`): the consumer's (aggregate upserts, recent-event
batches, prunes), and beside them the alert loop's (alerts opened, refreshed, closed).
Needs the running stack (`make up`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI
from prometheus_client import REGISTRY
from pymongo import AsyncMongoClient
from vaxflow_monitoring.live import INDEXES, build_live
from vaxflow_monitoring.live.handlers import Live
from vaxflow_monitoring.live_settings import LiveSettings
from vaxflow_monitoring.settings import MonitoringSettings

from vaxflow_events import (
    AdminArea,
    CertificateIssued,
    CitizenCheckedIn,
    DoseAdministered,
    Envelope,
    Event,
    topic_for,
)
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer, ensure_topics
from vaxflow_servicekit.runtime import Needs, infrastructure, workers

STREAMS = ("scheduling.appointment.v1", "injection.dose.v1", "certificate.certificate.v1")
PARTITIONS = 3


def people(count: int, sites: list[uuid.UUID], first: int = 0) -> Iterator[Event]:
    """Each person checked in, vaccinated and certified at one of the sites, just now."""
    check_in, dose, certificate = (
        EXAMPLES["CitizenCheckedIn"],
        EXAMPLES["DoseAdministered"],
        EXAMPLES["CertificateIssued"],
    )
    assert isinstance(check_in, CitizenCheckedIn)
    assert isinstance(dose, DoseAdministered)
    assert isinstance(certificate, CertificateIssued)
    area = AdminArea(province_code="79", district_code="760", ward_code="26734")
    for i in range(first, first + count):
        citizen, site, dose_id = uuid.uuid4(), sites[i % len(sites)], uuid.uuid4()
        now = datetime.now(UTC)
        yield check_in.model_copy(
            update={"citizen_id": citizen, "site_id": site, "site_area": area}
        )
        yield dose.model_copy(
            update={
                "dose_id": dose_id,
                "citizen_id": citizen,
                "site_id": site,
                "site_area": area,
                "vaccination": dose.vaccination.model_copy(
                    update={"administered_at": now, "administered_on": now.date()}
                ),
            }
        )
        yield certificate.model_copy(
            update={
                "certificate_id": uuid.uuid4(),
                "citizen_id": citizen,
                "dose_id": dose_id,
                "issued_at": now,
                "expires_at": now + timedelta(days=365),
            }
        )


class Topics:
    def __init__(self, suffix: str) -> None:
        self.names = {s: f"bench-live-{s.split('.')[1]}-{suffix}" for s in STREAMS}

    async def publish(self, producer: AIOKafkaProducer, events: Iterator[Event]) -> int:
        """Send events (acks awaited at the end, in flight together); how many were sent."""
        sent = []
        for event in events:
            envelope = Envelope.new(event, producer="bench")
            topic = self.names[topic_for(envelope.event_type).name]
            sent.append(
                await producer.send(
                    topic,
                    envelope.to_bytes(),
                    key=envelope.key.encode(),
                    headers=envelope.headers(),
                )
            )
        await asyncio.gather(*sent)
        return len(sent)


def writes() -> dict[str, float]:
    """The aggregating consumer's database writes so far, by kind."""
    return {
        kind: REGISTRY.get_sample_value("vaxflow_monitoring_live_writes_total", {"kind": kind})
        or 0.0
        for kind in ("aggregates", "recent_events", "prune", "alerts")
    }


def per_thousand(before: dict[str, float], after: dict[str, float], events: int) -> dict[str, Any]:
    """The consumer's writes per 1,000 events; the alert loop's writes beside them."""
    spent = {k: int(after[k] - before[k]) for k in after}
    consumer = sum(v for k, v in spent.items() if k != "alerts")
    return {
        "writes": spent,
        "writes_per_1000_events": round(consumer * 1000 / events, 1),
        "alert_writes_per_1000_events": round(spent["alerts"] * 1000 / events, 1),
    }


async def reflected(live: Live, people_total: int, timeout_s: float) -> float:
    """Wait until the summary shows this many people through; when (monotonic)."""
    deadline = time.monotonic() + timeout_s
    while True:
        s = await live.summary()
        done = (
            s.doses.total >= people_total
            and s.certificates.issued_today >= people_total
            and s.appointments.checked_in_today >= people_total
        )
        if done:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"summary at {s.doses.total} doses of {people_total}")
        await asyncio.sleep(0.1)


async def counted(live: Live, doses: int, timeout_s: float = 30) -> None:
    """Wait until the summary counts this many doses, looking every 20 ms."""
    for _ in range(int(timeout_s / 0.02)):
        if (await live.summary()).doses.total >= doses:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the summary never reached {doses} doses")


@contextlib.asynccontextmanager
async def running(settings: MonitoringSettings) -> AsyncIterator[FastAPI]:
    live = build_live(settings)
    app = create_app(
        settings,
        title="live picture benchmark",
        version="bench",
        routers=live.routers,
        lifespan=[
            infrastructure(settings, Needs(redis=True, indexes=INDEXES)),
            *live.lifespans,
            workers(live.workers),
        ],
    )
    async with app.router.lifespan_context(app):
        yield app


async def run(args: argparse.Namespace) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    topics = Topics(suffix)
    group = f"bench.live.{suffix}"
    base = MonitoringSettings()
    settings = MonitoringSettings(
        mongo_database=f"bench_live_{suffix}",
        live=LiveSettings(
            consumer_group=group, topics=tuple(topics.names.values()), pipeline_interval_s=60
        ),
    )
    kafka = base.kafka
    await ensure_topics(kafka, topics.names.values(), partitions=PARTITIONS)
    sites = [uuid.uuid4() for _ in range(args.sites)]
    per_phase = args.events // 3
    producer = create_producer(kafka)
    await producer.start()
    result: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "load_average": os.getloadavg()},
        "events_per_phase": per_phase * 3,
        "sites": args.sites,
        "partitions_per_topic": PARTITIONS,
        "max_records_per_batch": kafka.consumer_max_records,
    }
    try:
        await topics.publish(producer, people(per_phase, sites))
        before = writes()
        started = time.monotonic()
        async with running(settings) as app:
            live: Live = app.state.live
            done = await reflected(live, per_phase, args.timeout_s)
            events = per_phase * 3
            result["backlog"] = {
                "seconds": round(done - started, 2),
                "events_per_s": round(events / (done - started)),
                **per_thousand(before, writes(), events),
            }

            before = writes()
            started = time.monotonic()
            await topics.publish(producer, people(per_phase, sites, per_phase))
            published = time.monotonic()
            done = await reflected(live, 2 * per_phase, args.timeout_s)
            result["live"] = {
                "seconds": round(done - started, 2),
                "publish_seconds": round(published - started, 2),
                "events_per_s": round(events / (done - started)),
                **per_thousand(before, writes(), events),
            }

            lags = []
            total = 2 * per_phase
            for _ in range(args.samples):
                dose = next(e for e in people(1, sites) if isinstance(e, DoseAdministered))
                sent = time.monotonic()
                await topics.publish(producer, iter([dose]))
                total += 1
                await counted(live, total)
                lags.append(time.monotonic() - sent)
            result["latency"] = {
                "samples": len(lags),
                "p50_s": round(statistics.median(lags), 3),
                "max_s": round(max(lags), 3),
            }
            timings = []
            for _ in range(10):
                t = time.monotonic()
                await live.summary()
                timings.append(time.monotonic() - t)
            result["summary_read_s"] = {"p50": round(statistics.median(timings), 3)}
    finally:
        await producer.stop()
        await _clean(settings, [*topics.names.values(), dlq_topic(group)])
    return result


async def _clean(settings: MonitoringSettings, topics: list[str]) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongo.url)
    try:
        await client.drop_database(settings.mongo_database)
    finally:
        await client.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        await admin.delete_topics([t for t in topics if t in existing])
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=30_000, help="events per phase")
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--samples", type=int, default=20, help="single doses timed")
    parser.add_argument("--timeout-s", type=float, default=600)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
