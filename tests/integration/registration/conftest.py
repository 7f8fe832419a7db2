"""The registration service in process, on the real database and Kafka, with topics of its own.

Each test gets its own database, its own citizen topic and health-book topics, its own consumer
group, and a local token issuer whose keys the service trusts; the relay and the health-book
consumer run inside the app (role `all`), as under the stack.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_registration.consumers import Topics
from vaxflow_registration.main import build_app
from vaxflow_registration.settings import RegistrationSettings

from vaxflow_events import Envelope, Event, topic_for
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, unique_name

HEALTH_BOOK_STREAMS = (
    "scheduling.appointment.v1",
    "injection.dose.v1",
    "certificate.certificate.v1",
    "monitoring.aefi.v1",
)


@dataclass
class Registration:
    """A running registration service and what a test needs around it."""

    client: httpx.AsyncClient
    issuer: LocalTokenIssuer
    db: AsyncDatabase[Document]
    topics: Topics
    settings: RegistrationSettings
    kafka: KafkaSettings
    producer: AIOKafkaProducer
    accounts: list[str] = field(default_factory=list)

    def citizen(self, account: str | None = None) -> dict[str, str]:
        """Headers of a phone account's citizen token (a new account unless named)."""
        return self.issuer.bearer(
            subject=account or f"acct-{uuid.uuid4().hex[:12]}", role="citizen"
        )

    def staff(self, role: str, **scope: str) -> dict[str, str]:
        """Headers of a staff token."""
        return self.issuer.bearer(subject=f"staff-{uuid.uuid4().hex[:8]}", role=role, **scope)

    async def publish(self, events: Sequence[Event], *, twice: bool = False) -> list[Envelope[Any]]:
        """Put events on this test's health-book topics (each twice to simulate redelivery)."""
        envelopes = [Envelope.new(e, producer=topic_for(type(e)).producer) for e in events]
        for envelope in envelopes * (2 if twice else 1):
            topic = self.topic_of(envelope.payload)
            await self.producer.send_and_wait(
                topic, envelope.to_bytes(), key=envelope.key.encode(), headers=envelope.headers()
            )
        return envelopes

    def topic_of(self, event: Event) -> str:
        """This test's topic carrying an event type."""
        stream = topic_for(type(event)).name
        return self.topics.health_book[HEALTH_BOOK_STREAMS.index(stream)]

    async def pending_events(self) -> int:
        """Citizens whose outbox the relay has not finished with (events or its marker left)."""
        return await self.db["citizens"].count_documents({"outbox_pending": True})


async def make_topics(topic_factory: TopicFactory) -> Topics:
    """A citizen topic, one topic per health-book stream and a reminder topic, all of this
    test's own."""
    citizen = await topic_factory("citizen", partitions=3)
    streams = [await topic_factory(s.split(".")[1], partitions=3) for s in HEALTH_BOOK_STREAMS]
    reminders = (await topic_factory("reminder", partitions=3),)
    return Topics(citizen=citizen, health_book=tuple(streams), reminders=reminders)


@contextlib.asynccontextmanager
async def running_service(
    settings: RegistrationSettings, topics: Topics, issuer: LocalTokenIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    """The service app with its lifespan (clients, relay, consumer), and a client to it."""
    app = build_app(settings, "all", topics=topics, verifier=issuer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://registration.test"
        ) as client:
            yield client


def settings_for(database: str, **overrides: Any) -> RegistrationSettings:
    """Settings of a test's service: its own database and consumer group."""
    return RegistrationSettings(
        environment="test",
        mongo_database=database,
        health_book_group=unique_name("registration-hb"),
        **overrides,
    )


@pytest_asyncio.fixture
async def registration(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> AsyncIterator[Registration]:
    """A running registration service of the test's own."""
    topics = await make_topics(topic_factory)
    settings = settings_for(mongo_db.name)
    topic_factory.track(dlq_topic(settings.health_book_group))
    topic_factory.track(dlq_topic(settings.reminder_consumer_group))
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        async with running_service(settings, topics, issuer) as client:
            yield Registration(client, issuer, mongo_db, topics, settings, kafka_settings, producer)
    finally:
        await producer.stop()
