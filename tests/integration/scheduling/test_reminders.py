"""Reminders of a next dose, end to end across scheduling and registration on the real stack.

Scheduling (its own topics) learns doses from its dose topic and announces `NextDoseDue` on its
reminder topic; a registration service of the test's own reads that topic and texts the
citizen through a local SMS outbox of the test's own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from vaxflow_scheduling.handlers.reminders import announce_due

from tests.integration.registration.conftest import make_topics
from tests.integration.registration.conftest import running_service as running_registration
from tests.integration.registration.conftest import settings_for as registration_settings
from tests.integration.registration.people import person
from tests.integration.scheduling.conftest import AZ, Scheduling, read_topic, voided
from vaxflow_events import DoseAdministered, Envelope, NextDoseDue, lot_id_for
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.sms import SmsMessage, SmsSettings, read_outbox
from vaxflow_servicekit.testing import TopicFactory, poll_until, unique_name

pytestmark = pytest.mark.stack


@dataclass
class Texting:
    """A registration service reading scheduling's reminder topic, and its SMS outbox."""

    client: httpx.AsyncClient
    issuer: LocalTokenIssuer
    outbox: Path

    async def register(self) -> tuple[str, str]:
        """A new citizen with a phone account of their own: (citizen id, phone)."""
        headers = self.issuer.bearer(subject=f"acct-{uuid.uuid4().hex[:12]}", role="citizen")
        response = await self.client.post(
            "/api/v1/citizens", json=person(relationship="self"), headers=headers
        )
        assert response.status_code == 201, response.text
        return response.json()["citizen_id"], response.json()["phone"]

    def texts_to(self, phone: str) -> list[SmsMessage]:
        """Every SMS sent to a phone."""
        return [m for m in read_outbox(self.outbox) if m.to == phone]


@pytest_asyncio.fixture
async def texting(
    scheduling: Scheduling,
    mongo_client: AsyncMongoClient[Document],
    topic_factory: TopicFactory,
    tmp_path: Path,
) -> AsyncIterator[Texting]:
    """Registration on a database of its own, reading this test's reminder topic."""
    database = unique_name("test-reminders")
    settings = registration_settings(
        database, sms=SmsSettings(outbox_path=tmp_path / "sms" / "outbox.jsonl")
    )
    topic_factory.track(dlq_topic(settings.health_book_group))
    topic_factory.track(dlq_topic(settings.reminder_consumer_group))
    topics = dataclasses.replace(
        await make_topics(topic_factory), reminders=(scheduling.topics.reminder,)
    )
    issuer = LocalTokenIssuer(settings.auth)
    try:
        async with running_registration(settings, topics, issuer) as client:
            yield Texting(client, issuer, settings.sms.outbox_path)
    finally:
        with contextlib.suppress(Exception):
            await mongo_client.drop_database(database)


def _dose(citizen: str, site_id: str, on: date, number: int = 1) -> DoseAdministered:
    example = EXAMPLES["DoseAdministered"]
    assert isinstance(example, DoseAdministered)
    at = datetime.combine(on, datetime.min.time(), UTC) + timedelta(hours=3)
    vaccination = example.vaccination.model_copy(
        update={
            "product_code": AZ,
            "lot_id": lot_id_for(AZ, "REMIND1"),
            "lot_number": "REMIND1",
            "dose_number": number,
            "administered_at": at,
            "administered_on": on,
        }
    )
    return example.model_copy(
        update={
            "dose_id": uuid.uuid4(),
            "citizen_id": uuid.UUID(citizen),
            "site_id": uuid.UUID(site_id),
            "appointment_id": None,
            "vaccination": vaccination,
        }
    )


async def _reminder(s: Scheduling, citizen: str, dose: int) -> dict[str, Any] | None:
    return await s.db["reminders"].find_one({"_id": f"{citizen}#{dose}"}, {"outbox": 0})


async def _doses_known(s: Scheduling, citizen: str) -> int:
    doc = await s.db["citizens"].find_one({"_id": citizen})
    return len(doc.get("doses", {})) if doc else 0


