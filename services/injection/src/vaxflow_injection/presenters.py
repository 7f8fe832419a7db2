"""From stored records to HTTP answers: dose reads, pages, and FHIR R4 Immunization bundles."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from vaxflow_events import BodySite
from vaxflow_injection.domain.errors import Refused
from vaxflow_injection.handlers.doses import BatchOutcome
from vaxflow_injection.handlers.screenings import RecordedScreening
from vaxflow_injection.schemas import (
    BatchItemRead,
    BatchRead,
    DoseChangeRead,
    DoseRead,
    RecordProblem,
    ScreeningRead,
)
from vaxflow_injection.store import StoredDose
from vaxflow_servicekit.problems import FieldError, ProblemError, problem_type

SNOMED = "http://snomed.info/sct"
# SNOMED CT body structures of the injection sites.
BODY_SITES = {
    BodySite.LEFT_DELTOID: ("368208006", "Left upper arm structure"),
    BodySite.RIGHT_DELTOID: ("368209003", "Right upper arm structure"),
    BodySite.LEFT_THIGH: ("61396006", "Left thigh structure"),
    BodySite.RIGHT_THIGH: ("11207009", "Right thigh structure"),
}
PRODUCT_SYSTEM = "https://ec.europa.eu/health/documents/community-register/html/"
VACCINE_TYPE_SYSTEM = "https://vaxflow.example/fhir/CodeSystem/eu-dcc-vaccine-prophylaxis"
MANUFACTURER_SYSTEM = "https://vaxflow.example/fhir/NamingSystem/eu-dcc-manufacturer"


def problem_of(refused: Refused) -> ProblemError:
    """The problem+json answer of a refusal: its first rule as type, every rule in `errors`."""
    errors = [FieldError(field=v.field, rule=v.rule, message=v.message) for v in refused.violations]
    return ProblemError(
        refused.status,
        refused.violations[0].message,
        slug=refused.rule.replace("_", "-"),
        errors=errors,
    )


def screening_read(recorded: RecordedScreening) -> ScreeningRead:
    """The answer to a recorded screening."""
    o, doc = recorded.outcome, recorded.document
    return ScreeningRead(
        screening_id=recorded.screening_id,
        citizen_id=recorded.citizen_id,
        site_id=recorded.site_id,
        product_code=recorded.product_code,
        proposed_outcome=o.proposal.outcome,
        outcome=o.outcome,
        overridden=o.overridden,
        override_reason=o.override_reason,
        reasons=list(o.proposal.reasons),
        postponed_until=o.postponed_until,
        postpone_condition=o.postpone_condition,
        contraindicated_products=list(o.contraindicated_products),
        screened_at=doc["screened_at"],
    )


def dose_read(dose: StoredDose) -> DoseRead:
    """A dose record as staff and citizens see it."""
    v = dose.vaccination
    return DoseRead(
        dose_id=dose.dose_id,
        citizen_id=dose.citizen_id,
        site_id=dose.site_id,
        status="voided" if dose.voided else "active",
        product_code=v.product_code,
        manufacturer_code=v.manufacturer_code,
        lot_number=v.lot_number,
        expiry_date=dose.expiry_date,
        dose_number=v.dose_number,
        series_doses=v.series_doses,
        dose_kind=v.dose_kind,
        administered_at=v.administered_at,
        administered_on=v.administered_on,
        body_site=dose.body_site,
        captured_offline=dose.captured_offline,
        client_id=dose.client_id,
        appointment_id=dose.appointment_id,
        screening_id=dose.screening_id,
        recorded_at=dose.recorded_at,
        changes=[
            DoseChangeRead(kind=c["kind"], at=c["at"], role=c["role"], reason=c["reason"])
            for c in dose.changes
        ],
    )


def batch_read(outcomes: Sequence[BatchOutcome]) -> BatchRead:
    """Per-record results and their counts."""
    results = [_batch_item(o) for o in outcomes]
    return BatchRead(
        recorded=sum(r.status == "recorded" for r in results),
        already_recorded=sum(r.status == "already_recorded" for r in results),
        refused=sum(r.status == "refused" for r in results),
        results=results,
    )


def _batch_item(outcome: BatchOutcome) -> BatchItemRead:
    if outcome.recorded is not None:
        status = "recorded" if outcome.recorded.created else "already_recorded"
        return BatchItemRead(
            client_id=outcome.client_id,
            status=status,
            dose_id=outcome.recorded.dose.dose_id,
            problem=None,
        )
    assert outcome.refused is not None
    problem = problem_of(outcome.refused)
    return BatchItemRead(
        client_id=outcome.client_id,
        status="refused",
        dose_id=None,
        problem=RecordProblem(
            type=problem_type(problem.slug),
            status=problem.status,
            detail=problem.detail or problem.title,
            errors=problem.errors,
        ),
    )


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the next page."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for; a bad cursor is a 422 on `query.cursor`."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        offset = int(text.removeprefix("o:")) if text.startswith("o:") else -1
    except (ValueError, UnicodeDecodeError):
        offset = -1
    if offset < 0:
        raise Refused.one("invalid_cursor", "query.cursor", "Not a cursor of this collection.")
    return offset


def immunization(dose: StoredDose) -> dict[str, Any]:
    """One dose as an HL7 FHIR R4 Immunization resource."""
    v = dose.vaccination
    code, display = BODY_SITES[dose.body_site]
    return {
        "resourceType": "Immunization",
        "id": str(dose.dose_id),
        "status": "entered-in-error" if dose.voided else "completed",
        "vaccineCode": {
            "coding": [
                {"system": PRODUCT_SYSTEM, "code": v.product_code},
                {"system": VACCINE_TYPE_SYSTEM, "code": v.vaccine_type_code},
            ]
        },
        "patient": {"reference": f"Patient/{dose.citizen_id}"},
        "occurrenceDateTime": v.administered_at.isoformat(),
        "recorded": dose.recorded_at.isoformat(),
        "primarySource": not dose.captured_offline,
        "location": {"reference": f"Location/{dose.site_id}"},
        "manufacturer": {
            "identifier": {"system": MANUFACTURER_SYSTEM, "value": v.manufacturer_code}
        },
        "lotNumber": v.lot_number,
        "expirationDate": dose.expiry_date.isoformat(),
        "site": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
        "performer": [{"actor": {"reference": f"Practitioner/{dose.administered_by}"}}],
        "protocolApplied": [
            {
                "targetDisease": [{"coding": [{"system": SNOMED, "code": v.target_disease_code}]}],
                "doseNumberPositiveInt": v.dose_number,
                "seriesDosesPositiveInt": v.series_doses,
            }
        ],
    }


def immunization_bundle(citizen_id: UUID, doses: Sequence[StoredDose], self_url: str) -> Any:
    """A FHIR R4 searchset Bundle of the citizen's Immunization resources."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(doses),
        "link": [{"relation": "self", "url": self_url}],
        "entry": [
            {
                "fullUrl": f"urn:uuid:{dose.dose_id}",
                "resource": immunization(dose),
                "search": {"mode": "match"},
            }
            for dose in doses
        ],
    }
