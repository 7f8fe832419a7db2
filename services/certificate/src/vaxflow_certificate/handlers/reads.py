"""Reading certificates: the caller's own, one by id (owner or staff in scope), the lists."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from vaxflow_certificate.domain.records import CertificateRecord, DoseFile
from vaxflow_certificate.domain.signers import TrustedSigner
from vaxflow_certificate.handlers.audit import audit_staff_read
from vaxflow_certificate.handlers.components import Components
from vaxflow_events import ReadOutcome
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.problems import ProblemError


def not_found() -> ProblemError:
    """The answer for a certificate that does not exist or is not the caller's to see."""
    return ProblemError(404, "No such certificate for you.", slug="certificate-not-found")


async def may_see(principal: Principal, file: DoseFile, c: Components) -> bool:
    """Owners (their account holds the citizen) and staff whose scope covers the dose's site."""
    if not principal.is_staff:
        return await c.holders.holds(principal.subject, file.citizen_id)
    return principal.covers_site(str(file.site.site_id), district=file.site.district)


@dataclass(frozen=True)
class CertificateQuery:
    """Who asks for which certificate, in which form, and (staff) why."""

    caller: Principal
    certificate_id: UUID
    kind: str = "certificate"
    reason: str | None = None


async def certificate_for(query: CertificateQuery, c: Components) -> CertificateRecord:
    """One certificate the caller may see, current or revoked; 404 otherwise.

    Every staff read of an existing certificate, shown or refused, is audited.
    """
    file = await c.doses.by_certificate(query.certificate_id)
    record = file.certificate(query.certificate_id) if file else None
    if file is None or record is None:
        raise not_found()
    allowed = await may_see(query.caller, file, c)
    if query.caller.is_staff:
        await audit_staff_read(
            query, file, ReadOutcome.SHOWN if allowed else ReadOutcome.REFUSED, c
        )
    if not allowed:
        raise not_found()
    return record


@dataclass(frozen=True)
class Page:
    """A page of certificates and the cursor of the next one."""

    items: list[CertificateRecord]
    next_cursor: str | None


async def my_certificates(account_id: str, *, after: str | None, limit: int, c: Components) -> Page:
    """The current certificates of every citizen the account holds, by dose."""
    citizens = await c.holders.citizens_of(account_id)
    if not citizens:
        return Page([], None)
    files = await c.doses.current_of(citizens, after=after, limit=limit + 1)
    more = len(files) > limit
    files = files[:limit]
    items = [f.current for f in files if f.current is not None]
    return Page(items, str(files[-1].dose_id) if more and files else None)


def trust_list(c: Components) -> list[TrustedSigner]:
    """Every DSC in use (signing or still verifying), newest first."""
    return sorted(c.keys.trusted, key=lambda s: s.not_before, reverse=True)


async def revocation_page(
    *, after: str | None, limit: int, c: Components
) -> tuple[list[Document], str | None]:
    """A page of the revocation list in hash order, and the next cursor."""
    entries = await c.revocations.page(after=after, limit=limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return entries, entries[-1]["_id"] if more and entries else None