async def test_a_citizen_due_today_is_texted_once_and_nobody_else_is(
    scheduling: Scheduling, texting: Texting
) -> None:
    site = await scheduling.site()
    today = scheduling.components.today()
    (due, due_phone), (later, later_phone), (done, done_phone) = [
        await texting.register() for _ in range(3)
    ]
    await scheduling.publish(
        [
            # Vaxzevria's second dose is due 28 days after the first: today.
            _dose(due, site["site_id"], today - timedelta(days=28)),
            _dose(later, site["site_id"], today),
            # A finished series (as with a single-dose product): no next primary dose.
            _dose(done, site["site_id"], today - timedelta(days=56)),
            _dose(done, site["site_id"], today - timedelta(days=28), number=2),
        ],
        twice=True,
    )
    await poll_until(lambda: _reminder(scheduling, due, 2), what="the reminder owed")
    await poll_until(lambda: _reminder(scheduling, later, 2), what="the later reminder")
    await poll_until(lambda: _doses_known(scheduling, done), accept=lambda n: n == 2, what="doses")

    await announce_due(scheduling.components)
    await announce_due(scheduling.components)  # a second round finds nothing left to announce

    [announced] = await read_topic(scheduling.kafka, scheduling.topics.reminder, 1)
    # The same event delivered again, then a later one of the same citizen (same partition):
    # once registration texted the later one, it has read the repeat before it.
    marker = announced.payload.model_copy(update={"reminder_id": uuid.uuid4(), "dose_number": 3})
    await _send_again(scheduling, announced, Envelope.new(marker, producer="scheduling"))

    async def marker_texted() -> list[SmsMessage]:
        return _texts_of_dose(texting, due_phone, 3)

    await poll_until(marker_texted, accept=bool, what="the marker SMS")

    [text] = _texts_of_dose(texting, due_phone, 2)
    assert f"tu ngay {today:%d/%m/%Y}" in text.text
    assert texting.texts_to(later_phone) == []
    assert texting.texts_to(done_phone) == []
    assert isinstance(announced.payload, NextDoseDue)
    assert (str(announced.payload.citizen_id), announced.payload.dose_number) == (due, 2)
    assert announced.payload.due_from == today
    later_reminder = await _reminder(scheduling, later, 2)
    assert later_reminder is not None
    assert later_reminder["status"] == "pending"
    assert later_reminder["remind_on"] == (today + timedelta(days=28)).isoformat()
    assert await _reminder(scheduling, done, 3) is None
    stored = await _reminder(scheduling, due, 2)
    assert stored is not None
    assert stored["status"] == "announced"


async def test_a_citizen_booked_for_the_next_dose_is_not_reminded_before_the_appointment(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    today = scheduling.components.today()
    session = await scheduling.session(site["site_id"], days_ahead=1, doses=["second"])
    account, citizen = await scheduling.known_citizen()
    await scheduling.publish([_dose(citizen, site["site_id"], today - timedelta(days=28))])
    await poll_until(lambda: _reminder(scheduling, citizen, 2), what="the reminder owed")
    body = {"citizen_id": citizen, "session_id": session["session_id"], "slot": "s0730"}
    booked = await scheduling.client.post(
        "/api/v1/appointments", json=body, headers=scheduling.citizen(account)
    )
    assert booked.status_code == 201, booked.text

    announced = await announce_due(scheduling.components)

    reminder = await _reminder(scheduling, citizen, 2)
    assert announced == 0
    assert reminder is not None
    assert reminder["status"] == "pending"
    assert reminder["remind_on"] == (today + timedelta(days=2)).isoformat()


async def test_a_reminder_dropped_after_a_void_is_owed_again_once_the_dose_is_recorded_anew(
    scheduling: Scheduling, texting: Texting
) -> None:
    site = await scheduling.site()
    today = scheduling.components.today()
    citizen, phone = await texting.register()
    first = _dose(citizen, site["site_id"], today - timedelta(days=28))
    await scheduling.publish([first])
    await poll_until(lambda: _reminder(scheduling, citizen, 2), what="the reminder owed")
    await scheduling.publish([voided(first)])
    await poll_until(
        lambda: _voided_doses(scheduling, citizen), accept=lambda n: n == 1, what="the void"
    )
    assert await announce_due(scheduling.components) == 0  # no first dose: nothing is due
    dropped = await _reminder(scheduling, citizen, 2)
    assert dropped is not None
    assert dropped["status"] == "dropped"

    # The first dose recorded again, as a new record (the voided one was entered wrongly).
    await scheduling.publish([_dose(citizen, site["site_id"], today - timedelta(days=28))])

    async def pending() -> dict[str, Any] | None:
        found = await _reminder(scheduling, citizen, 2)
        return found if found and found["status"] == "pending" else None

    owed = await poll_until(pending, what="the reminder owed again")
    assert owed["remind_on"] == today.isoformat()
    assert await announce_due(scheduling.components) == 1

    async def texted() -> list[SmsMessage]:
        return _texts_of_dose(texting, phone, 2)

    [text] = await poll_until(texted, accept=bool, what="the SMS")
    assert f"tu ngay {today:%d/%m/%Y}" in text.text


async def _voided_doses(s: Scheduling, citizen: str) -> int:
    doc = await s.db["citizens"].find_one({"_id": citizen})
    return sum(1 for d in (doc or {}).get("doses", {}).values() if d.get("voided"))


def _texts_of_dose(texting: Texting, phone: str, dose: int) -> list[SmsMessage]:
    return [m for m in texting.texts_to(phone) if f"tiem mui {dose} " in m.text]


async def _send_again(s: Scheduling, *envelopes: Envelope[Any]) -> None:
    for envelope in envelopes:
        await s.producer.send_and_wait(
            s.topics.reminder,
            envelope.to_bytes(),
            key=envelope.key.encode(),
            headers=envelope.headers(),
        )
