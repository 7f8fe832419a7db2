"""Reactions to the dose stream: issue on DoseAdministered, reissue or revoke on corrections.

Every effect is idempotent. The dose file's id is the dose id, so a redelivered
DoseAdministered finds its certificate there; corrections and voids are remembered in the
file by event id. The file and its events are one write; the id index and the revocation
list follow from the file and are written again on every delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid5

from vaxflow_certificate import metrics
from vaxflow_certificate.domain.issuing import Issued, issue
from vaxflow_certificate.domain.payload import Dose, PayloadError, Person
from vaxflow_certificate.domain.records import CertificateRecord, DoseFile, SiteOfDose
from vaxflow_certificate.domain.signers import SignerError
from vaxflow_certificate.handlers.components import Components
from vaxflow_events import (
    CertificateIssued,
    CertificateRevoked,
    DoseAdministered,
    DoseCorrected,
    DoseKind,
    DoseVoided,
    Envelope,
    Holder,
    RevocationReason,
    Vaccination,
)
from vaxflow_servicekit.consumer import PermanentError, TransientError
from vaxflow_servicekit.mongo import Document

_IDS = UUID("6f0b6a36-9a3e-4c55-a7a5-3c2d8f1e4b70")
_ATTEMPTS = 5


def person_of(holder: Holder) -> Person:
    """The holder as the DCC names them."""
    return Person(
        family_name=holder.family_name,
        given_name=holder.given_name,
        family_name_icao=holder.family_name_icao,
        given_name_icao=holder.given_name_icao,
        date_of_birth=holder.date_of_birth,
    )


def dose_of(v: Vaccination) -> Dose:
    """The vaccination facts the DCC states."""
    return Dose(
        product=v.product_code,
        manufacturer=v.manufacturer_code,
        prophylaxis=v.vaccine_type_code,
        disease=v.target_disease_code,
        dose_number=v.dose_number,
        series_doses=v.series_doses,
        administered_on=v.administered_on,
    )


def _sign(holder: Holder, v: Vaccination, certificate_id: UUID, c: Components) -> Issued:
    try:
        return issue(
            person_of(holder),
            dose_of(v),
            booster=v.dose_kind is DoseKind.BOOSTER,
            certificate_id=certificate_id,
            signer=c.signer(),
            now=c.now(),
            policy=c.policy,
        )
    except PayloadError as exc:
        raise PermanentError(f"the dose cannot make a valid DCC: {exc}") from None
    except SignerError as exc:
        raise TransientError(str(exc)) from None


def _issued_event(record: CertificateRecord) -> CertificateIssued:
    return CertificateIssued(
        certificate_id=record.certificate_id,
        uvci=record.uvci,
        citizen_id=record.citizen_id,
        dose_id=record.dose_id,
        level=record.level,
        dose_number=record.dose_number,
        series_doses=record.series_doses,
        issued_at=record.issued_at,
        expires_at=record.expires_at,
        signer_kid=record.kid,
        replaces_certificate_id=record.replaces,
    )


def _revoked_event(record: CertificateRecord) -> CertificateRevoked:
    assert record.revocation_reason is not None
    return CertificateRevoked(
        certificate_id=record.certificate_id,
        uvci=record.uvci,
        citizen_id=record.citizen_id,
        dose_id=record.dose_id,
        reason=record.revocation_reason,
    )


async def _settle(file: DoseFile, c: Components) -> None:
    """Write what follows from the stored file: the id index and the revocation list."""
    await c.doses.index(file)
    await c.revocations.record(file.revoked)
    c.events_written()


def _new_file(
    event: DoseAdministered, envelope: Envelope[Any], c: Components
) -> tuple[DoseFile, list[Document]]:
    """The dose's file with its first certificate, signed, and the event announcing it."""
    certificate_id = uuid5(_IDS, f"{event.dose_id}:{envelope.event_id}")
    issued = _sign(event.holder, event.vaccination, certificate_id, c)
    record = CertificateRecord.of(issued, dose_id=event.dose_id, citizen_id=event.citizen_id)
    area = event.site_area
    site = SiteOfDose(event.site_id, area.district_code, area.province_code)
    file = DoseFile(event.dose_id, event.citizen_id, site, record, revision=1)
    return file, [c.outbox(_issued_event(record), envelope)]


async def issue_certificate_when_dose_administered(
    event: DoseAdministered, envelope: Envelope[Any], c: Components
) -> None:
    """Issue the dose's certificate, unless it already has a file."""
    stored = await c.doses.get(event.dose_id)
    if stored is not None:
        await _settle(stored, c)  # a redelivery: finish what a crash may have left undone
        return
    file, events = _new_file(event, envelope, c)
    await c.doses.index(file)
    if await c.doses.create(file, events, c.now()):
        c.events_written()
        _count_new(file, envelope, c)
    else:
        await _settle_stored(event.dose_id, c)


