"""Registration's HTTP routes: thin, each a handful of lines over a handler."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from vaxflow_registration.domain.citizen import Relationship
from vaxflow_registration.domain.imports import HEADER_EXAMPLE, Issue
from vaxflow_registration.domain.national_id import IdType
from vaxflow_registration.handlers import audit, citizens, health_book, imports, uploads
from vaxflow_registration.handlers.components import Components
from vaxflow_registration.handlers.imports import ImportRunner
from vaxflow_registration.presenters import (
    changes_of,
    citizen_read,
    decode_cursor,
    encode_cursor,
    entry_read,
    import_read,
    person_of,
    staff_read_entry,
)
from vaxflow_registration.schemas import (
    CitizenChange,
    CitizenClaim,
    CitizenCreate,
    CitizenPage,
    CitizenRead,
    HealthBookPage,
    ImportRead,
    StaffReadPage,
)
from vaxflow_registration.store.imports import ImportRecord
from vaxflow_servicekit.auth import Principal, require_roles
from vaxflow_servicekit.context import CorrelationIdDep, RequestIdDep
from vaxflow_servicekit.links import link, links
from vaxflow_servicekit.models import IsoDateTime, Uuid
from vaxflow_servicekit.problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemError,
    problem_responses,
    problem_type,
)

router = APIRouter(prefix="/api/v1")


def components(request: Request) -> Components:
    """The handlers' components, built at start-up."""
    c: Components = request.app.state.components
    return c


def import_runner(request: Request) -> ImportRunner:
    """The background runner of imports."""
    runner: ImportRunner = request.app.state.import_runner
    return runner


ComponentsDep = Annotated[Components, Depends(components)]
CitizenCaller = Annotated[Principal, Depends(require_roles("citizen"))]
StaffCaller = Annotated[
    Principal,
    Depends(require_roles("vaccinator", "site_manager", "district_admin", "mcc_operator", "admin")),
]
Importer = Annotated[Principal, Depends(require_roles("district_admin", "admin"))]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
]
FamilyMember = Annotated[
    Uuid | None,
    Query(
        description="One of the account's people; default: the account holder (or, until "
        "they register, the earliest registered person)."
    ),
]


def _problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    example = {"type": problem_type(slug), "title": title, "status": status, "detail": detail}
    return {
        "description": title,
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": example | extra,
            }
        },
    }


_NOT_FOUND = _problem(404, "citizen-not-found", "Not Found", "No such citizen for you.")
_REGISTER_CONFLICT = _problem(
    409,
    "national-id-registered",
    "National ID already registered",
    "This national ID is already registered. If it is yours, sign in with the phone number it "
    "was registered with; if you no longer have that phone, recover access with your ID card as "
    "described at recovery_url.",
    recovery_url="https://vaxflow.example/help/recover-access",
)
_ROLE = problem_responses(403)


_CITIZEN_ID = "$response.body#/citizen_id"
_REGISTERED_LINKS = links(
    ReadRegistered=link("GET", "/api/v1/citizens/me", citizen_id=_CITIZEN_ID),
    ChangeRegistered=link("PATCH", "/api/v1/citizens/me", citizen_id=_CITIZEN_ID),
    ReadHealthBook=link("GET", "/api/v1/citizens/me/health-book", citizen_id=_CITIZEN_ID),
    ReadAsStaff=link("GET", "/api/v1/citizens/{citizen_id}", citizen_id=_CITIZEN_ID),
)


@router.post(
    "/citizens",
    status_code=201,
    summary="Register the account holder or a family member",
    description="Also answers 409 `account-full` (more than the account's limit of people, "
    "default 6) and `account-holder-registered` (a second `self`).",
    responses={**_ROLE, 201: _REGISTERED_LINKS, 409: _REGISTER_CONFLICT},
    tags=["citizens"],
)
async def register_citizen(
    body: CitizenCreate,
    caller: CitizenCaller,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
    response: Response,
) -> CitizenRead:
    """Register a person on the caller's phone account; nothing is stored if any field is bad."""
    relationship = Relationship(body.relationship)
    cmd = citizens.RegisterCitizen(
        caller.subject, relationship, person_of(body), body.consent, correlation_id
    )
    own = await citizens.register_citizen(cmd, c)
    response.headers["Location"] = f"/api/v1/citizens/me?citizen_id={own.citizen.citizen_id}"
    return citizen_read(own.citizen, national_id=own.national_id)


