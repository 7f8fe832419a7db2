"""Registering and changing citizens on the real stack: what is stored, answered and published."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.integration.registration.conftest import Registration
from tests.integration.registration.people import person
from vaxflow_servicekit.testing import poll_until, read_topic

pytestmark = pytest.mark.stack


async def test_registration_publishes_citizen_registered_without_the_national_id(
    registration: Registration,
) -> None:
    body = person(relationship="self", full_name="Nguyễn  Văn   An")

    response = await registration.client.post(
        "/api/v1/citizens", json=body, headers=registration.citizen()
    )

    assert response.status_code == 201, response.text
    citizen = response.json()
    assert citizen["full_name"] == "Nguyễn Văn An"
    assert (citizen["family_name"], citizen["given_name"]) == ("Nguyễn", "Văn An")
    assert citizen["national_id"]["number"] == body["national_id"]
    assert citizen["national_id"]["masked"] == "********" + body["national_id"][-4:]
    [message] = await read_topic(registration.kafka, registration.topics.citizen, 1)
    assert message.event_type == "CitizenRegistered"
    assert str(message.payload.citizen_id) == citizen["citizen_id"]
    assert message.payload.holder.family_name_icao == "NGUYEN"
    assert message.payload.holder.given_name_icao == "VAN<AN"
    assert body["national_id"] not in message.model_dump_json()
    assert body["phone"][1:] not in message.model_dump_json()
    await poll_until(registration.pending_events, accept=lambda n: n == 0, what="empty outbox")


async def test_national_id_is_stored_only_as_blind_index_and_ciphertext(
    registration: Registration,
) -> None:
    body = person()
    await registration.client.post("/api/v1/citizens", json=body, headers=registration.citizen())

    [doc] = await registration.db["citizens"].find({}).to_list()

    stored = json.dumps(doc, default=str)
    assert body["national_id"] not in stored
    assert len(doc["national_id_index"]) == 64
    assert doc["national_id_sealed"].startswith("k1:")


async def test_second_registration_of_a_national_id_is_409_without_saying_whose(
    registration: Registration,
) -> None:
    body = person()
    first = await registration.client.post(
        "/api/v1/citizens", json=body, headers=registration.citizen()
    )
    other_name = body | {"full_name": "Trần Thị Bình", "phone": "0987654321"}

    second = await registration.client.post(
        "/api/v1/citizens", json=other_name, headers=registration.citizen()
    )

    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    problem = second.json()
    assert problem["type"].endswith("/national-id-registered")
    assert problem["recovery_url"].startswith("https://")
    assert first.json()["full_name"] not in second.text
    assert first.json()["citizen_id"] not in second.text
    assert await registration.db["citizens"].count_documents({}) == 1


async def test_every_invalid_field_is_named_and_nothing_is_stored(
    registration: Registration,
) -> None:
    body = person(
        national_id="079190001234",  # says born 1990, male
        date_of_birth="2095-01-01",
        phone="12345",
        address={"province_code": "79", "ward_code": "00070"},  # a Hà Nội ward
        priority_group=17,
    )

    response = await registration.client.post(
        "/api/v1/citizens", json=body, headers=registration.citizen()
    )

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "body.date_of_birth",
        "body.phone",
        "body.address.ward_code",
        "body.priority_group",
    }
    assert await registration.db["citizens"].count_documents({}) == 0
    assert await registration.db["account_places"].count_documents({}) == 0


async def test_cccd_inconsistent_with_birth_year_or_sex_is_refused(
    registration: Registration,
) -> None:
    body = person(national_id="079090001234", date_of_birth="1991-04-30", sex="male")

    response = await registration.client.post(
        "/api/v1/citizens", json=body, headers=registration.citizen()
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("body.national_id", "cccd_birth_year")


async def test_refused_consent_registers_nobody(registration: Registration) -> None:
    response = await registration.client.post(
        "/api/v1/citizens", json=person(consent=False), headers=registration.citizen()
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.consent"


async def test_a_phone_account_holds_at_most_six_people_even_under_concurrency(
    registration: Registration,
) -> None:
    headers = registration.citizen("acct-family-of-eight")
    bodies = [person() for _ in range(8)]

    responses = await asyncio.gather(
        *(registration.client.post("/api/v1/citizens", json=b, headers=headers) for b in bodies)
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 6 + [409] * 2
    refused = [r.json() for r in responses if r.status_code == 409]
    assert all(p["type"].endswith("/account-full") for p in refused)
    people = await registration.client.get("/api/v1/citizens/me/people", headers=headers)
    assert len(people.json()["items"]) == 6


async def test_an_account_registers_its_holder_once(registration: Registration) -> None:
    headers = registration.citizen()
    first = await registration.client.post(
        "/api/v1/citizens", json=person(relationship="self"), headers=headers
    )
    second = await registration.client.post(
        "/api/v1/citizens", json=person(relationship="self"), headers=headers
    )

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["type"].endswith("/account-holder-registered")


async def test_me_is_the_holder_and_family_members_are_read_by_id(
    registration: Registration,
) -> None:
    headers = registration.citizen()
    child = await registration.client.post("/api/v1/citizens", json=person(), headers=headers)
    holder = await registration.client.post(
        "/api/v1/citizens", json=person(relationship="self"), headers=headers
    )

    me = await registration.client.get("/api/v1/citizens/me", headers=headers)
    family = await registration.client.get(
        "/api/v1/citizens/me",
        params={"citizen_id": child.json()["citizen_id"]},
        headers=headers,
    )

    assert me.json()["citizen_id"] == holder.json()["citizen_id"]
    assert family.json()["citizen_id"] == child.json()["citizen_id"]
    assert family.json()["national_id"]["number"] is not None


async def test_a_citizen_cannot_read_or_change_another_accounts_citizen(
    registration: Registration,
) -> None:
    mine = registration.citizen()
    theirs = await registration.client.post(
        "/api/v1/citizens", json=person(), headers=registration.citizen()
    )
    their_id = theirs.json()["citizen_id"]

    read = await registration.client.get(
        "/api/v1/citizens/me", params={"citizen_id": their_id}, headers=mine
    )
    change = await registration.client.patch(
        "/api/v1/citizens/me",
        params={"citizen_id": their_id},
        json={"full_name": "Kẻ Mạo Danh", "reason": "takeover"},
        headers=mine,
    )
    book = await registration.client.get(
        "/api/v1/citizens/me/health-book", params={"citizen_id": their_id}, headers=mine
    )

    assert (read.status_code, change.status_code, book.status_code) == (404, 404, 404)
    [doc] = await registration.db["citizens"].find({"_id": their_id}).to_list()
    assert doc["full_name"] == theirs.json()["full_name"]


async def test_changing_the_name_is_recorded_and_published(registration: Registration) -> None:
    headers = registration.citizen()
    created = await registration.client.post(
        "/api/v1/citizens",
        json=person(relationship="self", full_name="Nguyễn Văn An"),
        headers=headers,
    )

    changed = await registration.client.patch(
        "/api/v1/citizens/me",
        json={"full_name": "Lê Thị Ánh", "reason": "Name on the ID card"},
        headers=headers,
    )

    assert changed.status_code == 200, changed.text
    assert (changed.json()["family_name"], changed.json()["version"]) == ("Lê", 2)
    messages = await read_topic(registration.kafka, registration.topics.citizen, 2)
    update = messages[1]
    assert update.event_type == "CitizenUpdated"
    assert set(update.payload.changed_fields) >= {"family_name", "given_name"}
    assert update.payload.holder.given_name_icao == "THI<ANH"
    [doc] = await registration.db["citizens"].find({"_id": created.json()["citizen_id"]}).to_list()
    [record] = doc["history"]
    assert record["reason"] == "Name on the ID card"
    assert record["changes"]["family_name"]["to"] == "Lê"


async def test_a_phone_change_is_recorded_but_not_published(registration: Registration) -> None:
    headers = registration.citizen()
    await registration.client.post(
        "/api/v1/citizens", json=person(relationship="self"), headers=headers
    )

    changed = await registration.client.patch(
        "/api/v1/citizens/me",
        json={"phone": "+84 912 000 111", "reason": "New SIM"},
        headers=headers,
    )

    assert changed.json()["phone"] == "+84912000111"
    await poll_until(registration.pending_events, accept=lambda n: n == 0, what="empty outbox")
    messages = await read_topic(registration.kafka, registration.topics.citizen, 1)
    assert [m.event_type for m in messages] == ["CitizenRegistered"]


async def test_a_change_breaking_the_cccd_consistency_is_refused(
    registration: Registration,
) -> None:
    headers = registration.citizen()
    await registration.client.post(
        "/api/v1/citizens",
        json=person(
            relationship="self", date_of_birth="1990-04-30", national_id="079090001234", sex="male"
        ),
        headers=headers,
    )

    changed = await registration.client.patch(
        "/api/v1/citizens/me",
        json={"date_of_birth": "1989-04-30", "reason": "wrong year"},
        headers=headers,
    )

    assert changed.status_code == 422
    assert changed.json()["errors"][0]["rule"] == "cccd_birth_year"


async def test_staff_tokens_cannot_register_and_citizen_tokens_cannot_look_up(
    registration: Registration,
) -> None:
    staff = await registration.client.post(
        "/api/v1/citizens", json=person(), headers=registration.staff("admin")
    )
    lookup = await registration.client.get(
        "/api/v1/citizens/7d0f6b1e-3f57-4a53-9c1a-2f4f4bb3a001",
        params={"reason": "curious"},
        headers=registration.citizen(),
    )
    anonymous = await registration.client.get("/api/v1/citizens/me")

    assert (staff.status_code, lookup.status_code, anonymous.status_code) == (403, 403, 401)
