"""The monitoring core in process, on the real database and Kafka, with topics of its own.

Each test gets its own database, its own AEFI and lot topics and source topics, its own
consumer groups and a local token issuer whose keys the service trusts; the relays and the
consumers run inside the app (role `all`), as under the stack. The live picture is left out
(its own tests cover it). Tests set the scene by publishing registration's, scheduling's and
injection's events to the test's topics.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_monitoring.consumers import Topics
from vaxflow_monitoring.live import LivePicture
from vaxflow_monitoring.main import build_app
from vaxflow_monitoring.settings import MonitoringSettings

from vaxflow_events import (
    AdminArea,
    BodySite,
    CitizenRegistered,
    DoseAdministered,
    DoseKind,
    Envelope,
    Event,
    Holder,
    ObservationCompleted,
    ObservedReaction,
    ReactionSeverity,
    RegistrationChannel,
    SeriousnessCriterion,
    Sex,
    StockReceived,
    Vaccination,
    lot_id_for,
    topic_for,
)
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.runtime import Infrastructure, Worker
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, poll_until, read_topic, unique_name

SITE = UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01")
OTHER_SITE = UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02")
SITE_AREA = AdminArea(province_code="79", district_code="760", ward_code="26734")
COMIRNATY = "EU/1/20/1528"
HOLDER = Holder(
    family_name="Trần",
    given_name="Thị Bình",
    family_name_icao="TRAN",
    given_name_icao="THI<BINH",
    date_of_birth=date(1990, 6, 2),
)
# Low thresholds, so a test raises a signal with two cases.
TEST_RULES = {
    "rules": [
        {"rule": "serious_cases_in_window", "window_days": 7, "threshold": 2, "min_doses": 0},
        {
            "rule": "serious_rate_per_100k_doses",
            "window_days": 30,
            "threshold": 10,
            "min_doses": 50,
        },
    ]
}


@dataclass
class Monitoring:
    """A running monitoring core and what a test needs around it."""

    client: httpx.AsyncClient
    issuer: LocalTokenIssuer
    db: AsyncDatabase[Document]
    topics: Topics
    stream_topics: dict[str, str]
    kafka: KafkaSettings
    producer: AIOKafkaProducer

    def staff(self, role: str = "mcc_operator", **scope: str) -> dict[str, str]:
        """Headers of a staff token (an MCC operator unless told)."""
        if role in ("vaccinator", "site_manager") and not scope:
            scope = {"site_id": str(SITE)}
        return self.issuer.bearer(subject=f"stf_{uuid.uuid4().hex}", role=role, **scope)

    def citizen(self, account: str) -> dict[str, str]:
        """Headers of a citizen token of a phone account."""
        return self.issuer.bearer(subject=account, role="citizen")

    async def publish(self, *events: Event) -> None:
        """Put events on this test's topics, as their producers would."""
        for event in events:
            envelope = Envelope.new(event, producer=topic_for(type(event)).producer)
            topic = self.stream_topics[topic_for(type(event)).name]
            await self.producer.send_and_wait(
                topic, envelope.to_bytes(), key=envelope.key.encode(), headers=envelope.headers()
            )

    async def known(self, collection: str, key: str, **fields: Any) -> Document:
        """Wait until the service stored a document (with these field values)."""

        async def probe() -> Document | None:
            return await self.db[collection].find_one({"_id": key, **fields})

        found = await poll_until(probe, timeout_s=30, what=f"{collection}/{key}")
        assert found is not None
        return found

    async def register(self, account: str) -> UUID:
        """A citizen held by a phone account, known to monitoring."""
        citizen_id = uuid.uuid4()
        await self.publish(
            CitizenRegistered(
                citizen_id=citizen_id,
                holder=HOLDER,
                sex=Sex.FEMALE,
                residence=AdminArea(province_code="79", district_code=None, ward_code="26740"),
                priority_group=None,
                channel=RegistrationChannel.SELF_SERVICE,
                import_id=None,
                account_id=account,
            )
        )
        await self.known("core_citizens", str(citizen_id), account_id=account)
        return citizen_id

    async def receive(self, lot_number: str, site_id: UUID = SITE) -> UUID:
        """A site received a lot; monitoring knows it."""
        lot_id = lot_id_for(COMIRNATY, lot_number)
        await self.publish(
            StockReceived(
                receipt_id=uuid.uuid4(),
                site_id=site_id,
                lot_id=lot_id,
                product_code=COMIRNATY,
                manufacturer_code="ORG-100030215",
                lot_number=lot_number,
                expiry_date=date.today() + timedelta(days=90),
                doses_per_vial=6,
                doses_received=600,
                balance_after=600,
            )
        )
        await self.known("lots", str(lot_id))
        return lot_id

    async def dose(
        self,
        citizen_id: UUID,
        lot_number: str,
        *,
        at: datetime | None = None,
        site_id: UUID = SITE,
    ) -> DoseAdministered:
        """A dose given at a site, known to monitoring."""
        at = (at or datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
        dose = DoseAdministered(
            dose_id=uuid.uuid4(),
            citizen_id=citizen_id,
            site_id=site_id,
            appointment_id=None,
            screening_id=uuid.uuid4(),
            holder=HOLDER,
            residence=SITE_AREA,
            site_area=SITE_AREA,
            vaccination=Vaccination(
                product_code=COMIRNATY,
                manufacturer_code="ORG-100030215",
                vaccine_type_code="J07BN01",
                target_disease_code="840539006",
                lot_id=lot_id_for(COMIRNATY, lot_number),
                lot_number=lot_number,
                dose_number=1,
                series_doses=2,
                dose_kind=DoseKind.PRIMARY,
                administered_at=at,
                administered_on=at.date(),
            ),
            body_site=BodySite.LEFT_DELTOID,
            administered_by=uuid.uuid4(),
            captured_offline=False,
        )
        await self.publish(dose)
        await self.known("core_doses", str(dose.dose_id))
        return dose

    def serious_observation(self, dose: DoseAdministered) -> ObservationCompleted:
        """Anaphylaxis seen during the observation after the dose."""
        return ObservationCompleted(
            observation_id=uuid.uuid4(),
            dose_id=dose.dose_id,
            citizen_id=dose.citizen_id,
            site_id=dose.site_id,
            observed_minutes=30,
            reactions=(
                ObservedReaction(
                    code="anaphylaxis", severity=ReactionSeverity.SEVERE, onset_minutes=7
                ),
            ),
            serious=True,
            seriousness=(SeriousnessCriterion.LIFE_THREATENING,),
            observed_by=uuid.uuid4(),
        )

    async def published(self, topic: str, count: int) -> list[Envelope[Any]]:
        """The first `count` events on one of this test's topics."""
        return await read_topic(self.kafka, topic, count)


class WithoutLive(LivePicture):
    """No live picture: no routes, hooks or workers of it (its own tests cover it)."""

    def workers(self, infra: Infrastructure) -> Sequence[Worker]:
        return []


@contextlib.asynccontextmanager
async def running_service(
    settings: MonitoringSettings, topics: Topics, issuer: LocalTokenIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    """The service app with its lifespan (clients, relays, consumers), and a client to it."""
    app = build_app(
        settings, "all", topics=topics, verifier=issuer.verifier(), live=WithoutLive(settings)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://monitoring.test"
        ) as client:
            yield client


@pytest_asyncio.fixture
async def monitoring(
    mongo_db: AsyncDatabase[Document],
    topic_factory: TopicFactory,
    kafka_settings: KafkaSettings,
    tmp_path: Path,
) -> AsyncIterator[Monitoring]:
    """A running monitoring core of the test's own."""
    streams = ("registration.citizen.v1", "scheduling.stock.v1", "injection.dose.v1")
    stream_topics = {s: await topic_factory(s.split(".")[1]) for s in streams}
    aefi, lot = await topic_factory("aefi"), await topic_factory("lot")
    topics = Topics(aefi=aefi, lot=lot, core=tuple(stream_topics.values()))
    rules = tmp_path / "signal_rules.json"
    rules.write_text(json.dumps(TEST_RULES))
    settings = MonitoringSettings(
        environment="test",
        mongo_database=mongo_db.name,
        core_group=unique_name("mon-core"),
        signals_group=unique_name("mon-sig"),
        signal_rules_file=str(rules),
    )
    topic_factory.track(dlq_topic(settings.core_group))
    topic_factory.track(dlq_topic(settings.signals_group))
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        async with running_service(settings, topics, issuer) as client:
            yield Monitoring(
                client, issuer, mongo_db, topics, stream_topics, kafka_settings, producer
            )
    finally:
        await producer.stop()