@router.post(
    "/citizens/claims",
    summary="Claim a record an organisation or ward registered",
    description="A person registered by a bulk import has no phone account yet. Their account "
    "takes the record over by naming its document and date of birth; the record then counts "
    "among the account's people and CitizenUpdated (with `account_id`, no changed fields) tells "
    "the other services. Every refusal is the same 404, and wrong claims are limited per account "
    "and day (429 with Retry-After).",
    responses={
        **_ROLE,
        404: _problem(
            404,
            "no-record-to-claim",
            "No record to claim",
            "No record registered by an organisation or ward matches this document and date of "
            "birth, or it is already held by a phone account.",
        ),
        409: _problem(
            409,
            "account-full",
            "Phone account is full",
            "A phone account may register at most 6 people (also `account-holder-registered`).",
        ),
        429: _problem(
            429,
            "too-many-claims",
            "Too many claims",
            "Too many claims that matched no record today; try again tomorrow.",
        ),
    },
    tags=["citizens"],
)
async def claim_citizen(
    body: CitizenClaim, caller: CitizenCaller, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> CitizenRead:
    """Take over an imported record; nothing changes if any check fails."""
    cmd = citizens.ClaimCitizen(
        account_id=caller.subject,
        relationship=Relationship(body.relationship),
        id_type=IdType(body.id_type),
        national_id=body.national_id,
        passport_country=body.passport_country,
        date_of_birth=body.date_of_birth,
        consent=body.consent,
        correlation_id=correlation_id,
    )
    own = await citizens.claim_citizen(cmd, c)
    return citizen_read(own.citizen, national_id=own.national_id)


@router.get(
    "/citizens/me",
    summary="One of my account's people",
    responses={**_ROLE, 404: _NOT_FOUND},
    tags=["citizens"],
)
async def read_my_citizen(
    caller: CitizenCaller, c: ComponentsDep, citizen_id: FamilyMember = None
) -> CitizenRead:
    """The account holder's record, or a family member's with `citizen_id`."""
    own = await citizens.own_citizen(caller.subject, citizen_id, c)
    return citizen_read(own.citizen, national_id=own.national_id)


@router.get(
    "/citizens/me/people", summary="All my account's people", responses=_ROLE, tags=["citizens"]
)
async def list_my_people(
    caller: CitizenCaller, c: ComponentsDep, cursor: Cursor = None, limit: Limit = 20
) -> CitizenPage:
    """Everyone registered on the caller's phone account, in registration order."""
    page = await c.citizens.of_account(caller.subject, after=decode_cursor(cursor), limit=limit)
    items = [
        citizen_read(
            s.citizen, national_id=c.protector.open(s.sealed_national_id, s.citizen.citizen_id)
        )
        for s in page
    ]
    last = page[-1].citizen if len(page) == limit else None
    next_cursor = encode_cursor(last.registered_at, str(last.citizen_id)) if last else None
    return CitizenPage(items=items, next_cursor=next_cursor)


@router.patch(
    "/citizens/me",
    summary="Change my (or a family member's) details",
    description="Name, date of birth, sex, residence and priority group changes publish "
    "CitizenUpdated; every change is kept in the record's history with who and why.",
    responses={
        **_ROLE,
        404: _NOT_FOUND,
        409: _problem(
            409,
            "changed-concurrently",
            "Changed concurrently",
            "The record was changed at the same time; read it again and repeat the change.",
        ),
    },
    tags=["citizens"],
)
async def change_my_citizen(
    body: CitizenChange,
    caller: CitizenCaller,
    c: ComponentsDep,
    correlation_id: CorrelationIdDep,
    citizen_id: FamilyMember = None,
) -> CitizenRead:
    """Apply the given fields; the others stay as they are."""
    cmd = citizens.ChangeCitizen(
        caller.subject, citizen_id, changes_of(body), body.reason, correlation_id
    )
    own = await citizens.change_citizen(cmd, c)
    return citizen_read(own.citizen, national_id=own.national_id)


@router.get(
    "/citizens/me/health-book",
    summary="My (or a family member's) health book",
    responses={**_ROLE, 404: _NOT_FOUND},
    tags=["citizens"],
)
async def read_health_book(
    caller: CitizenCaller,
    c: ComponentsDep,
    citizen_id: FamilyMember = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> HealthBookPage:
    """Appointments, check-ins, screenings, doses, certificates and reactions, oldest first."""
    owner, entries = await health_book.health_book_page(
        caller.subject, citizen_id, decode_cursor(cursor), limit, c
    )
    last = entries[-1] if len(entries) == limit else None
    next_cursor = encode_cursor(last.occurred_at, str(last.event_id)) if last else None
    return HealthBookPage(
        citizen_id=owner, items=[entry_read(e) for e in entries], next_cursor=next_cursor
    )


@router.get(
    "/citizens/{citizen_id}",
    summary="Staff lookup of a citizen (audited)",
    description="Only staff whose scope covers the citizen's current appointment site (or its "
    "district) see the record; MCC operators and admins see every record. Others get the same "
    "404 as for an unknown id. Every lookup is appended to the audit log with `reason`.",
    responses={**_ROLE, 404: _NOT_FOUND},
    tags=["staff"],
)
async def read_citizen_as_staff(
    citizen_id: Uuid,
    staff: StaffCaller,
    c: ComponentsDep,
    request_id: RequestIdDep,
    reason: Annotated[str, Query(min_length=3, max_length=200, description="Why you look.")],
) -> CitizenRead:
    """The citizen's record, national ID masked."""
    query = citizens.StaffRead(staff, citizen_id, reason, request_id)
    return citizen_read(await citizens.read_for_staff(query, c), national_id=None)


_CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "The CSV file as the raw body, UTF-8 with or without BOM. Header (any "
        "order; passport_country, address_line, priority_group and health_insurance_number may "
        "be left out): `" + HEADER_EXAMPLE + "`. Dates YYYY-MM-DD or DD/MM/YYYY; sex male/female/"
        "unspecified (or nam/nữ); consent yes/true/có.",
        "content": {
            uploads.CSV_MEDIA_TYPE: {
                "schema": {"type": "string"},
                "example": HEADER_EXAMPLE + "\ncccd,079090001234,,Nguyễn Văn An,1990-04-30,male,"
                "0912345678,79,26743,12 Lê Lợi,8,DN4797912345678,yes\n",
            }
        },
    }
}