async def issue_certificates_when_doses_administered(
    envelopes: Sequence[Envelope[Any]], c: Components
) -> None:
    """Issue the certificates of many doses with two bulk writes, with the guarantees of one.

    The same writes in the same order as for one dose: the id index first, then each dose
    file with its event in a single insert (one round trip for all). A dose that already has
    a file (a redelivery) keeps it, and what follows from it is written again. Doses are
    signed before the store says which are new: the store cannot look up many ids in one
    query without reading the whole collection (FerretDB 1.24 pushes no `$in` down to
    PostgreSQL), and signing a redelivered dose again costs less than a lookup per dose.
    """
    firsts: dict[UUID, Envelope[Any]] = {}
    for envelope in envelopes:
        firsts.setdefault(envelope.payload.dose_id, envelope)
    files = [_new_file(e.payload, e, c) for e in firsts.values()]
    await c.doses.index_all([file for file, _ in files])
    created = await c.doses.create_all(files, c.now())
    for (file, _), envelope, new in zip(files, firsts.values(), created, strict=True):
        if new:
            _count_new(file, envelope, c)
        else:
            await _settle_stored(file.dose_id, c)
    c.events_written()


def _count_new(file: DoseFile, envelope: Envelope[Any], c: Components) -> None:
    if file.current is not None:
        metrics.issued(file.current.level, dose_at=envelope.occurred_at, now=c.now())


async def _settle_stored(dose_id: UUID, c: Components) -> None:
    stored = await c.doses.get(dose_id)
    if stored is not None:
        await _settle(stored, c)


async def reissue_certificate_when_dose_corrected(
    event: DoseCorrected, envelope: Envelope[Any], c: Components
) -> None:
    """Revoke the current certificate and issue one for the corrected record."""
    certificate_id = uuid5(_IDS, f"{event.dose_id}:{envelope.event_id}")

    def change(file: DoseFile) -> tuple[CertificateRecord | None, RevocationReason]:
        if file.voided:
            return None, RevocationReason.DOSE_CORRECTED
        issued = _sign(event.holder, event.current, certificate_id, c)
        replaces = file.current.certificate_id if file.current else None
        record = CertificateRecord.of(
            issued, dose_id=event.dose_id, citizen_id=event.citizen_id, replaces=replaces
        )
        return record, RevocationReason.DOSE_CORRECTED

    await _apply(event.dose_id, event.citizen_id, event.site_id, envelope, change, c)


async def revoke_certificate_when_dose_voided(
    event: DoseVoided, envelope: Envelope[Any], c: Components
) -> None:
    """Revoke the current certificate; the dose no longer has one."""
    await _apply(
        event.dose_id,
        event.citizen_id,
        event.site_id,
        envelope,
        lambda _: (None, RevocationReason.DOSE_VOIDED),
        c,
    )


async def _apply(
    dose_id: UUID,
    citizen_id: UUID,
    site_id: UUID,
    envelope: Envelope[Any],
    change: Any,
    c: Components,
) -> None:
    """Apply a change to the dose's file once, retrying if another writer got there first."""
    event_id = str(envelope.event_id)
    for _ in range(_ATTEMPTS):
        before = await c.doses.get(dose_id) or _empty_file(dose_id, citizen_id, site_id)
        if before.has_applied(event_id):
            await _settle(before, c)
            return
        new, reason = change(before)
        after = before.replaced_by(new, at=c.now(), reason=reason, event_id=event_id)
        events = _events_between(before, after, envelope, c)
        await c.doses.index(after)
        if await _write(before, after, events, c):
            await c.revocations.record(after.revoked[len(before.revoked) :])
            c.events_written()
            _count(before, after, c)
            return
    raise TransientError("the dose's certificates kept changing; retrying")


def _count(before: DoseFile, after: DoseFile, c: Components) -> None:
    revoked = after.last_revoked
    if before.current is not None and revoked is not None and revoked.revocation_reason:
        metrics.revoked(revoked.revocation_reason)
    if after.current is not None:
        metrics.issued(after.current.level, now=c.now())


def _empty_file(dose_id: UUID, citizen_id: UUID, site_id: UUID) -> DoseFile:
    """A file for a dose whose DoseAdministered was never seen (its area unknown)."""
    return DoseFile(dose_id, citizen_id, SiteOfDose(site_id, None, None), None, revision=0)


async def _write(before: DoseFile, after: DoseFile, events: list[Document], c: Components) -> bool:
    if before.revision == 0:
        return await c.doses.create(after, events, c.now())
    return await c.doses.replace(before, after, events, c.now())


def _events_between(
    before: DoseFile, after: DoseFile, cause: Envelope[Any], c: Components
) -> list[Document]:
    events: list[Document] = []
    if before.current is not None and after.last_revoked is not None:
        events.append(c.outbox(_revoked_event(after.last_revoked), cause))
    if after.current is not None:
        events.append(c.outbox(_issued_event(after.current), cause))
    return events
