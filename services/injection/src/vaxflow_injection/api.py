"""Injection's HTTP routes: thin, each a handful of lines over a handler."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from vaxflow_injection import presenters
from vaxflow_injection.board_schemas import SiteBoardRead
from vaxflow_injection.domain.errors import Refused
from vaxflow_injection.domain.observation import Reaction
from vaxflow_injection.domain.screening import Decision, Vitals
from vaxflow_injection.handlers import board, corrections, doses, observations, reads, screenings
from vaxflow_injection.handlers.components import Components
from vaxflow_injection.schemas import (
    BatchCreate,
    BatchRead,
    CorrectionCreate,
    DoseCreate,
    DosePage,
    DoseRead,
    ObservationCreate,
    ObservationRead,
    ProposalRead,
    ScreeningAnswers,
    ScreeningCreate,
    ScreeningRead,
    VoidCreate,
)
from vaxflow_servicekit.auth import Principal, require_roles
from vaxflow_servicekit.context import CorrelationIdDep, RequestIdDep
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import PROBLEM_MEDIA_TYPE, problem_responses, problem_type

router = APIRouter(prefix="/api/v1")


def components(request: Request) -> Components:
    """The handlers' components, built at start-up."""
    c: Components = request.app.state.components
    return c


ComponentsDep = Annotated[Components, Depends(components)]
SiteStaff = Annotated[Principal, Depends(require_roles("vaccinator", "site_manager"))]
Corrector = Annotated[Principal, Depends(require_roles("site_manager", "district_admin", "admin"))]
Reader = Annotated[
    Principal,
    Depends(
        require_roles(
            "citizen", "vaccinator", "site_manager", "district_admin", "mcc_operator", "admin"
        )
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
]
Purpose = Annotated[
    str, Query(min_length=3, max_length=200, description="Why staff look (audited).")
]


def _problem(status: int, slug: str, detail: str) -> dict[str, Any]:
    example = {"type": problem_type(slug), "status": status, "detail": detail}
    return {
        "description": detail,
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": example,
            }
        },
    }


_403 = problem_responses(403)
_404: dict[int | str, dict[str, Any]] = {
    404: _problem(404, "not-found", "No such dose or citizen for you.")
}
_DOSE_RULES = (
    "Refusals are 422 problem+json whose `type` names the first rule broken and whose "
    "`errors` list every one (`field`, `rule`): `citizen_unknown`, `not_checked_in`, "
    "`no_screening`, `not_cleared_by_screening`, `unknown_product`, `lot_not_at_site`, "
    "`lot_expired`, `lot_suspended`, `interval_not_met`, `site_area_unknown`, `in_the_future`, "
    "`too_old`."
)


@router.post(
    "/screenings/proposal",
    summary="The outcome the checklist rules propose (nothing recorded)",
    responses=_403,
    tags=["screening"],
)
async def propose_screening(
    body: ScreeningAnswers, staff: SiteStaff, c: ComponentsDep
) -> ProposalRead:
    """Apply the rules of Decision 3802/QĐ-BYT to the answers, vital signs and age."""
    p = await screenings.propose_outcome(_screen(body, staff), c)
    return ProposalRead(
        proposed_outcome=p.outcome,
        reasons=list(p.reasons),
        postponed_until=p.postponed_until,
        postpone_condition=p.postpone_condition,
    )


