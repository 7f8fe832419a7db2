"""Certificates issued from real DoseAdministered events, corrected and voided ones revoked."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from vaxflow_certificate.domain.verifier import Verifier

from tests.integration.certificate.conftest import Certificates, dose
from vaxflow_events import CertificateIssued, CertificateRevoked, DoseKind
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.testing import poll_until, read_topic

pytestmark = pytest.mark.stack


async def _settled(certificates: Certificates) -> None:
    """Wait until the relay has published every pending event."""
    await poll_until(
        lambda: certificates.db["dose_files"].count_documents({"outbox_pending": True}),
        accept=lambda n: n == 0,
        what="outbox drained",
    )


async def test_a_dose_gets_one_signed_certificate_even_when_redelivered(
    certificates: Certificates,
) -> None:
    citizen, account = uuid.uuid4(), f"acc_{uuid.uuid4().hex[:12]}"
    await certificates.registered(citizen, account)
    event = dose(citizen, dose_number=1, series_doses=2)
    [sent] = await certificates.publish([event], twice=True)

    [mine] = await certificates.wait_mine(account, 1)
    assert (mine["level"], mine["status"], mine["dose_id"]) == (
        "partial",
        "valid",
        str(event.dose_id),
    )
    outcome = Verifier.trusting(certificates.keys.trusted).verify(mine["hc1"], datetime.now(UTC))
    assert outcome.valid
    assert outcome.verified is not None
    assert outcome.verified.dcc["nam"]["fn"] == event.holder.family_name
    assert outcome.verified.dcc["v"][0]["ci"] == mine["uvci"]

    [issued] = await read_topic(certificates.kafka, certificates.topics.certificate, 1)
    await _settled(certificates)
    await asyncio.sleep(0.5)
    assert await certificates.db["dose_files"].count_documents({}) == 1
    assert isinstance(issued.payload, CertificateIssued)
    assert issued.payload.certificate_id == uuid.UUID(mine["id"])
    assert issued.causation_id == str(sent.event_id)
    assert issued.correlation_id == sent.correlation_id
    assert len(await read_topic(certificates.kafka, certificates.topics.certificate, 1)) == 1


@pytest.mark.parametrize(
    ("number", "series", "kind", "level"),
    [(2, 2, DoseKind.PRIMARY, "complete"), (3, 2, DoseKind.BOOSTER, "booster")],
)
async def test_the_level_follows_the_primary_series(
    certificates: Certificates, number: int, series: int, kind: DoseKind, level: str
) -> None:
    citizen, account = uuid.uuid4(), f"acc_{uuid.uuid4().hex[:12]}"
    await certificates.registered(citizen, account)
    await certificates.publish(
        [dose(citizen, dose_number=number, series_doses=series, dose_kind=kind)]
    )
    [mine] = await certificates.wait_mine(account, 1)
    assert mine["level"] == level


async def test_a_correction_revokes_and_reissues(certificates: Certificates) -> None:
    citizen, account = uuid.uuid4(), f"acc_{uuid.uuid4().hex[:12]}"
    await certificates.registered(citizen, account)
    administered = dose(citizen)
    await certificates.publish([administered])
    [first] = await certificates.wait_mine(account, 1)

    corrected = EXAMPLES["DoseCorrected"].model_copy(
        update={
            "dose_id": administered.dose_id,
            "citizen_id": citizen,
            "site_id": administered.site_id,
            "holder": administered.holder,
            "previous": administered.vaccination,
            "current": administered.vaccination.model_copy(update={"lot_number": "FF9999"}),
        }
    )
    await certificates.publish([corrected], twice=True)
    [second] = await poll_until(
        lambda: certificates.mine(account),
        accept=lambda items: len(items) == 1 and items[0]["id"] != first["id"],
        what="the reissued certificate",
    )
    assert second["replaces"] == first["id"]

    events = await read_topic(certificates.kafka, certificates.topics.certificate, 3)
    await _settled(certificates)
    kinds = [type(e.payload).__name__ for e in events]
    assert kinds == ["CertificateIssued", "CertificateRevoked", "CertificateIssued"]
    revoked = events[1].payload
    assert isinstance(revoked, CertificateRevoked)
    assert revoked.reason.value == "dose_corrected"

    old = await certificates.client.get(
        f"/api/v1/certificates/{first['id']}", headers=certificates.citizen(account)
    )
    assert old.json()["status"] == "revoked"
    verdicts = [
        (
            await certificates.client.post("/api/v1/certificates/verify", json={"qr": c["hc1"]})
        ).json()
        for c in (first, second)
    ]
    assert [(v["valid"], v["reason"]) for v in verdicts] == [(False, "revoked"), (True, None)]
    listed = (await certificates.client.get("/api/v1/revocations")).json()
    assert len(listed["items"]) == 1


async def test_a_void_revokes_without_reissue(certificates: Certificates) -> None:
    citizen, account = uuid.uuid4(), f"acc_{uuid.uuid4().hex[:12]}"
    await certificates.registered(citizen, account)
    administered = dose(citizen)
    await certificates.publish([administered])
    [first] = await certificates.wait_mine(account, 1)

    voided = EXAMPLES["DoseVoided"].model_copy(
        update={
            "dose_id": administered.dose_id,
            "citizen_id": citizen,
            "site_id": administered.site_id,
            "vaccination": administered.vaccination,
        }
    )
    await certificates.publish([voided])
    await certificates.wait_mine(account, 0)
    events = await read_topic(certificates.kafka, certificates.topics.certificate, 2)
    assert isinstance(events[1].payload, CertificateRevoked)
    assert events[1].payload.certificate_id == uuid.UUID(first["id"])
    # A late redelivery of the dose does not bring the certificate back.
    await certificates.publish([administered])
    await asyncio.sleep(1.0)
    assert await certificates.mine(account) == []
