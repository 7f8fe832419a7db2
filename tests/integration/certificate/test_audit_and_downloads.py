"""Staff reads of certificates are audited and published (ids only); downloads are limited per
caller."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_certificate.consumers import Topics
from vaxflow_certificate.main import load_keys

from tests.integration.certificate.conftest import (
    SITE,
    SITE_DISTRICT,
    Certificates,
    dose,
    running_service,
    settings_for,
)
from vaxflow_events import CertificateReadByStaff
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import TopicFactory, read_topic

pytestmark = pytest.mark.stack

DOWNLOAD_LIMIT = 3


@contextlib.asynccontextmanager
async def limited_service(
    mongo_db: AsyncDatabase[Document],
    topic_factory: TopicFactory,
    kafka_settings: KafkaSettings,
    key_dir: Path,
) -> AsyncIterator[Certificates]:
    """A certificate service of the test's own, with a small download limit and its own topics."""
    topics = Topics(
        dose=await topic_factory("dose", partitions=3),
        citizen=await topic_factory("citizen", partitions=3),
        certificate=await topic_factory("certificate", partitions=3),
        staff_read=await topic_factory("staff-read", partitions=1),
    )
    settings = settings_for(mongo_db.name, key_dir, download_limit=DOWNLOAD_LIMIT)
    for group in (settings.dose_group, settings.holder_group):
        topic_factory.track(dlq_topic(group))
    keys = load_keys(settings)
    issuer = LocalTokenIssuer(settings.auth)
    producer = create_producer(kafka_settings)
    await producer.start()
    try:
        async with running_service(settings, topics, issuer, keys) as client:
            yield Certificates(
                client, issuer, mongo_db, topics, settings, kafka_settings, producer, keys
            )
    finally:
        await producer.stop()


async def _issued(certificates: Certificates) -> tuple[uuid.UUID, str, dict[str, Any]]:
    citizen, account = uuid.uuid4(), f"acc_{uuid.uuid4().hex[:12]}"
    await certificates.registered(citizen, account)
    await certificates.publish([dose(citizen)])
    [mine] = await certificates.wait_mine(account, 1)
    return citizen, account, mine


async def _reads(certificates: Certificates, citizen: uuid.UUID) -> list[Document]:
    """The citizen's audited reads, oldest first (a find without a sort has no order)."""
    query = {"citizen_id": str(citizen)}
    return await certificates.db["staff_reads"].find(query).sort("at", 1).to_list()


async def test_staff_reads_are_audited_with_an_event_and_the_owners_reads_are_not(
    mongo_db: AsyncDatabase[Document],
    topic_factory: TopicFactory,
    kafka_settings: KafkaSettings,
    tmp_path: Path,
) -> None:
    async with limited_service(mongo_db, topic_factory, kafka_settings, tmp_path) as service:
        citizen, account, mine = await _issued(service)
        base = f"/api/v1/certificates/{mine['id']}"
        vaccinator = service.staff("vaccinator", site_id=str(SITE))
        outsider = service.staff("vaccinator", site_id=str(uuid.uuid4()))

        assert (await service.client.get(base, headers=service.citizen(account))).status_code == 200
        shown = await service.client.get(
            f"{base}.pdf", params={"reason": "printing for the holder"}, headers=vaccinator
        )
        refused = await service.client.get(f"{base}/qr.png", headers=outsider)

        assert (shown.status_code, refused.status_code) == (200, 404)
        reads = await _reads(service, citizen)
        assert [(r["what"], r["why"], r["outcome"], r["who"]["role"]) for r in reads] == [
            ("certificate_pdf", "printing for the holder", "shown", "vaccinator"),
            ("certificate_qr", "no reason given", "refused", "vaccinator"),
        ]
        messages = await read_topic(service.kafka, service.topics.staff_read, 2)
        payloads = [m.payload for m in messages]  # two outboxes: either may be published first
        assert all(isinstance(p, CertificateReadByStaff) for p in payloads)
        assert {str(p.read_id): p.outcome.value for p in payloads} == {
            reads[0]["_id"]: "shown",
            reads[1]["_id"]: "refused",
        }
        assert all(p.citizen_id == citizen for p in payloads)
        assert all(p.record_districts == (SITE_DISTRICT,) for p in payloads)
        shown_event = next(p for p in payloads if p.outcome.value == "shown")
        assert shown_event.resource_id == uuid.UUID(mine["id"])
        holder = dose(citizen).holder
        for message in messages:
            assert holder.family_name not in message.model_dump_json()
            assert holder.date_of_birth.isoformat() not in message.model_dump_json()


async def test_one_caller_is_throttled_while_another_still_downloads(
    mongo_db: AsyncDatabase[Document],
    topic_factory: TopicFactory,
    kafka_settings: KafkaSettings,
    tmp_path: Path,
) -> None:
    async with limited_service(mongo_db, topic_factory, kafka_settings, tmp_path) as service:
        _, account, mine = await _issued(service)  # the list it polls has a budget of its own
        hog = service.citizen(account)
        pdf = f"/api/v1/certificates/{mine['id']}.pdf"
        answers = [
            (await service.client.get(pdf, headers=hog)).status_code
            for _ in range(DOWNLOAD_LIMIT + 1)
        ]
        throttled = await service.client.get(
            f"/api/v1/certificates/{mine['id']}/qr.png", headers=hog
        )
        other = service.staff("mcc_operator")
        for _ in range(DOWNLOAD_LIMIT):
            assert (await service.client.get(pdf, headers=other)).status_code == 200

        assert answers[-1] == 429
        assert throttled.status_code == 429
        assert throttled.headers["content-type"] == "application/problem+json"
        assert 1 <= int(throttled.headers["Retry-After"]) <= service.settings.download_window_s
        assert json.loads(throttled.text)["type"].endswith("too-many-downloads")
