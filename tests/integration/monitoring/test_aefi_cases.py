"""AEFI cases on the real stack: opened from serious observations and from reports, read by
those who may, moved through their workflow, each change published through the outbox.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.monitoring.conftest import OTHER_SITE, Monitoring
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def test_a_serious_observation_opens_one_case_even_when_delivered_twice(
    monitoring: Monitoring,
) -> None:
    citizen_id = await monitoring.register(f"acc_{uuid.uuid4().hex}")
    await monitoring.receive("OBS1")
    dose = await monitoring.dose(citizen_id, "OBS1")
    observation = monitoring.serious_observation(dose)

    await monitoring.publish(observation, observation)

    async def cases() -> list[dict[str, Any]]:
        page = await monitoring.client.get(
            "/api/v1/aefi",
            params={"lot_id": str(dose.vaccination.lot_id)},
            headers=monitoring.staff(),
        )
        return list(page.json()["items"])

    [case] = await poll_until(cases, accept=lambda found: len(found) == 1, what="the case")
    assert case["source"] == "site_observation"
    assert case["serious"] is True
    assert case["seriousness"] == ["life_threatening"]
    assert case["symptom_codes"] == ["anaphylaxis"]
    assert case["dose_id"] == str(dose.dose_id)
    [reported] = await monitoring.published(monitoring.topics.aefi, 1)
    assert reported.event_type == "AefiReported"
    assert str(reported.payload.aefi_id) == case["aefi_id"]
    assert reported.payload.observation_id == observation.observation_id
    # The redelivery opened nothing more.
    assert await monitoring.db["aefi_cases"].count_documents({}) == 1


async def test_a_citizen_reports_about_their_own_dose_and_nobody_else_may(
    monitoring: Monitoring,
) -> None:
    account = f"acc_{uuid.uuid4().hex}"
    citizen_id = await monitoring.register(account)
    other_id = await monitoring.register(f"acc_{uuid.uuid4().hex}")
    await monitoring.receive("OWN1")
    dose = await monitoring.dose(citizen_id, "OWN1")
    others = await monitoring.dose(other_id, "OWN1")
    given = dose.vaccination.administered_at
    body = {
        "dose_id": str(dose.dose_id),
        "onset_at": (given + timedelta(hours=1)).isoformat(),
        "symptom_codes": ["fever", "myalgia"],
        "severity": "moderate",
        "outcome": "recovering",
        "description": "Fever of 38.5 in the evening.",
    }
    me = monitoring.citizen(account)

    made = await monitoring.client.post("/api/v1/aefi", json=body, headers=me)
    not_mine = await monitoring.client.post(
        "/api/v1/aefi", json=body | {"dose_id": str(others.dose_id)}, headers=me
    )
    too_early = await monitoring.client.post(
        "/api/v1/aefi",
        json=body | {"onset_at": (given - timedelta(hours=1)).isoformat()},
        headers=me,
    )
    future = await monitoring.client.post(
        "/api/v1/aefi",
        json=body | {"onset_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()},
        headers=me,
    )
    unknown_lot = await monitoring.client.post(
        "/api/v1/aefi",
        json={k: v for k, v in body.items() if k != "dose_id"}
        | {"lot_id": str(uuid.uuid4()), "citizen_id": str(citizen_id)},
        headers=me,
    )

    assert made.status_code == 201, made.text
    case = made.json()
    assert (case["source"], case["status"], case["serious"]) == (
        "citizen_report",
        "reported",
        False,
    )
    assert not_mine.status_code == 403
    assert not_mine.json()["errors"][0]["rule"] == "dose_out_of_scope"
    assert too_early.status_code == 422
    assert too_early.json()["errors"][0] == {
        "field": "body.onset_at",
        "rule": "onset_before_dose",
        "message": too_early.json()["errors"][0]["message"],
    }
    assert future.status_code == 422
    assert future.json()["errors"][0]["rule"] == "onset_in_future"
    assert unknown_lot.status_code == 422
    assert unknown_lot.json()["errors"][0]["rule"] == "unknown_lot"
    # Only the accepted report changed anything.
    assert await monitoring.db["aefi_cases"].count_documents({}) == 1
    path = f"/api/v1/aefi/{case['aefi_id']}"
    assert (await monitoring.client.get(path, headers=me)).status_code == 200
    stranger = monitoring.citizen(f"acc_{uuid.uuid4().hex}")
    assert (await monitoring.client.get(path, headers=stranger)).status_code == 404
    elsewhere = monitoring.staff("vaccinator", site_id=str(OTHER_SITE))
    assert (await monitoring.client.get(path, headers=elsewhere)).status_code == 404
    district = monitoring.staff("district_admin", district="760")
    assert (await monitoring.client.get(path, headers=district)).status_code == 200


async def test_a_case_is_investigated_classified_and_closed_in_that_order(
    monitoring: Monitoring,
) -> None:
    citizen_id = await monitoring.register(f"acc_{uuid.uuid4().hex}")
    await monitoring.receive("FLOW1")
    dose = await monitoring.dose(citizen_id, "FLOW1")
    body = {
        "dose_id": str(dose.dose_id),
        "onset_at": (dose.vaccination.administered_at + timedelta(minutes=20)).isoformat(),
        "symptom_codes": ["syncope"],
        "severity": "moderate",
        "outcome": "recovered",
    }
    vaccinator = monitoring.staff("vaccinator")
    made = await monitoring.client.post("/api/v1/aefi", json=body, headers=vaccinator)
    assert made.status_code == 201, made.text
    assert made.json()["source"] == "staff_report"
    path = f"/api/v1/aefi/{made.json()['aefi_id']}"
    operator = monitoring.staff()
    classification = {"causality": "a4_immunization_anxiety", "note": "Fainted in the queue."}

    early = await monitoring.client.post(
        f"{path}/classification", json=classification, headers=operator
    )
    by_vaccinator = await monitoring.client.post(
        f"{path}/investigation", json={}, headers=vaccinator
    )
    investigating = await monitoring.client.post(f"{path}/investigation", json={}, headers=operator)
    classified = await monitoring.client.post(
        f"{path}/classification", json=classification, headers=operator
    )
    closed = await monitoring.client.post(f"{path}/closure", json={}, headers=operator)
    again = await monitoring.client.post(f"{path}/closure", json={}, headers=operator)

    assert early.status_code == 409
    assert early.json()["errors"][0]["rule"] == "wrong_transition"
    assert by_vaccinator.status_code == 403
    assert investigating.json()["status"] == "investigating"
    assert classified.json()["causality"] == "a4_immunization_anxiety"
    assert closed.json()["status"] == "closed"
    assert [h["action"] for h in closed.json()["history"]] == [
        "report",
        "investigate",
        "classify",
        "close",
    ]
    assert again.status_code == 409
    events = await monitoring.published(monitoring.topics.aefi, 2)
    assert [e.event_type for e in events] == ["AefiReported", "AefiClassified"]
    assert events[1].payload.causality.value == "a4_immunization_anxiety"
