"""Monitoring's HTTP routes: AEFI cases and their workflow, lot signals, lot suspensions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from vaxflow_monitoring import presenters
from vaxflow_monitoring.domain.cases import CaseAction, CaseStatus, ReportFacts
from vaxflow_monitoring.domain.codes import symptoms
from vaxflow_monitoring.handlers import lots, reports, workflow
from vaxflow_monitoring.handlers.components import Components
from vaxflow_monitoring.handlers.scope import STAFF_REPORTERS
from vaxflow_monitoring.schemas import (
    AefiCasePage,
    AefiCaseRead,
    AefiCreate,
    ClassificationCreate,
    ClosureCreate,
    InvestigationCreate,
    LotRead,
    LotSignalPage,
    ReleaseCreate,
    SuspensionCreate,
    SymptomList,
    SymptomRead,
)
from vaxflow_servicekit.auth import Principal, require_roles
from vaxflow_servicekit.context import CorrelationIdDep
from vaxflow_servicekit.links import link, links
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import PROBLEM_MEDIA_TYPE, problem_responses, problem_type

router = APIRouter(prefix="/api/v1")


def components(request: Request) -> Components:
    """The handlers' components, built at start-up."""
    c: Components = request.app.state.components
    return c


ComponentsDep = Annotated[Components, Depends(components)]
Reporter = Annotated[Principal, Depends(require_roles("citizen", *STAFF_REPORTERS))]
Staff = Annotated[Principal, Depends(require_roles(*STAFF_REPORTERS))]
Investigator = Annotated[
    Principal, Depends(require_roles("mcc_operator", "admin", "district_admin"))
]
Classifier = Annotated[Principal, Depends(require_roles("mcc_operator"))]
Operator = Annotated[Principal, Depends(require_roles("mcc_operator", "admin"))]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
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
_CASE_404: dict[int | str, dict[str, Any]] = {
    404: _problem(404, "not-found", "No such AEFI case for you.")
}
_LOT_404: dict[int | str, dict[str, Any]] = {
    404: _problem(404, "not-found", "No such lot is known to monitoring.")
}
_WRONG_STEP: dict[int | str, dict[str, Any]] = {
    409: _problem(409, "wrong-transition", "Only a reported case can be put under investigation.")
}
_REPORT_RULES = (
    "Refusals are 422 problem+json whose `errors` name every rule broken (`field`, `rule`): "
    "`dose_or_lot_required`, `citizen_required`, `unknown_dose`, `unknown_lot`, `dose_voided`, "
    "`lot_mismatch`, `citizen_mismatch`, `onset_in_future`, `onset_before_dose`, "
    "`unknown_symptom`, `duplicate_symptom`, `seriousness_required`, `death_not_serious`. "
    "A dose (or person) the caller may not report about is 403 `dose-out-of-scope` "
    "(`citizen-out-of-scope`); so is a dose that does not exist, except for MCC operators and "
    "admins (who see every dose and get 422 `unknown_dose`), so that a refusal does not tell "
    "which dose ids exist."
)


@router.get(
    "/aefi/symptoms",
    summary="The coded list of signs and symptoms",
    description="Codes an AEFI report may name; `implies` is the seriousness criterion a sign "
    "carries on its own (a report naming it must be serious).",
    responses=_403,
    tags=["aefi"],
)
async def symptom_list(caller: Reporter) -> SymptomList:
    """The list, from the service's data file."""
    items = [SymptomRead(code=s.code, implies=s.implies) for s in symptoms().values()]
    return SymptomList(items=items)


_AEFI_ID = "$response.body#/aefi_id"
_REPORTED_LINKS = links(
    ReadCase=link("GET", "/api/v1/aefi/{aefi_id}", aefi_id=_AEFI_ID),
    Investigate=link("POST", "/api/v1/aefi/{aefi_id}/investigation", aefi_id=_AEFI_ID),
)


