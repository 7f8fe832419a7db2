"""The certificate service's HTTP routes: thin, each a handful of lines over a handler."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from vaxflow_certificate.domain.pdf import Fonts, certificate_pdf
from vaxflow_certificate.handlers import reads
from vaxflow_certificate.handlers.components import Components
from vaxflow_certificate.handlers.limits import admit_download, admit_list
from vaxflow_certificate.handlers.verifying import verify_presented
from vaxflow_certificate.presenters import (
    certificate_read,
    revocation_read,
    signer_read,
    verify_result,
)
from vaxflow_certificate.schemas import (
    CertificatePage,
    CertificateRead,
    RevocationList,
    TrustList,
    VerifyRequest,
    VerifyResult,
)
from vaxflow_servicekit.auth import CurrentPrincipal, Principal, require_roles
from vaxflow_servicekit.problems import PROBLEM_MEDIA_TYPE, problem_responses, problem_type

router = APIRouter(prefix="/api/v1")


def components(request: Request) -> Components:
    """The handlers' components, built at start-up."""
    c: Components = request.app.state.components
    return c


ComponentsDep = Annotated[Components, Depends(components)]
CitizenCaller = Annotated[Principal, Depends(require_roles("citizen"))]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "No such certificate, or not the caller's to see",
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {
                    "type": problem_type("certificate-not-found"),
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No such certificate for you.",
                },
            }
        },
    }
}
_PNG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "The QR code, PNG."}
}
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The certificate, PDF."}
}
_PRIVATE = {"Cache-Control": "private, max-age=300"}
_TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many downloads by this caller in the window (see Retry-After)",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {
                    "type": problem_type("too-many-downloads"),
                    "title": "Too Many Requests",
                    "status": 429,
                    "detail": "At most 120 certificate downloads per 60 s; try again in 12 s.",
                },
            }
        },
    }
}
StaffReason = Annotated[
    str | None,
    Query(
        min_length=3,
        max_length=200,
        description="Staff: why you look (audited with the read). Citizens leave it out.",
    ),
]


async def _downloader(caller: CurrentPrincipal, c: ComponentsDep) -> Principal:
    await admit_download(caller, c)
    return caller


async def _citizen_downloader(caller: CitizenCaller, c: ComponentsDep) -> Principal:
    await admit_list(caller, c)
    return caller


Downloader = Annotated[Principal, Depends(_downloader)]
CitizenDownloader = Annotated[Principal, Depends(_citizen_downloader)]


@router.get(
    "/certificates/me",
    summary="The current certificates of the caller's account",
    description="Every current certificate of the people the phone account holds (the holder "
    "and family members), one per dose, with its level and status. Reads are limited per "
    "account and window (429 with Retry-After).",
    responses={**problem_responses(403), **_TOO_MANY},
    tags=["certificates"],
)
async def my_certificates(
    caller: CitizenDownloader, c: ComponentsDep, limit: Limit = 20, cursor: Cursor = None
) -> CertificatePage:
    page = await reads.my_certificates(caller.subject, after=cursor, limit=limit, c=c)
    return CertificatePage(
        items=[certificate_read(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/certificates/{certificate_id}.pdf",
    summary="The certificate as a one-page PDF (Vietnamese and English)",
    response_class=Response,
    description="Staff reads are audited (give `reason`); every download counts against the "
    "caller's download limit.",
    responses={**_PDF, **_NOT_FOUND, **_TOO_MANY},
    tags=["certificates"],
)
async def certificate_pdf_file(
    certificate_id: UUID, caller: Downloader, c: ComponentsDep, reason: StaffReason = None
) -> Response:
    query = reads.CertificateQuery(caller, certificate_id, "certificate_pdf", reason)
    record = await reads.certificate_for(query, c)
    fonts = Fonts(c.settings.font_regular, c.settings.font_bold)
    content = await asyncio.to_thread(certificate_pdf, record, c.qr.png(record.hc1), fonts)
    return Response(content, media_type="application/pdf", headers=_PRIVATE)


@router.get(
    "/certificates/{certificate_id}/qr.png",
    summary="The certificate's QR code (alphanumeric mode, error correction Q)",
    response_class=Response,
    description="Staff reads are audited (give `reason`); every download counts against the "
    "caller's download limit.",
    responses={**_PNG, **_NOT_FOUND, **_TOO_MANY},
    tags=["certificates"],
)
async def certificate_qr(
    certificate_id: UUID, caller: Downloader, c: ComponentsDep, reason: StaffReason = None
) -> Response:
    query = reads.CertificateQuery(caller, certificate_id, "certificate_qr", reason)
    record = await reads.certificate_for(query, c)
    return Response(c.qr.png(record.hc1), media_type="image/png", headers=_PRIVATE)


@router.get(
    "/certificates/{certificate_id}",
    summary="One certificate (its owner, or staff whose scope covers the dose's site)",
    description="Staff reads, shown or refused, are audited with `reason`.",
    responses=_NOT_FOUND,
    tags=["certificates"],
)
async def certificate(
    certificate_id: UUID, caller: CurrentPrincipal, c: ComponentsDep, reason: StaffReason = None
) -> CertificateRead:
    query = reads.CertificateQuery(caller, certificate_id, "certificate", reason)
    return certificate_read(await reads.certificate_for(query, c))


@router.post(
    "/certificates/verify",
    summary="Verify a presented certificate (any EU DCC; anyone may ask)",
    description="Answers 200 whether or not the certificate is valid: `valid`, the `reason` "
    "it is not (prefix, base45, compression, cbor, cose_structure, cwt_structure, "
    "unsupported_algorithm, missing_kid, unknown_kid, signature, not_yet_valid, expired, "
    "key_usage, entry_count, schema, revoked) and what it certifies.",
    tags=["verification"],
)
async def verify(body: VerifyRequest, c: ComponentsDep) -> VerifyResult:
    return verify_result(await verify_presented(body.qr, c))


@router.get(
    "/trust-list",
    summary="Every document signer certificate (DSC) in use",
    tags=["verification"],
)
async def trust_list(c: ComponentsDep) -> TrustList:
    items = [signer_read(s) for s in reads.trust_list(c)]
    return TrustList(items=items, generated_at=c.now())


@router.get(
    "/revocations",
    summary="Revoked certificates, as the EU revocation scheme lists them (UVCI hashes)",
    tags=["verification"],
)
async def revocations(
    c: ComponentsDep, limit: Annotated[int, Query(ge=1, le=1000)] = 1000, cursor: Cursor = None
) -> RevocationList:
    entries, next_cursor = await reads.revocation_page(after=cursor, limit=limit, c=c)
    items: list[Any] = [revocation_read(d) for d in entries]
    return RevocationList(generated_at=c.now(), items=items, next_cursor=next_cursor)
