"""Staff reads of dose records: appended with DosesReadByStaff (ids only), published by a relay."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from tests.integration.injection.conftest import Injection
from vaxflow_events import REGISTRY, DosesReadByStaff, Envelope, InvalidMessage, topic_for
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

STAFF_READ_TOPIC = topic_for(DosesReadByStaff).name


async def published_reads(kafka: KafkaSettings, read_ids: set[str]) -> dict[str, Envelope[Any]]:
    """The staff-read events with these read ids (the topic is the stack's own)."""
    consumer = AIOKafkaConsumer(
        STAFF_READ_TOPIC,
        bootstrap_servers=kafka.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    found: dict[str, Envelope[Any]] = {}
    try:

        async def more() -> int:
            batch = await consumer.getmany(timeout_ms=200)
            for message in (m for messages in batch.values() for m in messages):
                try:
                    envelope = REGISTRY.parse(message.value or b"")
                except InvalidMessage:  # a fault run's poison message on the stack's topic
                    continue
                if str(envelope.payload.read_id) in read_ids:
                    found[str(envelope.payload.read_id)] = envelope
            return len(found)

        await poll_until(more, accept=lambda n: n == len(read_ids), what="the read events")
    finally:
        await consumer.stop()
    return found


async def test_staff_reads_shown_or_refused_are_published_with_the_districts_of_the_doses(
    injection: Injection,
) -> None:
    citizen_id = await injection.ready_citizen()
    await injection.dose(citizen_id)
    path = f"/api/v1/citizens/{citizen_id}/doses"
    outsider = injection.staff(site_id=str(uuid.uuid4()))

    shown = await injection.client.get(
        path, params={"purpose": "second dose due"}, headers=injection.staff()
    )
    refused = await injection.client.get(path, headers=outsider)
    unknown = await injection.client.get(
        f"/api/v1/citizens/{uuid.uuid4()}/doses", headers=injection.staff()
    )

    assert (shown.status_code, refused.status_code, unknown.status_code) == (200, 404, 404)
    reads = await injection.db["staff_reads"].find({"citizen_id": str(citizen_id)}).to_list()
    events = await published_reads(injection.kafka, {r["_id"] for r in reads})
    payloads = [events[r["_id"]].payload for r in reads]
    assert sorted((p.outcome.value, p.reason, p.reader_site_id is not None) for p in payloads) == [
        ("refused", "care", True),
        ("shown", "second dose due", True),
    ]
    assert all(p.record_districts == ("760",) and p.resource_kind == "doses" for p in payloads)
    assert all(events[r["_id"]].producer == "injection" for r in reads)
