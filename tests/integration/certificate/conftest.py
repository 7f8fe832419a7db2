"""The certificate service in process, on the real database and Kafka, with topics of its own.

Each test gets its own database, dose, citizen and certificate topics, consumer groups, a
development signing chain in a temporary directory, and a local token issuer whose keys the
service trusts; the relay and both consumers run inside the app (role `all`), as under the
stack.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_certificate.consumers import Topics
from vaxflow_certificate.main import build_app, load_keys
from vaxflow_certificate.settings import CertificateSettings
from vaxflow_certificate.store import KeyRing

from vaxflow_events import (
    AdminArea,
    CitizenRegistered,
    DoseAdministered,
    Envelope,
    Event,
)
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, poll_until, unique_name

SITE = uuid.UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01")
SITE_DISTRICT = "760"


@dataclass
class Certificates:
    """A running certificate service and what a test needs around it."""

    client: httpx.AsyncClient
    issuer: LocalTokenIssuer
    db: AsyncDatabase[Document]
    topics: Topics
    settings: CertificateSettings
    kafka: KafkaSettings
    producer: AIOKafkaProducer
    keys: KeyRing

    def staff(self, role: str, **scope: str) -> dict[str, str]:
        """Headers of a staff token."""
        return self.issuer.bearer(subject=f"staff-{uuid.uuid4().hex[:8]}", role=role, **scope)

    def citizen(self, account: str) -> dict[str, str]:
        """Headers of a phone account's citizen token."""
        return self.issuer.bearer(subject=account, role="citizen")

    async def publish(self, events: Sequence[Event], *, twice: bool = False) -> list[Envelope[Any]]:
        """Put events on this test's topics (each twice to simulate redelivery)."""
        return await _publish(self.producer, self.topics, events, twice=twice)

    async def registered(self, citizen_id: uuid.UUID, account: str) -> None:
        """Tell the service (through the citizen stream) that `account` holds the citizen."""
        event = EXAMPLES["CitizenRegistered"].model_copy(
            update={"citizen_id": citizen_id, "account_id": account}
        )
        await self.publish([event])

    async def mine(self, account: str) -> list[dict[str, Any]]:
        """The account's current certificates."""
        response = await self.client.get("/api/v1/certificates/me", headers=self.citizen(account))
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def wait_mine(self, account: str, count: int) -> list[dict[str, Any]]:
        """Wait until the account has `count` current certificates."""
        return await poll_until(
            lambda: self.mine(account),
            accept=lambda i: len(i) == count,
            what=f"{count} certificates",
        )


async def _publish(
    producer: AIOKafkaProducer, topics: Topics, events: Sequence[Event], *, twice: bool
) -> list[Envelope[Any]]:
    envelopes = [Envelope.new(e, producer="injection") for e in events]
    for envelope in envelopes * (2 if twice else 1):
        citizen = isinstance(envelope.payload, CitizenRegistered)
        await producer.send_and_wait(
            topics.citizen if citizen else topics.dose,
            envelope.to_bytes(),
            key=envelope.key.encode(),
            headers=envelope.headers(),
        )
    return envelopes


def dose(citizen_id: uuid.UUID, **vaccination: Any) -> DoseAdministered:
    """A DoseAdministered at the main demo site (district 760) for this citizen."""
    example = EXAMPLES["DoseAdministered"]
    assert isinstance(example, DoseAdministered)
    return example.model_copy(
        update={
            "dose_id": uuid.uuid4(),
            "citizen_id": citizen_id,
            "site_id": SITE,
            "site_area": AdminArea(
                province_code="79", district_code=SITE_DISTRICT, ward_code="26734"
            ),
            "vaccination": example.vaccination.model_copy(update=vaccination),
        }
    )


def settings_for(database: str, key_dir: Path, **overrides: Any) -> CertificateSettings:
    """Settings of a test's service: its own database, consumer groups and keys."""
    return CertificateSettings(
        environment="test",
        mongo_database=database,
        key_dir=key_dir,
        dose_group=unique_name("certificate-doses"),
        holder_group=unique_name("certificate-holders"),
        **overrides,
    )


@contextlib.asynccontextmanager
async def running_service(
    settings: CertificateSettings, topics: Topics, issuer: LocalTokenIssuer, keys: KeyRing
) -> AsyncIterator[httpx.AsyncClient]:
    """The service app with its lifespan (clients, relay, consumers), and a client to it."""
    app = build_app(settings, "all", topics=topics, verifier=issuer.verifier(), keys=keys)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://certificate.test"
        ) as client:
            yield client


@dataclass
class IdleCertificates:
    """A certificate service's database, topics, settings and keys, before it starts: events
    published now are waiting when it does, and arrive in one batch."""

    db: AsyncDatabase[Document]
    topics: Topics
    settings: CertificateSettings
    kafka: KafkaSettings
    producer: AIOKafkaProducer
    keys: KeyRing
    issuer: LocalTokenIssuer

    async def publish(self, events: Sequence[Event], *, twice: bool = False) -> list[Envelope[Any]]:
        """Put events on this test's topics (each twice to simulate redelivery)."""
        return await _publish(self.producer, self.topics, events, twice=twice)

    @contextlib.asynccontextmanager
    async def started(self) -> AsyncIterator[Certificates]:
        """The service running on all this, until the block ends."""
        async with running_service(self.settings, self.topics, self.issuer, self.keys) as client:
            yield Certificates(
                client,
                self.issuer,
                self.db,
                self.topics,
                self.settings,
                self.kafka,
                self.producer,
                self.keys,
            )


@pytest_asyncio.fixture
async def idle_certificates(
    mongo_db: AsyncDatabase[Document],
    topic_factory: TopicFactory,
    kafka_settings: KafkaSettings,
    tmp_path: Path,
) -> AsyncIterator[IdleCertificates]:
    """A certificate service of the test's own, not started yet."""
    topics = Topics(
        dose=await topic_factory("dose", partitions=3),
        citizen=await topic_factory("citizen", partitions=3),
        certificate=await topic_factory("certificate", partitions=3),
    )
    settings = settings_for(mongo_db.name, tmp_path / "keys")
    for group in (settings.dose_group, settings.holder_group):
        topic_factory.track(dlq_topic(group))
    keys = load_keys(settings)
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        yield IdleCertificates(mongo_db, topics, settings, kafka_settings, producer, keys, issuer)
    finally:
        await producer.stop()


@pytest_asyncio.fixture
async def certificates(idle_certificates: IdleCertificates) -> AsyncIterator[Certificates]:
    """A running certificate service of the test's own."""
    async with idle_certificates.started() as running:
        yield running