@router.post(
    "/aefi",
    status_code=201,
    summary="Report an adverse event following immunization",
    description="Citizens report about the doses of the people their phone account holds; "
    "vaccinators and site managers about doses given at their site, district admins in their "
    "district, MCC operators and admins about any. Opens a case (status `reported`) and "
    "publishes AefiReported through the outbox; a serious case is checked against the lot "
    "signal rules. " + _REPORT_RULES,
    responses={**_403, 201: _REPORTED_LINKS},
    tags=["aefi"],
)
async def report(
    body: AefiCreate,
    caller: Reporter,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
    response: Response,
) -> AefiCaseRead:
    """Check the report and open the case."""
    facts = ReportFacts(
        onset_at=body.onset_at,
        symptom_codes=tuple(body.symptom_codes),
        severity=body.severity,
        outcome=body.outcome,
        seriousness=tuple(dict.fromkeys(body.seriousness)),
    )
    cmd = reports.ReportAefi(
        caller,
        body.dose_id,
        body.lot_id,
        body.citizen_id,
        facts,
        body.description,
        correlation_id,
    )
    case = await reports.report_aefi(cmd, c)
    response.headers["Location"] = f"/api/v1/aefi/{case['_id']}"
    return presenters.aefi_read(case)


@router.get(
    "/aefi",
    summary="AEFI cases in the caller's scope",
    description="Staff only: site staff see their site's cases, district admins their "
    "district's, MCC operators and admins every case. Newest report first; filter by lot, "
    "status and seriousness.",
    responses=_403,
    tags=["aefi"],
)
async def list_cases(
    staff: Staff,
    c: ComponentsDep,
    lot_id: Annotated[Uuid | None, Query(description="Only cases of this lot.")] = None,
    status: Annotated[CaseStatus | None, Query(description="Only cases in this status.")] = None,
    serious: Annotated[bool | None, Query(description="Only serious (or non-serious).")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> AefiCasePage:
    """One page of cases."""
    offset = presenters.decode_cursor(cursor)
    where = reports.CaseFilter(lot_id, status, serious)
    found, more = await reports.list_cases(staff, where, offset, limit, c)
    return AefiCasePage(
        items=[presenters.aefi_read(d) for d in found],
        next_cursor=presenters.encode_cursor(offset + limit) if more else None,
    )


@router.get(
    "/aefi/{aefi_id}",
    summary="An AEFI case",
    description="For the phone account holding the vaccinated person, and staff whose scope "
    "covers the dose's site; others get 404 as for an unknown case.",
    responses={**_403, **_CASE_404},
    tags=["aefi"],
)
async def read_case(aefi_id: Uuid, caller: Reporter, c: ComponentsDep) -> AefiCaseRead:
    """The case with its history."""
    return presenters.aefi_read(await reports.read_case(caller, aefi_id, c))


@router.post(
    "/aefi/{aefi_id}/investigation",
    summary="Open the investigation of a reported case",
    description="MCC operators, admins, and district admins for cases in their district. "
    "Only a `reported` case (409 `wrong-transition` otherwise).",
    responses={**_403, **_CASE_404, **_WRONG_STEP},
    tags=["aefi"],
)
async def investigate(
    aefi_id: Uuid,
    body: InvestigationCreate,
    staff: Investigator,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
) -> AefiCaseRead:
    """reported → investigating."""
    step = workflow.Step(staff, aefi_id, CaseAction.INVESTIGATE, body.note, correlation_id)
    return presenters.aefi_read(await workflow.move_case(step, c))


@router.post(
    "/aefi/{aefi_id}/classification",
    summary="Classify the causality of a case (WHO categories)",
    description="MCC operators only, for a case under investigation (409 `wrong-transition` "
    "otherwise). May confirm or revise the seriousness. Publishes AefiClassified.",
    responses={**_403, **_CASE_404, **_WRONG_STEP},
    tags=["aefi"],
)
async def classify(
    aefi_id: Uuid,
    body: ClassificationCreate,
    staff: Classifier,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
) -> AefiCaseRead:
    """investigating → classified."""
    seriousness = tuple(dict.fromkeys(body.seriousness)) if body.seriousness is not None else None
    step = workflow.Step(
        staff,
        aefi_id,
        CaseAction.CLASSIFY,
        body.note,
        correlation_id,
        causality=body.causality,
        seriousness=seriousness,
    )
    return presenters.aefi_read(await workflow.move_case(step, c))


@router.post(
    "/aefi/{aefi_id}/closure",
    summary="Close a classified case",
    description="MCC operators and admins; only a `classified` case (409 `wrong-transition`).",
    responses={**_403, **_CASE_404, **_WRONG_STEP},
    tags=["aefi"],
)
async def close(
    aefi_id: Uuid,
    body: ClosureCreate,
    staff: Operator,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
) -> AefiCaseRead:
    """classified → closed."""
    step = workflow.Step(staff, aefi_id, CaseAction.CLOSE, body.note, correlation_id)
    return presenters.aefi_read(await workflow.move_case(step, c))


@router.get(
    "/signals",
    summary="Lot signals raised",
    description="MCC operators and admins. Newest first; a rule raises one signal per lot "
    "until the lot is released after a suspension.",
    responses=_403,
    tags=["signals"],
)
async def list_signals(
    staff: Operator,
    c: ComponentsDep,
    lot_id: Annotated[Uuid | None, Query(description="Only signals of this lot.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> LotSignalPage:
    """One page of signals."""
    offset = presenters.decode_cursor(cursor)
    where = {"lot_id": str(lot_id)} if lot_id else {}
    found, more = await c.lots.signals_page(where, offset, limit)
    return LotSignalPage(
        items=[presenters.signal_read(d) for d in found],
        next_cursor=presenters.encode_cursor(offset + limit) if more else None,
    )


@router.get(
    "/lots/{lot_id}",
    summary="A lot's state",
    description="Any staff. In use or suspended (with why), doses given (not voided), serious "
    "cases, and the signals raised since the lot was last released. Monitoring knows a lot "
    "once a site received it or a dose of it was recorded.",
    responses={**_403, **_LOT_404},
    tags=["lots"],
)
async def read_lot(lot_id: Uuid, staff: Staff, c: ComponentsDep) -> LotRead:
    """The lot."""
    return presenters.lot_read(await lots.read_lot(lot_id, c))


@router.post(
    "/lots/{lot_id}/suspend",
    summary="Suspend a lot: no site may use it",
    description="MCC operators and admins. Publishes LotSuspended; scheduling and injection "
    "refuse the lot from then on. Suspending a suspended lot is 409 `lot-already-suspended` "
    "and publishes nothing. 422 `unknown-signal` for a signal not of this lot.",
    responses={
        **_403,
        **_LOT_404,
        409: _problem(409, "lot-already-suspended", "The lot is suspended already."),
    },
    tags=["lots"],
)
async def suspend(
    lot_id: Uuid,
    body: SuspensionCreate,
    staff: Operator,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
) -> LotRead:
    """Suspend the lot."""
    cmd = lots.SuspendLot(staff, lot_id, body.reason, body.note, body.signal_id, correlation_id)
    return presenters.lot_read(await lots.suspend_lot(cmd, c))


@router.post(
    "/lots/{lot_id}/release",
    summary="Release a suspended lot",
    description="MCC operators and admins. Publishes LotReleased; the lot's signal rules may "
    "fire again. Releasing a lot in use is 409 `lot-not-suspended` and publishes nothing.",
    responses={
        **_403,
        **_LOT_404,
        409: _problem(409, "lot-not-suspended", "The lot is not suspended."),
    },
    tags=["lots"],
)
async def release(
    lot_id: Uuid,
    body: ReleaseCreate,
    staff: Operator,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
) -> LotRead:
    """Release the lot."""
    cmd = lots.ReleaseLot(staff, lot_id, body.reason, body.note, correlation_id)
    return presenters.lot_read(await lots.release_lot(cmd, c))