_TOO_LARGE = _problem(
    413, "content-too-large", "Content Too Large", "An import file has at most 200000 rows."
)
_WRONG_TYPE = _problem(
    415,
    "unsupported-media-type",
    "Unsupported Media Type",
    "Send the file as the raw request body with Content-Type: text/csv (UTF-8).",
)
_MALFORMED = _problem(
    422, "malformed-csv", "Malformed CSV file", "The CSV is malformed at line 3: unexpected end."
)
_BUSY = _problem(
    503, "imports-busy", "Imports busy", "Other imports are running; try again shortly."
)
_REPORT_EXAMPLE = (
    "line,field,rule,reason\r\n"
    "7,national_id,cccd_birth_year,Digits 5 and 6 do not match the year of the date of birth\r\n"
)


@router.post(
    "/registration/imports",
    status_code=202,
    summary="Bulk-register the people of a CSV file",
    description="Checks the whole file first (type, size, UTF-8, header, quoting), then "
    "registers the valid rows in the background; follow `Location`. The same file uploaded "
    "again answers 200 with its first import and registers nobody twice.",
    responses={
        **_ROLE,
        200: {"model": ImportRead, "description": "This file was imported before."},
        413: _TOO_LARGE,
        415: _WRONG_TYPE,
        422: _MALFORMED,
        503: _BUSY,
    },
    openapi_extra=_CSV_BODY,
    tags=["imports"],
)
async def upload_import(
    request: Request, staff: Importer, c: ComponentsDep, response: Response
) -> ImportRead:
    """Receive the file, then start (or find) its import."""
    uploads.check_content_type(request.headers.get("content-type"))
    runner = import_runner(request)
    if not runner.has_room():
        raise ProblemError(
            503,
            "Other imports are running; try again shortly.",
            slug="imports-busy",
            headers={"Retry-After": "10"},
        )
    upload = await uploads.receive_upload(request.stream(), c.settings)
    record, run_now = await imports.start_import(upload, staff, c)
    if run_now:
        runner.submit(record.import_id, upload)
    else:
        upload.discard()
        response.status_code = 200
    response.headers["Location"] = _import_url(record.import_id)
    return import_read(record, report_url=_import_url(record.import_id) + "/report.csv")