@router.post(
    "/screenings",
    status_code=201,
    summary="Record a screening and the doctor's outcome",
    description="The outcome is the proposal unless `outcome` differs, which needs "
    "`override_reason` (422 `override-reason-required`). Publishes ScreeningRecorded.",
    responses=_403,
    tags=["screening"],
)
async def record_screening(
    body: ScreeningCreate, staff: SiteStaff, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> ScreeningRead:
    """Record the screening with the screening doctor from the token."""
    decision = Decision(
        outcome=body.outcome,
        override_reason=body.override_reason,
        postponed_until=body.postponed_until,
        postpone_condition=body.postpone_condition,
        contraindicated_products=tuple(body.contraindicated_products),
    )
    cmd = screenings.RecordScreening(_screen(body, staff), decision, correlation_id)
    return presenters.screening_read(await screenings.record_screening(cmd, c))


def _screen(body: ScreeningAnswers, staff: Principal) -> screenings.ScreenCitizen:
    v = body.vitals
    return screenings.ScreenCitizen(
        staff=staff,
        citizen_id=body.citizen_id,
        site_id=body.site_id,
        appointment_id=body.appointment_id,
        product_code=body.product_code,
        answers=body.answers,
        vitals=Vitals(
            v.temperature_c, v.pulse_per_min, v.systolic_mmhg, v.diastolic_mmhg, v.spo2_percent
        ),
    )


@router.post(
    "/doses",
    status_code=201,
    summary="Record a dose at the moment of the injection",
    description="The dose number comes from the citizen's history. Publishes DoseAdministered "
    "(with the holder snapshot) through the outbox. Two recordings of the same dose at once "
    "leave one record: the other call gets 409 `dose-already-recorded`. " + _DOSE_RULES,
    responses={**_403, 409: _problem(409, "dose-already-recorded", "Recorded just now.")},
    tags=["doses"],
)
async def record_dose(
    body: DoseCreate,
    staff: SiteStaff,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
    response: Response,
) -> DoseRead:
    """Check, then record the dose and its event in one write."""
    cmd = doses.RecordDose(
        staff,
        body.citizen_id,
        body.site_id,
        body.product_code,
        body.lot_number,
        body.administered_at,
        body.body_site,
        correlation_id,
    )
    recorded = await doses.record_dose(cmd, c)
    response.headers["Location"] = f"/api/v1/doses/{recorded.dose.dose_id}"
    return presenters.dose_read(recorded.dose)


@router.post(
    "/doses/batch",
    summary="Upload doses captured offline",
    description="Recorded one by one in capture-time order with the online checks; each "
    "record's result says `recorded`, `already_recorded` (its `client_id` was uploaded "
    "before) or `refused` with the problem. Answers 200 even when records are refused.",
    responses=_403,
    tags=["doses"],
)
async def upload_batch(
    body: BatchCreate, staff: SiteStaff, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> BatchRead:
    """Record each offline capture, idempotently by its client id."""
    if len(body.records) > c.settings.batch_max_records:
        raise Refused.one(
            "too_many_records",
            "body.records",
            f"At most {c.settings.batch_max_records} records per upload.",
        )
    records = [
        (
            r.captured_at,
            doses.RecordDose(
                staff,
                r.citizen_id,
                r.site_id,
                r.product_code,
                r.lot_number,
                r.administered_at or r.captured_at,
                r.body_site,
                correlation_id,
                client_id=r.client_id,
                captured_offline=True,
            ),
        )
        for r in body.records
    ]
    return presenters.batch_read(await doses.record_batch(records, c))


@router.post(
    "/doses/{dose_id}/corrections",
    summary="Correct a dose record (a new fact; the original stays)",
    description="Product, lot, time or dose attribution, with a mandatory reason. Publishes "
    "DoseCorrected. A voided record cannot be corrected (409 `dose-voided`).",
    responses={**_403, **_404, 409: _problem(409, "dose-voided", "The record is voided.")},
    tags=["corrections"],
)
async def correct_dose(
    dose_id: Uuid,
    body: CorrectionCreate,
    staff: Corrector,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
) -> DoseRead:
    """Apply the correction; audited in the record's `changes`."""
    cmd = corrections.CorrectDose(
        staff,
        dose_id,
        body.reason,
        correlation_id,
        body.product_code,
        body.lot_number,
        body.administered_at,
        body.dose_number,
        body.dose_kind,
    )
    return presenters.dose_read(await corrections.correct_dose(cmd, c))


@router.post(
    "/doses/{dose_id}/void",
    summary="Void a dose record made in error",
    description="Publishes DoseVoided; the record stays, marked voided, with who and why.",
    responses={**_403, **_404, 409: _problem(409, "dose-voided", "The record is voided.")},
    tags=["corrections"],
)
async def void_dose(
    dose_id: Uuid,
    body: VoidCreate,
    staff: Corrector,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
) -> DoseRead:
    """Void the record."""
    cmd = corrections.VoidDose(staff, dose_id, body.reason, body.note, correlation_id)
    return presenters.dose_read(await corrections.void_dose(cmd, c))


@router.post(
    "/observations",
    status_code=201,
    summary="Record the end of the observation after a dose",
    description="Publishes ObservationCompleted; a serious reaction sets `serious` with its "
    "criteria, and monitoring opens the AEFI case from it. One observation per dose (409).",
    responses={**_403, 409: _problem(409, "observation-already-recorded", "Already recorded.")},
    tags=["observation"],
)
async def record_observation(
    body: ObservationCreate, staff: SiteStaff, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> ObservationRead:
    """Record the reactions seen, if any."""
    cmd = observations.RecordObservation(
        staff,
        body.dose_id,
        body.observed_minutes,
        [Reaction(r.code, r.severity, r.onset_minutes) for r in body.reactions],
        body.seriousness,
        correlation_id,
    )
    done = await observations.record_observation(cmd, c)
    return ObservationRead(
        observation_id=done.observation_id,
        dose_id=done.dose_id,
        citizen_id=done.citizen_id,
        serious=done.observed.serious,
        seriousness=list(done.observed.seriousness),
        reactions=[
            {"code": r.code, "severity": r.severity.value, "onset_minutes": r.onset_minutes}
            for r in done.observed.reactions
        ],
    )


@router.get(
    "/doses/board/{site_id}",
    summary="The site's board today: screened and waiting for the dose, doses, observations",
    description="For every device of the site's console: people screened today with no dose "
    "yet (latest screening, outcome and time), today's doses (total, and the newest with "
    "product, lot and time), observations open (with start and due time) and closed. Staff of "
    "the site only (vaccinator, site manager); any other site id, known or not, is 404. Ids, "
    "not names (with the queue number given at check-in). Each list holds at most `limit` "
    "entries; the `*_total` fields count the day.",
    responses={**_403, 404: _problem(404, "not-found", "No such site for you.")},
    tags=["board"],
)
async def site_board(
    site_id: Uuid,
    staff: SiteStaff,
    c: ComponentsDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Entries per list.")] = 100,
) -> SiteBoardRead:
    """The board of the caller's site for today (local date of the sites)."""
    day = await board.site_day(board.ReadBoard(staff, site_id, limit), c)
    return SiteBoardRead(
        site_id=day.site_id,
        date=day.day,
        observation_minutes=board.OBSERVATION_MINUTES,
        limit=limit,
        screened=day.screened,
        screened_total=day.screened_total,
        doses=day.doses,
        doses_total=day.doses_total,
        observations_open=day.observations_open,
        observations_open_total=day.observations_open_total,
        observations_closed=day.observations_closed,
        observations_closed_total=day.observations_closed_total,
    )


@router.get(
    "/citizens/{citizen_id}/doses",
    summary="A citizen's dose records",
    description="Staff whose scope covers a site where the citizen had a dose (or, for site "
    "staff, where they are checked in today), MCC operators and admins; the citizen's own "
    "phone account. Others get 404 as for an unknown citizen. Staff reads are audited with "
    "`purpose`.",
    responses={**_403, **_404},
    tags=["doses"],
)
async def citizen_doses(
    citizen_id: Uuid,
    caller: Reader,
    c: ComponentsDep,
    request_id: RequestIdDep,
    purpose: Purpose = "care",
    cursor: Cursor = None,
    limit: Limit = 20,
) -> DosePage:
    """Every record, voided ones included, oldest first."""
    offset = presenters.decode_cursor(cursor)
    query = reads.ReadDoses(caller, citizen_id, purpose, request_id)
    found = await reads.doses_of_citizen(query, c)
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return DosePage(
        citizen_id=citizen_id,
        items=[presenters.dose_read(d) for d in page],
        next_cursor=presenters.encode_cursor(offset + limit) if more else None,
    )


_FHIR_JSON = "application/fhir+json"


@router.get(
    "/fhir/Immunization",
    summary="A citizen's doses as an HL7 FHIR R4 Bundle of Immunization resources",
    description="Who may read is as for `GET /citizens/{id}/doses`. Voided records have "
    "status `entered-in-error`.",
    responses={
        200: {"content": {_FHIR_JSON: {"schema": {"type": "object"}}}, "description": "Bundle"},
        **_403,
        **_404,
    },
    tags=["fhir"],
)
async def fhir_immunizations(
    request: Request,
    caller: Reader,
    c: ComponentsDep,
    request_id: RequestIdDep,
    patient: Annotated[Uuid, Query(description="The citizen's VaxFlow id.")],
    purpose: Purpose = "care",
) -> JSONResponse:
    """The searchset Bundle."""
    query = reads.ReadDoses(caller, patient, purpose, request_id)
    found = await reads.doses_of_citizen(query, c)
    bundle = presenters.immunization_bundle(patient, found, str(request.url))
    return JSONResponse(bundle, media_type=_FHIR_JSON)
