"""The staff-read audit log: registration's own reads, other services' reported reads, and the
district admin's listing (newest first, paginated, append-only, each read once)."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_registration.settings import RegistrationSettings

from tests.integration.registration.conftest import (
    Registration,
    make_topics,
    running_service,
)
from tests.integration.registration.test_health_book import about, register, staff_read
from vaxflow_events import (
    AdminArea,
    CertificateReadByStaff,
    DosesReadByStaff,
    Envelope,
    ReadOutcome,
    StaffRead,
    StaffRole,
)
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, poll_until, unique_name

pytestmark = pytest.mark.stack

SITE = uuid.uuid4()
AREA_760 = AdminArea(province_code="79", district_code="760", ward_code="26734")
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@dataclasses.dataclass
class Audited(Registration):
    """A registration service whose audit consumer reads a staff-read topic of the test's own."""

    staff_read_topic: str = ""

    async def report(self, *reads: StaffRead, producer: str = "injection") -> None:
        """Put staff-read events on the test's topic, in order, as another service would."""
        for read in reads:
            envelope = Envelope.new(read, producer=producer, occurred_at=read.read_at)
            await self.producer.send_and_wait(
                self.staff_read_topic,
                envelope.to_bytes(),
                key=envelope.key.encode(),
                headers=envelope.headers(),
            )

    async def list(self, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/api/v1/audit/reads", params=params, headers=headers)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def wait_for(self, read_id: uuid.UUID, citizen_id: uuid.UUID) -> None:
        admin = self.staff("admin")
        await poll_until(
            lambda: self.list(admin, citizen_id=str(citizen_id)),
            accept=lambda items: str(read_id) in {i["read_id"] for i in items},
            what=f"read {read_id} in the audit log",
        )


@contextlib.asynccontextmanager
async def audited_service(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> AsyncIterator[Audited]:
    topic = await topic_factory("staff-read", partitions=3)
    topics = dataclasses.replace(await make_topics(topic_factory), staff_reads=(topic,))
    settings = RegistrationSettings(
        environment="test",
        mongo_database=mongo_db.name,
        health_book_group=unique_name("registration-hb"),
    )
    for group in (settings.health_book_group, settings.audit_consumer_group):
        topic_factory.track(dlq_topic(group))
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        async with running_service(settings, topics, issuer) as client:
            yield Audited(
                client, issuer, mongo_db, topics, settings, kafka_settings, producer, [], topic
            )
    finally:
        await producer.stop()


def doses_read(citizen_id: uuid.UUID, at: datetime = T0, **changes: Any) -> DosesReadByStaff:
    fields: dict[str, Any] = {
        "read_id": uuid.uuid4(),
        "citizen_id": citizen_id,
        "reader_id": "staff-injection-1",
        "reader_role": StaffRole.VACCINATOR,
        "reader_site_id": SITE,
        "reader_district": None,
        "resource_kind": "doses",
        "resource_id": None,
        "reason": "screening before the second dose",
        "outcome": ReadOutcome.SHOWN,
        "record_districts": ("760",),
        "read_at": at,
    }
    return DosesReadByStaff(**(fields | changes))


@pytest.fixture
async def audited(
    mongo_db: AsyncDatabase[Document], topic_factory: TopicFactory, kafka_settings: KafkaSettings
) -> AsyncIterator[Audited]:
    async with audited_service(mongo_db, topic_factory, kafka_settings) as service:
        yield service


async def test_a_redelivered_read_is_recorded_once(audited: Audited) -> None:
    citizen = uuid.uuid4()
    read, later = doses_read(citizen), doses_read(citizen, T0 + timedelta(minutes=1))

    await audited.report(read, read, later)  # same key: one partition, in this order
    await audited.wait_for(later.read_id, citizen)

    items = await audited.list(audited.staff("admin"), citizen_id=str(citizen))
    assert [i["read_id"] for i in items] == [str(later.read_id), str(read.read_id)]
    assert await audited.db["staff_reads"].count_documents({"citizen_id": str(citizen)}) == 2


async def test_a_district_admin_sees_the_reads_of_people_booked_or_vaccinated_in_the_district(
    audited: Audited,
) -> None:
    booked = await register(audited, audited.citizen())
    await audited.publish([about("AppointmentBooked", booked, site_id=SITE, site_area=AREA_760)])
    vaccinator = audited.staff("vaccinator", site_id=str(SITE))
    assert await poll_until(
        lambda: staff_read(audited, booked, vaccinator),
        accept=lambda status: status == 200,
        what="the booking known to registration",
    )
    vaccinated_elsewhere = uuid.uuid4()
    certificate_read = CertificateReadByStaff(
        **doses_read(vaccinated_elsewhere, record_districts=("760",)).model_dump()
        | {"resource_kind": "certificate_pdf", "resource_id": uuid.uuid4()}
    )
    outside = doses_read(uuid.uuid4(), record_districts=("770",))
    await audited.report(certificate_read, producer="certificate")
    await audited.report(outside)
    await audited.wait_for(certificate_read.read_id, vaccinated_elsewhere)
    await audited.wait_for(outside.read_id, outside.citizen_id)

    mine = await audited.list(audited.staff("district_admin", district="760"))
    theirs = await audited.list(audited.staff("district_admin", district="770"))

    seen_760 = {(i["citizen_id"], i["service"], i["resource_kind"]) for i in mine}
    assert (booked, "registration", "citizen_record") in seen_760
    assert (str(vaccinated_elsewhere), "certificate", "certificate_pdf") in seen_760
    assert all(i["citizen_id"] != str(outside.citizen_id) for i in mine)
    assert {i["citizen_id"] for i in theirs} == {str(outside.citizen_id)}
    own = next(i for i in mine if i["citizen_id"] == booked)
    assert own["reader"] == {
        "id": own["reader"]["id"],
        "role": "vaccinator",
        "site_id": str(SITE),
        "district": None,
    }
    assert (own["reason"], own["outcome"], own["districts"]) == ("check-in desk", "shown", ["760"])


async def test_only_admins_and_district_admins_list_the_log(audited: Audited) -> None:
    for headers in (
        audited.citizen(),
        audited.staff("vaccinator", site_id=str(SITE)),
        audited.staff("site_manager", site_id=str(SITE)),
        audited.staff("mcc_operator"),
    ):
        response = await audited.client.get("/api/v1/audit/reads", headers=headers)
        assert response.status_code == 403, response.text
    assert (await audited.client.get("/api/v1/audit/reads")).status_code == 401


async def test_the_listing_pages_newest_first_and_filters_by_time_reader_and_citizen(
    audited: Audited,
) -> None:
    citizen = uuid.uuid4()
    reads = [doses_read(citizen, T0 + timedelta(minutes=m)) for m in range(5)]
    other_reader = doses_read(citizen, T0 + timedelta(minutes=10), reader_id="staff-other")
    await audited.report(*reads, other_reader)
    await audited.wait_for(other_reader.read_id, citizen)
    admin = audited.staff("admin")

    first = await audited.client.get(
        "/api/v1/audit/reads",
        params={"citizen_id": str(citizen), "reader_id": "staff-injection-1", "limit": 3},
        headers=admin,
    )
    cursor = first.json()["next_cursor"]
    rest = await audited.list(
        admin, citizen_id=str(citizen), reader_id="staff-injection-1", limit=3, cursor=cursor
    )
    window = await audited.list(
        admin,
        citizen_id=str(citizen),
        since=(T0 + timedelta(minutes=1)).isoformat(),
        until=(T0 + timedelta(minutes=3)).isoformat(),
    )

    newest_first = [str(r.read_id) for r in reversed(reads)]
    assert [i["read_id"] for i in first.json()["items"]] + [i["read_id"] for i in rest] == (
        newest_first
    )
    assert [i["read_id"] for i in window] == [str(reads[2].read_id), str(reads[1].read_id)]


async def test_the_log_cannot_be_altered_through_the_api(audited: Audited) -> None:
    citizen = uuid.uuid4()
    read = doses_read(citizen)
    await audited.report(read)
    await audited.wait_for(read.read_id, citizen)
    admin = audited.staff("admin")

    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await audited.client.request(
            method, "/api/v1/audit/reads", headers=admin, json={"read_id": str(read.read_id)}
        )
        assert response.status_code == 405, (method, response.text)
    document = (await audited.client.get("/openapi.json")).json()
    audit_operations = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if path.startswith("/api/v1/audit")
    }
    assert audit_operations == {("/api/v1/audit/reads", "get")}
    [entry] = await audited.list(admin, citizen_id=str(citizen))
    assert entry["reason"] == read.reason
