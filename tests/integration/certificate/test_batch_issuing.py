"""Certificates issued from batches of DoseAdministered: one per dose under redelivery, in
order with corrections, and after a crash between the effects and the offsets' commit."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY as METRICS
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_certificate.handlers.components import Components
from vaxflow_certificate.handlers.issuing import (
    issue_certificate_when_dose_administered,
    issue_certificates_when_doses_administered,
)

from tests.integration.certificate.conftest import Certificates, IdleCertificates, dose
from vaxflow_events import CertificateIssued, DoseAdministered, DoseCorrected, Envelope
from vaxflow_events.examples import EXAMPLES
from vaxflow_servicekit.faultpoints import CRASH_STATUS
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.testing import poll_until, read_topic

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[3]
ERRORS = "vaxflow_kafka_consume_errors_total"


def correction_of(administered: DoseAdministered, lot: str) -> DoseCorrected:
    """A DoseCorrected of this dose, changing its lot number."""
    return EXAMPLES["DoseCorrected"].model_copy(
        update={
            "dose_id": administered.dose_id,
            "citizen_id": administered.citizen_id,
            "site_id": administered.site_id,
            "holder": administered.holder,
            "previous": administered.vaccination,
            "current": administered.vaccination.model_copy(update={"lot_number": lot}),
        }
    )


def failed_batches(c: IdleCertificates) -> float:
    """Handler failures the dose consumer counted (a failed batch counts one)."""
    labels = {"group": c.settings.dose_group, "topic": c.topics.dose}
    kinds = ("permanent", "transient", "unknown")
    return sum(METRICS.get_sample_value(ERRORS, labels | {"kind": k}) or 0.0 for k in kinds)


async def files_of(db: AsyncDatabase[Document]) -> dict[str, Document]:
    """Every dose file, by dose id."""
    return {d["_id"]: d async for d in db["dose_files"].find({})}


async def issued_on_topic(c: Certificates, count: int) -> dict[str, set[str]]:
    """The certificate ids CertificateIssued announced, by dose, among the first `count` events."""
    events = await read_topic(c.kafka, c.topics.certificate, count)
    by_dose: dict[str, set[str]] = {}
    for e in events:
        if isinstance(e.payload, CertificateIssued):
            by_dose.setdefault(str(e.payload.dose_id), set()).add(str(e.payload.certificate_id))
    return by_dose


async def test_a_batch_with_redeliveries_issues_one_certificate_per_dose(
    idle_certificates: IdleCertificates,
) -> None:
    c = idle_certificates
    components = Components.on(c.db, c.settings, c.keys, certificate_topic=c.topics.certificate)
    doses = [
        Envelope.new(dose(uuid.uuid4()), producer="injection") for _ in range(12)
    ]  # one already issued singly, before the batch, as a crash may leave it
    await issue_certificate_when_dose_administered(doses[0].payload, doses[0], components)

    await issue_certificates_when_doses_administered([*doses, *doses[3:8], doses[0]], components)
    await issue_certificates_when_doses_administered(doses[5:], components)  # redelivered

    files = await files_of(c.db)
    assert set(files) == {str(e.payload.dose_id) for e in doses}
    for f in files.values():
        assert (f["revision"], f["revoked"], len(f["outbox"])) == (1, [], 1)
        assert f["current"]["status"] == "valid"
    ids = {d["_id"]: d["dose_id"] async for d in c.db["certificate_ids"].find({})}
    assert ids == {f["current"]["certificate_id"]: dose_id for dose_id, f in files.items()}


async def test_a_batch_mixing_doses_and_a_correction_ends_with_the_corrected_certificate(
    idle_certificates: IdleCertificates,
) -> None:
    c = idle_certificates
    citizen = uuid.uuid4()
    first, second, third = (dose(citizen, dose_number=n) for n in (1, 2, 3))
    await c.publish([first, second])
    [correction] = await c.publish([correction_of(first, "FF9999")])
    await c.publish([third, first])  # the last one redelivered, after its correction

    async with c.started() as running:
        by_dose = await issued_on_topic(running, 5)
        files = await poll_until(
            lambda: files_of(c.db), accept=lambda f: len(f) == 3, what="three dose files"
        )
    assert failed_batches(c) == 0
    corrected = files[str(first.dose_id)]
    assert corrected["current"]["status"] == "valid"
    assert corrected["applied"] == [str(correction.event_id)]
    [revoked] = corrected["revoked"]
    assert corrected["current"]["replaces"] == revoked["certificate_id"]
    assert revoked["revocation_reason"] == "dose_corrected"
    assert by_dose[str(first.dose_id)] == {
        revoked["certificate_id"],
        corrected["current"]["certificate_id"],
    }
    for other in (second, third):
        assert files[str(other.dose_id)]["revision"] == 1
        assert files[str(other.dose_id)]["revoked"] == []


async def run_worker(c: IdleCertificates, faults: str = "") -> asyncio.subprocess.Process:
    """The service's worker role in a process of its own, with these fault points."""
    env = {**os.environ, "VAXFLOW_FAULT_POINTS": faults}
    s = c.settings
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.certificate.worker_process",
        "--database", c.db.name,
        "--key-dir", str(s.key_dir),
        "--dose-group", s.dose_group,
        "--holder-group", s.holder_group,
        "--topics", json.dumps(dataclasses.asdict(c.topics)),
        cwd=ROOT,
        env=env,
    )  # fmt: skip


async def test_a_crash_between_the_effects_and_the_commit_redelivers_without_duplicates(
    idle_certificates: IdleCertificates,
) -> None:
    c = idle_certificates
    doses = [dose(uuid.uuid4()) for _ in range(30)]
    await c.publish(doses)

    crashed = await run_worker(c, faults="consumer.after_effect=crash:1")
    assert await asyncio.wait_for(crashed.wait(), timeout=120) == CRASH_STATUS
    before: dict[str, Any] = {
        dose_id: f["current"]["certificate_id"] for dose_id, f in (await files_of(c.db)).items()
    }
    assert before, "the crash should come after a batch's effects"

    async with c.started() as running:
        by_dose = await issued_on_topic(running, len(doses))
        files = await poll_until(
            lambda: files_of(c.db), accept=lambda f: len(f) == len(doses), what="every file"
        )
    assert failed_batches(c) == 0
    assert set(by_dose) == {str(d.dose_id) for d in doses}
    for dose_id, f in files.items():
        assert f["revision"] == 1
        assert by_dose[dose_id] == {f["current"]["certificate_id"]}
    assert {d: files[d]["current"]["certificate_id"] for d in before} == before
    assert await c.db["certificate_ids"].count_documents({}) == len(doses)
