"""The injection service in process, on the real database and Kafka, with topics of its own.

Each test gets its own database, its own dose topic and read-model topics, its own consumer
group, and a local token issuer whose keys the service trusts; the relays and the read-model
consumer run inside the app (role `all`), as under the stack. Tests set the scene by publishing
registration's, scheduling's and monitoring's events to the test's topics.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_injection.consumers import Topics
from vaxflow_injection.main import build_app
from vaxflow_injection.settings import InjectionSettings

from vaxflow_events import (
    AdminArea,
    CheckInMethod,
    CitizenCheckedIn,
    CitizenRegistered,
    Envelope,
    Event,
    Holder,
    LotSuspended,
    RegistrationChannel,
    Sex,
    StockReceived,
    SuspensionReason,
    lot_id_for,
    topic_for,
)
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, poll_until, read_topic, unique_name

SITE = UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01")
OTHER_SITE = UUID("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02")
SITE_AREA = AdminArea(province_code="79", district_code="760", ward_code="26734")
COMIRNATY = "EU/1/20/1528"
VAXZEVRIA = "EU/1/21/1529"
NO_TO_EVERYTHING = {
    "anaphylaxis_to_covid_vaccine": False,
    "severe_allergy_history": False,
    "other_allergy_history": False,
    "acute_illness": False,
    "covid19_last_6_months": False,
    "other_vaccine_last_14_days": False,
    "chronic_disease_uncontrolled": False,
    "chronic_disease_controlled": False,
    "immunodeficiency_or_immunosuppression": False,
    "pregnant_under_13_weeks": False,
    "pregnant_13_weeks_or_more": False,
    "breastfeeding": False,
    "clotting_disorder_or_anticoagulants": False,
}
NORMAL_VITALS = {
    "temperature_c": 36.7,
    "pulse_per_min": 78,
    "systolic_mmhg": 120,
    "diastolic_mmhg": 78,
    "spo2_percent": 98,
}
_ICT = ZoneInfo("Asia/Ho_Chi_Minh")
HOLDER = Holder(
    family_name="Nguyễn",
    given_name="Văn An",
    family_name_icao="NGUYEN",
    given_name_icao="VAN<AN",
    date_of_birth=date(1985, 3, 14),
)


@dataclass
class Injection:
    """A running injection service and what a test needs around it."""

    client: httpx.AsyncClient
    issuer: LocalTokenIssuer
    db: AsyncDatabase[Document]
    topics: Topics
    stream_topics: dict[str, str]
    settings: InjectionSettings
    kafka: KafkaSettings
    producer: AIOKafkaProducer

    def staff(self, role: str = "vaccinator", **scope: str) -> dict[str, str]:
        """Headers of a staff token (a vaccinator of the main site unless told)."""
        if role in ("vaccinator", "site_manager") and not scope:
            scope = {"site_id": str(SITE)}
        return self.issuer.bearer(subject=f"stf_{uuid.uuid4().hex}", role=role, **scope)

    async def publish(self, *events: Event, at: datetime | None = None) -> None:
        """Put events on this test's topics, as their producers would."""
        for event in events:
            envelope = Envelope.new(event, producer=topic_for(type(event)).producer, occurred_at=at)
            topic = self.stream_topics[topic_for(type(event)).name]
            await self.producer.send_and_wait(
                topic, envelope.to_bytes(), key=envelope.key.encode(), headers=envelope.headers()
            )

    async def known(self, collection: str, key: str, **fields: Any) -> Document:
        """Wait until the read-model consumer stored a document (with these field values)."""

        async def probe() -> Document | None:
            return await self.db[collection].find_one({"_id": key, **fields})

        found = await poll_until(probe, timeout_s=30, what=f"{collection}/{key}")
        assert found is not None
        return found

    async def register(self, citizen_id: UUID | None = None, account: str | None = None) -> UUID:
        """A citizen registration has reached injection."""
        citizen_id = citizen_id or uuid.uuid4()
        await self.publish(
            CitizenRegistered(
                citizen_id=citizen_id,
                holder=HOLDER,
                sex=Sex.MALE,
                residence=AdminArea(province_code="79", district_code=None, ward_code="26740"),
                priority_group=None,
                channel=RegistrationChannel.SELF_SERVICE,
                import_id=None,
                account_id=account,
            )
        )
        await self.known("citizens", str(citizen_id))
        return citizen_id

    async def check_in(
        self, citizen_id: UUID, site_id: UUID = SITE, at: datetime | None = None
    ) -> None:
        """The citizen arrived at the site (as a walk-in)."""
        await self.publish(
            CitizenCheckedIn(
                check_in_id=uuid.uuid4(),
                citizen_id=citizen_id,
                site_id=site_id,
                appointment_id=None,
                method=CheckInMethod.WALK_IN,
                queue_number=7,
                site_area=SITE_AREA,
            ),
            at=at,
        )
        day = (at or datetime.now(UTC)).astimezone(_ICT).date()
        await self.known("check_ins", f"{citizen_id}|{site_id}|{day.isoformat()}")

    async def stock(
        self,
        lot_number: str,
        *,
        product: str = COMIRNATY,
        expiry: date | None = None,
        site_id: UUID = SITE,
    ) -> UUID:
        """The site received a lot."""
        lot_id = lot_id_for(product, lot_number)
        await self.publish(
            StockReceived(
                receipt_id=uuid.uuid4(),
                site_id=site_id,
                lot_id=lot_id,
                product_code=product,
                manufacturer_code="ORG-100030215",
                lot_number=lot_number,
                expiry_date=expiry or date.today() + timedelta(days=90),
                doses_per_vial=6,
                doses_received=600,
                balance_after=600,
            )
        )
        await self.known("site_lots", f"{site_id}|{lot_id}")
        return lot_id

    async def suspend(self, lot_id: UUID, lot_number: str, product: str = COMIRNATY) -> None:
        """Monitoring suspended the lot."""
        await self.publish(
            LotSuspended(
                lot_id=lot_id,
                product_code=product,
                lot_number=lot_number,
                reason=SuspensionReason.SAFETY_SIGNAL,
                signal_id=None,
                suspended_by=uuid.uuid4(),
            )
        )
        await self.known("lot_status", str(lot_id), suspended=True)

    async def screen(
        self, citizen_id: UUID, product: str | None = COMIRNATY, **extra: Any
    ) -> httpx.Response:
        """Record a screening with no risk found unless `extra` says otherwise."""
        body = {
            "citizen_id": str(citizen_id),
            "product_code": product,
            "answers": NO_TO_EVERYTHING,
            "vitals": NORMAL_VITALS,
        } | extra
        return await self.client.post("/api/v1/screenings", json=body, headers=self.staff())

    async def ready_citizen(self, lot_number: str = "FF2587") -> UUID:
        """A registered citizen, checked in and cleared for Comirnaty, at a site holding the lot."""
        citizen_id = await self.register()
        await self.check_in(citizen_id)
        await self.stock(lot_number)
        screened = await self.screen(citizen_id)
        assert screened.status_code == 201, screened.text
        return citizen_id

    async def dose(
        self,
        citizen_id: UUID,
        lot_number: str = "FF2587",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        """Record a dose now."""
        body = {
            "citizen_id": str(citizen_id),
            "product_code": COMIRNATY,
            "lot_number": lot_number,
            "body_site": "left_deltoid",
        } | extra
        return await self.client.post("/api/v1/doses", json=body, headers=headers or self.staff())

    async def published(self, count: int) -> list[Envelope[Any]]:
        """The first `count` events on this test's dose topic."""
        return await read_topic(self.kafka, self.topics.dose, count)


@contextlib.asynccontextmanager
async def running_service(
    settings: InjectionSettings, topics: Topics, issuer: LocalTokenIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    """The service app with its lifespan (clients, relays, consumer), and a client to it."""
    app = build_app(settings, "all", topics=topics, verifier=issuer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://injection.test"
        ) as client:
            yield client


@pytest_asyncio.fixture
async def injection(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> AsyncIterator[Injection]:
    """A running injection service of the test's own."""
    streams = (
        "registration.citizen.v1",
        "scheduling.appointment.v1",
        "scheduling.stock.v1",
        "monitoring.lot.v1",
    )
    stream_topics = {s: await topic_factory(s.split(".")[1]) for s in streams}
    dose_topic = await topic_factory("dose")
    topics = Topics(dose=dose_topic, read_models=tuple(stream_topics.values()))
    settings = InjectionSettings(
        environment="test", mongo_database=mongo_db.name, read_model_group=unique_name("inj-rm")
    )
    topic_factory.track(dlq_topic(settings.read_model_group))
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        async with running_service(settings, topics, issuer) as client:
            yield Injection(
                client, issuer, mongo_db, topics, stream_topics, settings, kafka_settings, producer
            )
    finally:
        await producer.stop()


def events_of(envelopes: Sequence[Envelope[Any]], event_type: str) -> list[Any]:
    """The payloads of one event type."""
    return [e.payload for e in envelopes if e.event_type == event_type]