async def _visible_import(import_id: UUID, staff: Principal, c: Components) -> ImportRecord:
    record = await c.imports.get(import_id)
    if record is None or not _may_see(staff, record):
        raise ProblemError(404, "No such import for you.", slug="import-not-found")
    return record


def _may_see(staff: Principal, record: ImportRecord) -> bool:
    by = record.created_by
    return (
        staff.role == "admin"
        or by.get("subject") == staff.subject
        or (staff.scope.district is not None and by.get("district") == staff.scope.district)
    )


@router.get(
    "/registration/imports/{import_id}",
    summary="Progress and outcome of an import",
    responses={
        **_ROLE,
        404: _problem(404, "import-not-found", "Not Found", "No such import for you."),
    },
    tags=["imports"],
)
async def read_import(import_id: Uuid, staff: Importer, c: ComponentsDep) -> ImportRead:
    """Counts so far, state, and where the report is."""
    record = await _visible_import(import_id, staff, c)
    return import_read(record, report_url=_import_url(import_id) + "/report.csv")


@router.get(
    "/registration/imports/{import_id}/report.csv",
    summary="Row-level report of an import (CSV)",
    response_class=StreamingResponse,
    responses={
        **_ROLE,
        200: {"content": {"text/csv": {"example": _REPORT_EXAMPLE}}},
        404: _problem(404, "import-not-found", "Not Found", "No such import for you."),
    },
    tags=["imports"],
)
async def download_report(import_id: Uuid, staff: Importer, c: ComponentsDep) -> StreamingResponse:
    """One line per refused row and field: line, field, rule, reason (UTF-8 with BOM)."""
    await _visible_import(import_id, staff, c)
    return StreamingResponse(
        _report_lines(c.imports.issues(import_id)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-report.csv"'},
    )


async def _report_lines(issues: AsyncIterator[Issue]) -> AsyncIterator[str]:
    yield "\ufeffline,field,rule,reason\r\n"
    async for issue in issues:
        out = io.StringIO()
        csv.writer(out).writerow([issue.line, issue.field, issue.rule, issue.reason])
        yield out.getvalue()


def _import_url(import_id: UUID) -> str:
    return f"/api/v1/registration/imports/{import_id}"


AuditReader = Annotated[Principal, Depends(require_roles("district_admin", "admin"))]


@router.get(
    "/audit/reads",
    summary="Staff reads of citizens' personal data (audit log), newest first",
    description="Every staff read of a citizen's record, doses or certificate, in any service: "
    "who (from their token), when, what, why and the outcome. Admins list every district; a "
    "district admin lists the reads of people booked in their district or whose records read "
    "were made there. The log is append-only: no API changes or removes an entry.",
    responses=_ROLE,
    tags=["audit"],
)
async def list_staff_reads(
    caller: AuditReader,
    c: ComponentsDep,
    since: Annotated[IsoDateTime | None, Query(description="Reads at or after this time.")] = None,
    until: Annotated[IsoDateTime | None, Query(description="Reads before this time.")] = None,
    reader_id: Annotated[
        str | None, Query(min_length=1, max_length=128, description="One staff account's reads.")
    ] = None,
    citizen_id: Annotated[Uuid | None, Query(description="One citizen's reads.")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> StaffReadPage:
    """A page of the audit log within the caller's district."""
    wanted = audit.filter_for(
        caller, since=since, until=until, reader_id=reader_id, citizen_id=citizen_id
    )
    entries = await audit.reads_page(wanted, decode_cursor(cursor), limit, c)
    last = entries[-1] if len(entries) == limit else None
    next_cursor = encode_cursor(last.at, str(last.read_id)) if last else None
    return StaffReadPage(items=[staff_read_entry(e) for e in entries], next_cursor=next_cursor)
