"""Screening: propose the outcome from the checklist, record what the doctor decided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID, uuid4

from vaxflow_events import ScreeningRecorded
from vaxflow_injection.domain.errors import Refused, Violation
from vaxflow_injection.domain.products import product
from vaxflow_injection.domain.screening import (
    Decision,
    Outcome,
    Proposal,
    Vitals,
    age_on,
    checklist,
    decide,
    propose,
)
from vaxflow_injection.domain.staff import staff_uuid
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.handlers.scope import site_of
from vaxflow_injection.metrics import SCREENINGS
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document


@dataclass(frozen=True)
class ScreenCitizen:
    """The checklist answers and vital signs of one citizen at the caller's site."""

    staff: Principal
    citizen_id: UUID
    site_id: UUID | None
    appointment_id: UUID | None
    product_code: str | None
    answers: Mapping[str, bool]
    vitals: Vitals


@dataclass(frozen=True)
class RecordScreening:
    """A screening and the doctor's decision on the proposed outcome."""

    screening: ScreenCitizen
    decision: Decision
    correlation_id: str | None


@dataclass(frozen=True)
class RecordedScreening:
    """A recorded screening."""

    screening_id: UUID
    citizen_id: UUID
    site_id: UUID
    product_code: str | None
    outcome: Outcome
    document: Document


def _answer_violations(answers: Mapping[str, bool]) -> list[Violation]:
    questions = checklist().questions
    missing = [
        Violation("answer_required", f"body.answers.{key}", "Every question must be answered.")
        for key in questions
        if key not in answers
    ]
    unknown = [
        Violation("unknown_question", f"body.answers.{key}", "Not a question of the checklist.")
        for key in answers
        if key not in questions
    ]
    return missing + unknown


async def propose_outcome(cmd: ScreenCitizen, c: Components) -> Proposal:
    """Check the answers and apply the rules; nothing is recorded."""
    site_id = site_of(cmd.staff, cmd.site_id)
    violations = _answer_violations(cmd.answers)
    if cmd.product_code is not None and product(cmd.product_code) is None:
        violations.append(
            Violation("unknown_product", "body.product_code", "No such vaccine product.")
        )
    today = c.local_date(c.now())
    citizen = await c.reads.citizen(cmd.citizen_id)
    # Staff screen only the people checked in at their site today; anyone else is answered as
    # an unknown citizen, so that the answer tells nothing about a citizen id (nor their age).
    if citizen is None or await c.reads.check_in(cmd.citizen_id, site_id, today) is None:
        citizen = None
        violations.append(
            Violation(
                "citizen_unknown",
                "body.citizen_id",
                "No citizen with this id is checked in at your site today.",
            )
        )
    if violations:
        raise Refused(violations)
    assert citizen is not None
    age = age_on(citizen.holder.date_of_birth, today)
    return propose(cmd.answers, cmd.vitals, age, today)


async def record_screening(cmd: RecordScreening, c: Components) -> RecordedScreening:
    """Record the screening with ScreeningRecorded, in one insert."""
    s = cmd.screening
    site_id = site_of(s.staff, s.site_id)
    proposal = await propose_outcome(s, c)
    outcome = decide(proposal, cmd.decision, s.product_code)
    now, screening_id = c.now(), uuid4()
    event = ScreeningRecorded(
        screening_id=screening_id,
        citizen_id=s.citizen_id,
        site_id=site_id,
        appointment_id=s.appointment_id,
        product_code=s.product_code,
        outcome=outcome.outcome,
        proposed_outcome=proposal.outcome,
        postponed_until=outcome.postponed_until,
        contraindicated_products=outcome.contraindicated_products,
        screened_by=staff_uuid(s.staff.subject),
    )
    document = _document(s, site_id, screening_id, outcome, c)
    await c.screenings.add(document, [c.outbox(event, cmd.correlation_id, now)], now)
    c.events_written()
    SCREENINGS.labels(outcome=outcome.outcome.value).inc()
    return RecordedScreening(screening_id, s.citizen_id, site_id, s.product_code, outcome, document)


def _document(
    s: ScreenCitizen, site_id: UUID, screening_id: UUID, outcome: Outcome, c: Components
) -> Document:
    now = c.now()
    v = s.vitals
    return {
        "_id": str(screening_id),
        "citizen_id": str(s.citizen_id),
        "site_id": str(site_id),
        "appointment_id": str(s.appointment_id) if s.appointment_id else None,
        "product_code": s.product_code,
        "local_date": c.local_date(now).isoformat(),
        "screened_at": now,
        "screened_by": s.staff.subject,
        "answers": dict(s.answers),
        "vitals": {
            "temperature_c": v.temperature_c,
            "pulse_per_min": v.pulse_per_min,
            "systolic_mmhg": v.systolic_mmhg,
            "diastolic_mmhg": v.diastolic_mmhg,
            "spo2_percent": v.spo2_percent,
        },
        "proposed_outcome": outcome.proposal.outcome.value,
        "proposal_reasons": list(outcome.proposal.reasons),
        "outcome": outcome.outcome.value,
        "overridden": outcome.overridden,
        "override_reason": outcome.override_reason,
        "postponed_until": outcome.postponed_until.isoformat() if outcome.postponed_until else None,
        "postpone_condition": outcome.postpone_condition,
        "contraindicated_products": list(outcome.contraindicated_products),
    }
