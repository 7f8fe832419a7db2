"""Staff reads of certificates: appended to the service's audit log with CertificateReadByStaff.

The certificate names its holder and birth date, so every staff read is recorded (who, when,
which certificate, why, outcome) and reported, ids only, to registration's district audit log.
Citizens reading their own account's certificates are not audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from vaxflow_certificate.domain.records import DoseFile
from vaxflow_certificate.handlers.components import PRODUCER, STAFF_READ_TOPIC, Components
from vaxflow_events import CertificateReadByStaff, Envelope, ReadOutcome, StaffRole
from vaxflow_servicekit.outbox import outbox_entry

if TYPE_CHECKING:
    from vaxflow_certificate.handlers.reads import CertificateQuery

NO_REASON = "no reason given"


async def audit_staff_read(
    query: CertificateQuery, file: DoseFile, outcome: ReadOutcome, c: Components
) -> None:
    """Append the read and its event as one insert, and wake the relay."""
    now = c.now()
    staff, scope = query.caller, query.caller.scope
    event = CertificateReadByStaff(
        read_id=uuid4(),
        citizen_id=file.citizen_id,
        reader_id=staff.subject,
        reader_role=StaffRole(staff.role),
        reader_site_id=UUID(scope.site_id) if scope.site_id else None,
        reader_district=scope.district,
        resource_kind=query.kind,
        resource_id=query.certificate_id,
        reason=query.reason or NO_REASON,
        outcome=outcome,
        record_districts=(file.site.district,) if file.site.district else (),
        read_at=now,
    )
    envelope = Envelope.new(event, producer=PRODUCER, occurred_at=now, topic=STAFF_READ_TOPIC)
    record = {
        "_id": str(event.read_id),
        "at": now,
        "citizen_id": str(file.citizen_id),
        "what": query.kind,
        "certificate_id": str(query.certificate_id),
        "why": event.reason,
        "outcome": outcome.value,
        "who": {
            "subject": staff.subject,
            "role": staff.role,
            "site_id": scope.site_id,
            "district": scope.district,
        },
    }
    await c.staff_reads.append(record, [outbox_entry(c.staff_read_topic, envelope)], now)
    c.events_written()
