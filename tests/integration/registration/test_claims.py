"""A person registered by an organisation's import claims their record from their own phone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.registration.conftest import Registration
from tests.integration.registration.people import csv_file, person
from tests.integration.registration.test_imports import finished, upload
from vaxflow_servicekit.testing import read_topic

pytestmark = pytest.mark.stack

CLAIMS = "/api/v1/citizens/claims"


def claim_of(someone: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The claim naming this person's document and birth date."""
    body = {
        "relationship": "self",
        "id_type": someone["id_type"],
        "national_id": someone["national_id"],
        "date_of_birth": someone["date_of_birth"],
        "consent": True,
    }
    return body | changes


async def imported(registration: Registration, people: list[dict[str, Any]]) -> None:
    response = await upload(registration, csv_file(people))
    assert (await finished(registration, response.headers["location"]))["state"] == "completed"


async def test_the_account_that_names_the_document_and_birth_date_gets_the_record(
    registration: Registration,
) -> None:
    lan = person()
    await imported(registration, [lan])
    await read_topic(registration.kafka, registration.topics.citizen, 1)  # CitizenRegistered
    account = "acc_lan_phone"
    headers = registration.citizen(account)

    response = await registration.client.post(CLAIMS, json=claim_of(lan), headers=headers)

    assert response.status_code == 200, response.text
    claimed = response.json()
    assert claimed["national_id"]["number"] == lan["national_id"]  # the owner sees it whole
    people = await registration.client.get("/api/v1/citizens/me/people", headers=headers)
    assert [p["citizen_id"] for p in people.json()["items"]] == [claimed["citizen_id"]]
    events = await read_topic(registration.kafka, registration.topics.citizen, 2)
    update = events[-1].payload
    assert (update.event_type, str(update.citizen_id)) == ("CitizenUpdated", claimed["citizen_id"])
    assert (update.account_id, update.changed_fields) == (account, ())


async def test_every_failed_claim_looks_the_same_and_changes_nothing(
    registration: Registration,
) -> None:
    imported_person, self_registered = person(), person(relationship="self")
    await imported(registration, [imported_person])
    owner = registration.citizen()
    created = await registration.client.post(
        "/api/v1/citizens", json=self_registered, headers=owner
    )
    assert created.status_code == 201
    first = registration.citizen()
    assert (
        await registration.client.post(CLAIMS, json=claim_of(imported_person), headers=first)
    ).status_code == 200
    other = registration.citizen()

    refusals = [
        await registration.client.post(CLAIMS, json=body, headers=other)
        for body in (
            claim_of(imported_person),  # already claimed
            claim_of(self_registered),  # registered from a phone, never unclaimed
            claim_of(person()),  # nobody
        )
    ]

    assert [r.status_code for r in refusals] == [404, 404, 404]
    assert len({r.json()["detail"] for r in refusals}) == 1
    mine = await registration.client.get("/api/v1/citizens/me/people", headers=other)
    assert mine.json()["items"] == []


async def test_a_wrong_birth_date_fails_and_guesses_are_limited_per_day(
    registration: Registration,
) -> None:
    hoa = person()
    await imported(registration, [hoa])
    guesser = registration.citizen()
    limit = registration.settings.max_claim_failures_per_day
    born = date.fromisoformat(hoa["date_of_birth"])

    wrong = [
        await registration.client.post(
            CLAIMS,
            json=claim_of(hoa, date_of_birth=(born + timedelta(days=day)).isoformat()),
            headers=guesser,
        )
        for day in range(1, 1 + limit)
    ]
    right_but_too_late = await registration.client.post(CLAIMS, json=claim_of(hoa), headers=guesser)

    assert [r.status_code for r in wrong] == [404] * limit
    assert right_but_too_late.status_code == 429
    assert int(right_but_too_late.headers["retry-after"]) > 0
    fresh = await registration.client.post(
        CLAIMS, json=claim_of(hoa), headers=registration.citizen()
    )
    assert fresh.status_code == 200


async def test_a_malformed_claim_names_the_field(registration: Registration) -> None:
    response = await registration.client.post(
        CLAIMS,
        json=claim_of(person(), national_id="12ab", consent=True),
        headers=registration.citizen(),
    )

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["body.national_id"]
