"""Observation, corrections, voids, offline upload and reading doses, on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle

from tests.integration.injection.conftest import COMIRNATY, Injection, events_of

pytestmark = pytest.mark.stack


async def test_a_serious_reaction_completes_the_observation_as_serious_without_an_aefi_event(
    injection: Injection,
) -> None:
    citizen_id = await injection.ready_citizen()
    dose_id = (await injection.dose(citizen_id)).json()["dose_id"]
    body = {
        "dose_id": dose_id,
        "observed_minutes": 30,
        "reactions": [{"code": "anaphylaxis", "severity": "severe", "onset_minutes": 6}],
    }

    observed = await injection.client.post(
        "/api/v1/observations", json=body, headers=injection.staff()
    )
    again = await injection.client.post(
        "/api/v1/observations", json=body, headers=injection.staff()
    )

    assert observed.status_code == 201, observed.text
    assert observed.json()["serious"] is True
    assert observed.json()["seriousness"] == ["life_threatening"]
    assert again.status_code == 409
    envelopes = await injection.published(3)
    (completed,) = events_of(envelopes, "ObservationCompleted")
    assert completed.serious
    assert str(completed.dose_id) == dose_id
    assert not events_of(envelopes, "AefiReported")


async def test_an_unknown_reaction_code_is_refused(injection: Injection) -> None:
    citizen_id = await injection.ready_citizen()
    dose_id = (await injection.dose(citizen_id)).json()["dose_id"]
    body = {
        "dose_id": dose_id,
        "reactions": [{"code": "hiccups", "severity": "mild", "onset_minutes": 1}],
    }

    response = await injection.client.post(
        "/api/v1/observations", json=body, headers=injection.staff()
    )

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "body.reactions.0.code",
        "rule": "unknown_reaction",
        "message": "Not a code of the reaction list.",
    }


async def test_a_correction_is_a_new_fact_and_a_voided_dose_cannot_be_corrected(
    injection: Injection,
) -> None:
    citizen_id = await injection.ready_citizen()
    await injection.stock("FF2588")
    dose_id = (await injection.dose(citizen_id)).json()["dose_id"]
    manager = injection.staff("site_manager")
    correction = {"lot_number": "FF2588", "reason": "Lot typed from the wrong tray."}

    by_vaccinator = await injection.client.post(
        f"/api/v1/doses/{dose_id}/corrections", json=correction, headers=injection.staff()
    )
    corrected = await injection.client.post(
        f"/api/v1/doses/{dose_id}/corrections", json=correction, headers=manager
    )
    voided = await injection.client.post(
        f"/api/v1/doses/{dose_id}/void",
        json={"reason": "duplicate_record", "note": "Recorded twice at the desk."},
        headers=manager,
    )
    after_void = await injection.client.post(
        f"/api/v1/doses/{dose_id}/corrections",
        json={"lot_number": "FF2587", "reason": "Back to the first lot."},
        headers=manager,
    )

    assert by_vaccinator.status_code == 403
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["lot_number"] == "FF2588"
    assert voided.json()["status"] == "voided"
    assert [c["kind"] for c in voided.json()["changes"]] == ["correction", "void"]
    assert after_void.status_code == 409
    assert after_void.json()["type"].endswith("/dose-voided")
    stored = await injection.db["doses"].find_one({"_id": dose_id})
    assert stored is not None
    assert stored["original"]["lot_number"] == "FF2587"
    envelopes = await injection.published(4)
    (change,) = events_of(envelopes, "DoseCorrected")
    assert (change.previous.lot_number, change.current.lot_number) == ("FF2587", "FF2588")
    (void,) = events_of(envelopes, "DoseVoided")
    assert void.vaccination.lot_number == "FF2588"


async def test_a_voided_dose_frees_its_number_for_the_next_record(injection: Injection) -> None:
    citizen_id = await injection.ready_citizen()
    first = (await injection.dose(citizen_id)).json()["dose_id"]
    await injection.client.post(
        f"/api/v1/doses/{first}/void",
        json={"reason": "wrong_citizen", "note": "Scanned the wrong QR code."},
        headers=injection.staff("site_manager"),
    )

    second = await injection.dose(citizen_id)

    assert second.status_code == 201, second.text
    assert second.json()["dose_number"] == 1
    assert second.json()["dose_id"] != first


async def test_an_offline_upload_is_idempotent_reports_each_record_and_keeps_capture_order(
    injection: Injection,
) -> None:
    first = await injection.ready_citizen()
    second = await injection.ready_citizen()
    now = datetime.now(UTC)

    def record(
        client_id: str, citizen: uuid.UUID, minutes_ago: int, lot: str = "FF2587"
    ) -> dict[str, str]:
        return {
            "client_id": client_id,
            "captured_at": (now - timedelta(minutes=minutes_ago)).isoformat(),
            "citizen_id": str(citizen),
            "product_code": COMIRNATY,
            "lot_number": lot,
            "body_site": "right_deltoid",
        }

    # Uploaded later-first: the earlier capture of `first` must be the one recorded.
    records = [
        record("dev1-2", first, 5),
        record("dev1-1", first, 20),
        record("dev1-3", second, 10, lot="NOPE01"),
    ]
    upload = await injection.client.post(
        "/api/v1/doses/batch", json={"records": records}, headers=injection.staff()
    )
    again = await injection.client.post(
        "/api/v1/doses/batch", json={"records": records[1:2]}, headers=injection.staff()
    )

    assert upload.status_code == 200, upload.text
    results = upload.json()["results"]
    assert [r["client_id"] for r in results] == ["dev1-2", "dev1-1", "dev1-3"]
    assert [r["status"] for r in results] == ["refused", "recorded", "refused"]
    assert results[0]["problem"]["errors"][0]["rule"] == "interval_not_met"
    assert results[2]["problem"]["errors"][0]["rule"] == "lot_not_at_site"
    assert again.json()["results"][0] == results[1] | {"status": "already_recorded"}
    assert await injection.db["doses"].count_documents({}) == 1
    (administered,) = events_of(await injection.published(3), "DoseAdministered")
    assert administered.captured_offline is True


async def test_staff_in_scope_and_the_citizen_read_the_doses_and_others_get_404(
    injection: Injection,
) -> None:
    citizen_id = await injection.ready_citizen()
    await injection.dose(citizen_id)
    path = f"/api/v1/citizens/{citizen_id}/doses"

    own_site = await injection.client.get(path, headers=injection.staff())
    district = await injection.client.get(
        path, headers=injection.staff("district_admin", district="760")
    )
    other_site = await injection.client.get(
        path, headers=injection.staff(site_id=str(uuid.uuid4()))
    )
    other_district = await injection.client.get(
        path, headers=injection.staff("district_admin", district="770")
    )
    stranger = await injection.client.get(path, headers=injection.issuer.bearer(subject="acc_x"))

    assert own_site.status_code == 200
    assert [d["dose_number"] for d in own_site.json()["items"]] == [1]
    assert district.status_code == 200
    assert (other_site.status_code, other_district.status_code, stranger.status_code) == (
        404,
        404,
        404,
    )
    audit = await injection.db["staff_reads"].count_documents({"citizen_id": str(citizen_id)})
    assert audit == 4


async def test_the_fhir_endpoint_answers_a_valid_r4_bundle_of_immunizations(
    injection: Injection,
) -> None:
    account = f"acc_{uuid.uuid4().hex}"
    citizen_id = await injection.register(account=account)
    await injection.check_in(citizen_id)
    await injection.stock("FF2587")
    await injection.screen(citizen_id)
    dose = (await injection.dose(citizen_id)).json()

    response = await injection.client.get(
        "/api/v1/fhir/Immunization",
        params={"patient": str(citizen_id)},
        headers=injection.issuer.bearer(subject=account, role="citizen"),
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset"
    assert bundle.total == 1
    immunization = bundle.entry[0].resource
    assert immunization.status == "completed"
    assert immunization.vaccineCode.coding[0].code == COMIRNATY
    assert immunization.patient.reference == f"Patient/{citizen_id}"
    assert immunization.lotNumber == "FF2587"
    assert str(immunization.expirationDate) == dose["expiry_date"]
    assert immunization.protocolApplied[0].doseNumberPositiveInt == 1
    assert immunization.site.coding[0].code == "368208006"
