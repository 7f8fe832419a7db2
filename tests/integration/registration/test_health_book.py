"""The health book and the staff scope, built by the consumer from the real topics."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.integration.registration.conftest import (
    Registration,
    running_service,
    settings_for,
)
from tests.integration.registration.people import person
from vaxflow_events import AdminArea, Event
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

SITE_A = uuid.uuid4()
SITE_B = uuid.uuid4()


def about(event_type: str, citizen_id: str, **changes: Any) -> Event:
    """The example event of a type, about this citizen, with fresh ids."""
    event = EXAMPLES[event_type]
    fresh = {
        name: uuid.uuid4()
        for name in (
            "appointment_id",
            "check_in_id",
            "screening_id",
            "dose_id",
            "observation_id",
            "certificate_id",
            "aefi_id",
        )
        if name in type(event).model_fields
    }
    return event.model_copy(update={**fresh, "citizen_id": uuid.UUID(citizen_id), **changes})


async def register(registration: Registration, headers: dict[str, str]) -> str:
    response = await registration.client.post(
        "/api/v1/citizens", json=person(relationship="self"), headers=headers
    )
    assert response.status_code == 201, response.text
    citizen_id: str = response.json()["citizen_id"]
    return citizen_id


async def book_of(registration: Registration, headers: dict[str, str], **params: Any) -> Any:
    response = await registration.client.get(
        "/api/v1/citizens/me/health-book", headers=headers, params=params
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_health_book_holds_each_event_once_under_redelivery(
    registration: Registration,
) -> None:
    headers = registration.citizen()
    citizen_id = await register(registration, headers)
    booked = about("AppointmentBooked", citizen_id, site_id=SITE_A)
    dose = about("DoseAdministered", citizen_id, site_id=SITE_A)
    events = [
        booked,
        about("CitizenCheckedIn", citizen_id, appointment_id=booked.appointment_id),  # type: ignore[attr-defined]
        about("ScreeningRecorded", citizen_id),
        dose,
        about("ObservationCompleted", citizen_id, dose_id=dose.dose_id),  # type: ignore[attr-defined]
        about("CertificateIssued", citizen_id, dose_id=dose.dose_id),  # type: ignore[attr-defined]
        about("AefiReported", citizen_id, dose_id=dose.dose_id),  # type: ignore[attr-defined]
    ]

    sent = await registration.publish(events, twice=True)

    async def items() -> list[Any]:
        page = await book_of(registration, headers)
        return list(page["items"])

    book = await poll_until(items, accept=lambda i: len(i) >= len(events), what="7 entries")
    assert sorted(e["event_id"] for e in book) == sorted(str(e.event_id) for e in sent)
    assert {e["kind"] for e in book} == {
        "appointment_booked",
        "checked_in",
        "screened",
        "dose_administered",
        "observation_completed",
        "certificate_issued",
        "reaction_reported",
    }
    dose_entry = next(e for e in book if e["kind"] == "dose_administered")
    assert dose_entry["details"]["lot_number"] == "FF2587"
    assert "holder" not in dose_entry["details"]


async def test_a_voided_dose_and_a_revoked_certificate_are_marked(
    registration: Registration,
) -> None:
    headers = registration.citizen()
    citizen_id = await register(registration, headers)
    dose = about("DoseAdministered", citizen_id)
    certificate = about("CertificateIssued", citizen_id, dose_id=dose.dose_id)  # type: ignore[attr-defined]
    await registration.publish(
        [
            dose,
            certificate,
            about("DoseVoided", citizen_id, dose_id=dose.dose_id),  # type: ignore[attr-defined]
            about("CertificateRevoked", citizen_id, certificate_id=certificate.certificate_id),  # type: ignore[attr-defined]
        ]
    )

    async def statuses() -> dict[str, Any]:
        return {e["kind"]: e["status"] for e in (await book_of(registration, headers))["items"]}

    marked = await poll_until(statuses, accept=lambda s: len(s) == 4, what="4 entries")
    assert marked["dose_administered"] == "voided"
    assert marked["certificate_issued"] == "revoked"


async def test_the_health_book_pages_with_a_cursor(registration: Registration) -> None:
    headers = registration.citizen()
    citizen_id = await register(registration, headers)
    await registration.publish([about("ScreeningRecorded", citizen_id) for _ in range(5)])
    await poll_until(
        lambda: book_of(registration, headers, limit=10),
        accept=lambda page: len(page["items"]) == 5,
        what="5 entries",
    )

    first = await book_of(registration, headers, limit=3)
    second = await book_of(registration, headers, limit=3, cursor=first["next_cursor"])

    assert len(first["items"]) == 3
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    ids = [e["event_id"] for e in first["items"] + second["items"]]
    assert len(set(ids)) == 5


async def test_the_health_book_is_rebuilt_from_the_topics(
    registration: Registration, mongo_client: Any
) -> None:
    headers = registration.citizen()
    citizen_id = await register(registration, headers)
    await registration.publish(
        [about("AppointmentBooked", citizen_id), about("ScreeningRecorded", citizen_id)]
    )
    original = await poll_until(
        lambda: entries(registration.db, citizen_id), accept=lambda e: len(e) == 2, what="book"
    )

    rebuilt_db = mongo_client[f"{registration.db.name}_rebuilt"]
    try:
        settings = settings_for(rebuilt_db.name)
        async with running_service(settings, registration.topics, registration.issuer):
            rebuilt = await poll_until(
                lambda: entries(rebuilt_db, citizen_id),
                accept=lambda e: len(e) == 2,
                what="rebuilt",
            )
    finally:
        await mongo_client.drop_database(rebuilt_db.name)
    assert rebuilt == original


async def entries(db: AsyncDatabase[Document], citizen_id: str) -> list[Document]:
    cursor = db["health_book"].find({"citizen_id": citizen_id}).sort("_id", 1)
    return [d async for d in cursor]


async def staff_read(registration: Registration, citizen_id: str, headers: dict[str, str]) -> int:
    response = await registration.client.get(
        f"/api/v1/citizens/{citizen_id}", params={"reason": "check-in desk"}, headers=headers
    )
    if response.status_code == 200:
        assert response.json()["national_id"]["number"] is None
    return response.status_code


async def test_staff_see_only_citizens_booked_within_their_scope(
    registration: Registration,
) -> None:
    citizen_id = await register(registration, registration.citizen())
    site_a, site_b = str(SITE_A), str(SITE_B)
    vaccinator_a = registration.staff("vaccinator", site_id=site_a)
    vaccinator_b = registration.staff("vaccinator", site_id=site_b)
    operator = registration.staff("mcc_operator")
    assert await staff_read(registration, citizen_id, vaccinator_a) == 404  # not booked yet
    booked = about("AppointmentBooked", citizen_id, site_id=SITE_A)

    await registration.publish([booked])

    await poll_until(
        lambda: staff_read(registration, citizen_id, vaccinator_a),
        accept=lambda status: status == 200,
        what="vaccinator of the booked site sees the citizen",
    )
    assert await staff_read(registration, citizen_id, vaccinator_b) == 404
    assert await staff_read(registration, citizen_id, operator) == 200
    unknown = str(uuid.uuid4())
    assert await staff_read(registration, unknown, vaccinator_b) == 404

    await registration.publish(
        [
            about(
                "AppointmentCancelled",
                citizen_id,
                appointment_id=booked.appointment_id,  # type: ignore[attr-defined]
                site_id=SITE_A,
            )
        ]
    )
    await poll_until(
        lambda: staff_read(registration, citizen_id, vaccinator_a),
        accept=lambda status: status == 404,
        what="a cancelled booking no longer opens the record",
    )


async def test_a_district_admin_sees_citizens_booked_at_sites_of_their_district(
    registration: Registration,
) -> None:
    citizen_id = await register(registration, registration.citizen())
    district_770 = registration.staff("district_admin", district="770")
    district_760 = registration.staff("district_admin", district="760")
    site_area = AdminArea(province_code="79", district_code="770", ward_code="27139")

    await registration.publish(
        [
            about("AppointmentBooked", citizen_id, site_id=SITE_A),
            about("DoseAdministered", citizen_id, site_id=SITE_A, site_area=site_area),
        ]
    )

    await poll_until(
        lambda: staff_read(registration, citizen_id, district_770),
        accept=lambda status: status == 200,
        what="district admin of the site's district sees the citizen",
    )
    assert await staff_read(registration, citizen_id, district_760) == 404


async def test_a_booking_that_names_its_site_area_opens_the_record_to_the_district_admin(
    registration: Registration,
) -> None:
    citizen_id = await register(registration, registration.citizen())
    site = uuid.uuid4()
    district_760 = registration.staff("district_admin", district="760")
    district_770 = registration.staff("district_admin", district="770")
    site_area = AdminArea(province_code="79", district_code="760", ward_code="26734")

    await registration.publish(
        [about("AppointmentBooked", citizen_id, site_id=site, site_area=site_area)]
    )

    await poll_until(
        lambda: staff_read(registration, citizen_id, district_760),
        accept=lambda status: status == 200,
        what="district admin of the booked site's district sees the citizen before any dose",
    )
    assert await staff_read(registration, citizen_id, district_770) == 404


async def test_every_staff_read_is_audited_with_who_what_when_why(
    registration: Registration,
) -> None:
    citizen_id = await register(registration, registration.citizen())
    operator = registration.staff("mcc_operator")
    outsider = registration.staff("vaccinator", site_id=str(SITE_B))

    await staff_read(registration, citizen_id, operator)
    await staff_read(registration, citizen_id, outsider)
    no_reason = await registration.client.get(f"/api/v1/citizens/{citizen_id}", headers=operator)

    assert no_reason.status_code == 422
    audit = await registration.db["staff_reads"].find({"citizen_id": citizen_id}).to_list()
    assert [(r["who"]["role"], r["outcome"], r["why"]) for r in audit] == [
        ("mcc_operator", "shown", "check-in desk"),
        ("vaccinator", "refused", "check-in desk"),
    ]
    assert all(r["at"] and r["request_id"] for r in audit)
