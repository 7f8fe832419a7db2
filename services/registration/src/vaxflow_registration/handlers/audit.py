"""The staff-read audit log: reads reported by other services, and the district admin's listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from vaxflow_events import CertificateReadByStaff, DosesReadByStaff, Envelope, StaffRead
from vaxflow_registration.domain.audit import AuditEntry, AuditFilter, entry_of_event
from vaxflow_registration.handlers.components import Components
from vaxflow_servicekit.auth import NATIONAL_ROLES, Principal
from vaxflow_servicekit.consumer import Handler
from vaxflow_servicekit.problems import ProblemError

STAFF_READ_EVENTS: tuple[type[StaffRead], ...] = (DosesReadByStaff, CertificateReadByStaff)


async def record_staff_read(event: StaffRead, envelope: Envelope[Any], c: Components) -> None:
    """Append a read another service reported, with the district the citizen is booked in.

    Keyed by the read id: a redelivered event finds its entry already there.
    """
    current = await c.whereabouts.current(event.citizen_id)
    booked = current.site_district if current else None
    await c.audit.append(entry_of_event(event, envelope.producer, booked, event.read_at))


def audit_handlers(c: Components) -> dict[str, Handler]:
    """The handler of each staff-read event type."""

    async def handle(event: Any, envelope: Any) -> None:
        await record_staff_read(event, envelope, c)

    return {event.event_type: handle for event in STAFF_READ_EVENTS}


def filter_for(
    caller: Principal,
    *,
    since: datetime | None,
    until: datetime | None,
    reader_id: str | None,
    citizen_id: UUID | None,
) -> AuditFilter:
    """The caller's filter: national roles see every district, a district admin their own."""
    if caller.role in NATIONAL_ROLES:
        district = None
    elif caller.role == "district_admin" and caller.scope.district:
        district = caller.scope.district
    else:
        raise ProblemError(403, "Only admins and district admins list staff reads.")
    return AuditFilter(district, since, until, reader_id, citizen_id)


async def reads_page(
    wanted: AuditFilter, after: tuple[datetime, str] | None, limit: int, c: Components
) -> list[AuditEntry]:
    """A page of the log, newest first."""
    return await c.audit.page(wanted, after=after, limit=limit)
