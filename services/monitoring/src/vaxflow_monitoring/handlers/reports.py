"""AEFI reports: from citizens and staff over the API, and from serious site observations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from vaxflow_events import AefiReported, AefiSource, Envelope, ObservationCompleted
from vaxflow_monitoring import metrics
from vaxflow_monitoring.domain.cases import (
    CaseStatus,
    ReportFacts,
    facts_of_observation,
    report_violations,
)
from vaxflow_monitoring.domain.errors import NotFound, Refused, Violation
from vaxflow_monitoring.handlers.components import Components
from vaxflow_monitoring.handlers.scope import covers, holds_citizen, listing_scope, may_read_case
from vaxflow_monitoring.store import KnownDose, stored
from vaxflow_servicekit.auth import NATIONAL_ROLES, Principal
from vaxflow_servicekit.consumer import PermanentError
from vaxflow_servicekit.mongo import Document

CASE_NAMESPACE = UUID("a4f3b6d2-1c7e-4b8a-9e05-3f2d6c1b7a90")


@dataclass(frozen=True)
class ReportAefi:
    """A report from a citizen (their own dose) or staff (a dose in their scope)."""

    caller: Principal
    dose_id: UUID | None
    lot_id: UUID | None
    citizen_id: UUID | None
    facts: ReportFacts
    description: str | None
    correlation_id: str | None


@dataclass(frozen=True)
class _Subject:
    """What the report concerns: the person, the lot, and the dose when known."""

    citizen_id: UUID
    lot_id: UUID
    product_code: str
    lot_number: str
    dose: KnownDose | None


async def report_aefi(cmd: ReportAefi, c: Components) -> Document:
    """Check the report, then open the case with AefiReported in one write."""
    subject = await _subject_of(cmd, c)
    now = c.now()
    dose_at = subject.dose.administered_at if subject.dose else None
    violations = report_violations(cmd.facts, dose_at=dose_at, now=now, clock_skew=c.clock_skew)
    if violations:
        raise Refused(violations)
    source = AefiSource.CITIZEN_REPORT if cmd.caller.role == "citizen" else AefiSource.STAFF_REPORT
    case = await _open_case(
        c,
        aefi_id=uuid.uuid4(),
        subject=subject,
        facts=cmd.facts,
        source=source,
        observation_id=None,
        description=cmd.description,
        role=cmd.caller.role,
        by=cmd.caller.subject,
        correlation_id=cmd.correlation_id,
        causation_id=None,
        now=now,
    )
    assert case is not None  # a fresh id
    return case


async def _subject_of(cmd: ReportAefi, c: Components) -> _Subject:
    if cmd.dose_id is not None:
        return await _dose_subject(cmd, cmd.dose_id, c)
    if cmd.lot_id is None:
        raise Refused.one(
            "dose_or_lot_required", "body.dose_id", "Name the dose, or the lot and the person."
        )
    if cmd.citizen_id is None:
        raise Refused.one(
            "citizen_required", "body.citizen_id", "A report by lot names the vaccinated person."
        )
    lot = await c.lots.get(cmd.lot_id)
    if lot is None:
        raise Refused.one("unknown_lot", "body.lot_id", "No such lot is known to VaxFlow.")
    doses = [d for d in await c.reads.doses_of_citizen_on_lot(cmd.citizen_id, cmd.lot_id)]
    standing = [d for d in doses if not d.voided]
    if not await _may_report(cmd.caller, cmd.citizen_id, standing, c):
        raise Refused.one(
            "citizen_out_of_scope",
            "body.citizen_id",
            "You may report only for yourself or the people in your care.",
            status=403,
        )
    first = min(standing, key=lambda d: d.administered_at) if standing else None
    return _Subject(cmd.citizen_id, cmd.lot_id, lot["product_code"], lot["lot_number"], first)


async def _dose_subject(cmd: ReportAefi, dose_id: UUID, c: Components) -> _Subject:
    dose = await c.reads.dose(dose_id)
    if dose is None and cmd.caller.role in NATIONAL_ROLES:  # they may see every dose
        raise Refused.one("unknown_dose", "body.dose_id", "No such dose is known to VaxFlow.")
    if dose is None or not await _may_report(cmd.caller, dose.citizen_id, [dose], c):
        # The same answer for a dose that does not exist: a refusal must not tell a caller
        # with a narrower scope which dose ids exist.
        raise Refused.one(
            "dose_out_of_scope",
            "body.dose_id",
            "You may report only about your own doses or doses in your scope.",
            status=403,
        )
    mismatches = []
    if dose.voided:
        mismatches.append(
            Violation("dose_voided", "body.dose_id", "The dose record was voided in error.")
        )
    if cmd.lot_id is not None and cmd.lot_id != dose.lot_id:
        mismatches.append(Violation("lot_mismatch", "body.lot_id", "The dose was not of this lot."))
    if cmd.citizen_id is not None and cmd.citizen_id != dose.citizen_id:
        mismatches.append(
            Violation("citizen_mismatch", "body.citizen_id", "The dose is another person's.")
        )
    if mismatches:
        raise Refused(mismatches)
    return _Subject(dose.citizen_id, dose.lot_id, dose.product_code, dose.lot_number, dose)


async def _may_report(
    caller: Principal, citizen_id: UUID, doses: list[KnownDose], c: Components
) -> bool:
    if caller.role == "citizen":
        return await holds_citizen(caller, citizen_id, c)
    if caller.role in NATIONAL_ROLES:
        return True
    return any(covers(caller, str(d.site_id), d.district_code) for d in doses)


async def open_from_observation(
    event: ObservationCompleted, envelope: Envelope[Any], c: Components
) -> None:
    """A serious reaction seen at the site opens a case, once per observation."""
    if not event.serious:
        return
    dose = await c.reads.dose(event.dose_id)
    if dose is None:  # the dose precedes its observation on the citizen's partition
        raise PermanentError(f"observation of unknown dose {event.dose_id}")
    facts = facts_of_observation(event.reactions, event.seriousness, dose.administered_at)
    await _open_case(
        c,
        aefi_id=uuid5(CASE_NAMESPACE, f"observation|{event.observation_id}"),
        subject=_Subject(dose.citizen_id, dose.lot_id, dose.product_code, dose.lot_number, dose),
        facts=facts,
        source=AefiSource.SITE_OBSERVATION,
        observation_id=event.observation_id,
        description=None,
        role="site_staff",
        by=str(event.observed_by),
        correlation_id=envelope.correlation_id,
        causation_id=str(envelope.event_id),
        now=c.now(),
    )


async def _open_case(
    c: Components,
    *,
    aefi_id: UUID,
    subject: _Subject,
    facts: ReportFacts,
    source: AefiSource,
    observation_id: UUID | None,
    description: str | None,
    role: str,
    by: str,
    correlation_id: str | None,
    causation_id: str | None,
    now: datetime,
) -> Document | None:
    """Insert the case and its AefiReported; None when this case was opened before."""
    dose = subject.dose
    event = AefiReported(
        aefi_id=aefi_id,
        citizen_id=subject.citizen_id,
        dose_id=dose.dose_id if dose else None,
        lot_id=subject.lot_id,
        product_code=subject.product_code,
        source=source,
        observation_id=observation_id,
        onset_at=facts.onset_at,
        symptom_codes=facts.symptom_codes,
        severity=facts.severity,
        outcome=facts.outcome,
        serious=facts.serious,
        seriousness=facts.seriousness,
    )
    document: Document = {
        "_id": str(aefi_id),
        "citizen_id": str(subject.citizen_id),
        "dose_id": str(dose.dose_id) if dose else None,
        "lot_id": str(subject.lot_id),
        "product_code": subject.product_code,
        "lot_number": subject.lot_number,
        "site_id": str(dose.site_id) if dose else None,
        "district_code": dose.district_code if dose else None,
        "administered_at": dose.administered_at if dose else None,
        "source": source.value,
        "observation_id": stored(observation_id) if observation_id else None,
        "onset_at": facts.onset_at,
        "symptom_codes": list(facts.symptom_codes),
        "severity": facts.severity.value,
        "outcome": facts.outcome.value,
        "serious": facts.serious,
        "seriousness": [s.value for s in facts.seriousness],
        "description": description,
        "status": CaseStatus.REPORTED.value,
        "causality": None,
        "version": 1,
        "reported_at": now,
        "updated_at": now,
        "history": [{"action": "report", "status": "reported", "at": now, "role": role, "by": by}],
    }
    entry = c.aefi_event(event, correlation_id, now, causation_id)
    if not await c.cases.add(document, [entry], now):
        return None
    c.events_written()
    metrics.case_opened(source.value, facts.serious)
    return document


async def read_case(caller: Principal, aefi_id: UUID, c: Components) -> Document:
    """The case, for its citizen's account or staff in scope; others learn nothing (404)."""
    case = await c.cases.get(aefi_id)
    if case is None or not await may_read_case(caller, case, c):
        raise NotFound
    return case


@dataclass(frozen=True)
class CaseFilter:
    """What a staff member's case list is narrowed to."""

    lot_id: UUID | None = None
    status: CaseStatus | None = None
    serious: bool | None = None


async def list_cases(
    staff: Principal, where: CaseFilter, offset: int, limit: int, c: Components
) -> tuple[list[Document], bool]:
    """One page of the cases in the caller's scope."""
    query: Document = listing_scope(staff)
    if where.lot_id is not None:
        query["lot_id"] = str(where.lot_id)
    if where.status is not None:
        query["status"] = where.status.value
    if where.serious is not None:
        query["serious"] = where.serious
    return await c.cases.page(query, offset, limit)
