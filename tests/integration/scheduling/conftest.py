"""The scheduling service in process, on the real database, Kafka and Redis, with its own topics.

Each test gets its own database, its own output and input topics, its own consumer group and
Redis prefix, and a local token issuer whose keys the service trusts; the relays, the consumer
and the availability refresher run inside the app (role `all`), as under the stack.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis
from vaxflow_scheduling.consumers import ReadTopics
from vaxflow_scheduling.handlers.components import Components, Topics
from vaxflow_scheduling.main import build_app
from vaxflow_scheduling.settings import SchedulingSettings
from vaxflow_scheduling.store.citizens import details_of

from vaxflow_events import DoseAdministered, DoseVoided, Envelope, Event, topic_for
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, read_topic, unique_name

READ_STREAMS = ("registration.citizen.v1", "injection.dose.v1", "monitoring.lot.v1")
AREA = {"province_code": "79", "district_code": "760", "ward_code": "26734"}
AZ = "EU/1/21/1529"


@dataclass
class Scheduling:
    """A running scheduling service and what a test needs around it."""

    client: httpx.AsyncClient
    issuer: LocalTokenIssuer
    db: AsyncDatabase[Document]
    topics: Topics
    reads: ReadTopics
    settings: SchedulingSettings
    kafka: KafkaSettings
    producer: AIOKafkaProducer
    components: Components

    def citizen(self, account: str) -> dict[str, str]:
        """Headers of a phone account's citizen token."""
        return self.issuer.bearer(subject=account, role="citizen")

    def staff(self, role: str, **scope: str) -> dict[str, str]:
        """Headers of a staff token."""
        return self.issuer.bearer(subject=f"staff-{uuid.uuid4().hex[:8]}", role=role, **scope)

    @property
    def admin(self) -> dict[str, str]:
        """Headers of an admin."""
        return self.staff("admin")

    async def known_citizen(
        self, account: str | None = None, *, birth: date = date(1990, 4, 30)
    ) -> tuple[str, str]:
        """A citizen scheduling knows (as if from the citizen stream): (account, citizen id)."""
        account = account or f"acc_{uuid.uuid4().hex[:12]}"
        citizen_id = str(uuid.uuid4())
        details = details_of(account, birth, None, {"province_code": "79", "ward_code": "26734"})
        await self.components.citizens.learn(citizen_id, details)
        return account, citizen_id

    async def site(self, **changes: Any) -> dict[str, Any]:
        """A new site (created by an admin)."""
        body = {
            "name": "Trạm Y tế Phường Bến Nghé",
            "area": AREA,
            "opens": "07:30",
            "closes": "11:30",
            "slot_minutes": 60,
            "daily_capacity": 400,
        } | changes
        response = await self.client.post("/api/v1/sites", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def session(self, site_id: str, *, days_ahead: int = 1, **changes: Any) -> dict[str, Any]:
        """A new session at a site (created by an admin)."""
        body = {
            "date": (self.components.today() + timedelta(days=days_ahead)).isoformat(),
            "product_code": AZ,
            "doses": ["first", "second"],
            "slot_capacity": 10,
        } | changes
        response = await self.client.post(
            f"/api/v1/sites/{site_id}/sessions", json=body, headers=self.admin
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def publish(self, events: Sequence[Event], *, twice: bool = False) -> list[Envelope[Any]]:
        """Put events on this test's input topics (each twice to simulate redelivery)."""
        envelopes = [Envelope.new(e, producer=topic_for(type(e)).producer) for e in events]
        for envelope in envelopes * (2 if twice else 1):
            stream = topic_for(type(envelope.payload)).name
            topic = self.reads.names[READ_STREAMS.index(stream)]
            await self.producer.send_and_wait(
                topic, envelope.to_bytes(), key=envelope.key.encode(), headers=envelope.headers()
            )
        return envelopes


def settings_for(database: str, **overrides: Any) -> SchedulingSettings:
    """Settings of a test's service: its own database, consumer group and Redis prefix."""
    return SchedulingSettings(
        environment="test",
        mongo_database=database,
        consumer_group=unique_name("scheduling-reactions"),
        redis_prefix=unique_name("test-sched").replace("_", "-"),
        availability_refresh_s=1.0,
        availability_cache_s=0,
        # Reminder and queue-metrics rounds are run by the tests themselves
        # (handlers.reminders.announce_due, handlers.checkins.export_queues).
        reminder_interval_s=3600.0,
        reminder_from_hour=0,  # the tests run at any hour
        reminder_until_hour=24,
        queue_metrics_refresh_s=3600.0,
        **overrides,
    )


@contextlib.asynccontextmanager
async def running_service(
    settings: SchedulingSettings, topics: Topics, reads: ReadTopics, issuer: LocalTokenIssuer
) -> AsyncIterator[tuple[httpx.AsyncClient, Components]]:
    """The service app with its lifespan (clients, relays, consumer), and a client to it."""
    app = build_app(settings, "all", topics=topics, reads=reads, verifier=issuer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://scheduling.test", timeout=120
        ) as client:
            yield client, app.state.components


@pytest_asyncio.fixture
async def scheduling(
    mongo_db: AsyncDatabase[Document],
    topic_factory: TopicFactory,
    kafka_settings: KafkaSettings,
    redis_client: Redis,
) -> AsyncIterator[Scheduling]:
    """A running scheduling service of the test's own."""
    topics = Topics(
        appointment=await topic_factory("appointment", partitions=3),
        stock=await topic_factory("stock", partitions=3),
        reminder=await topic_factory("reminder", partitions=3),
    )
    reads = ReadTopics(tuple([await topic_factory(s.split(".")[1]) for s in READ_STREAMS]))
    settings = settings_for(mongo_db.name)
    topic_factory.track(dlq_topic(settings.consumer_group))
    topic_factory.track(dlq_topic(f"{settings.consumer_group}.citizens"))
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        async with running_service(settings, topics, reads, issuer) as (client, c):
            yield Scheduling(
                client, issuer, mongo_db, topics, reads, settings, kafka_settings, producer, c
            )
    finally:
        await producer.stop()
        keys = [k async for k in redis_client.scan_iter(match=f"{settings.redis_prefix}:*")]
        if keys:
            await redis_client.delete(*keys)


__all__ = ["AZ", "Scheduling", "read_topic", "running_service", "settings_for"]


def voided(dose: DoseAdministered) -> DoseVoided:
    """The void of a dose delivered earlier: the same ids and record."""
    example = EXAMPLES["DoseVoided"]
    assert isinstance(example, DoseVoided)
    return example.model_copy(
        update={
            "dose_id": dose.dose_id,
            "citizen_id": dose.citizen_id,
            "site_id": dose.site_id,
            "vaccination": dose.vaccination,
        }
    )
