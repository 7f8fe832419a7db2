"""Reading a citizen's doses: staff in scope (every read audited) and the citizen's own account."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from vaxflow_events import DosesReadByStaff, Envelope, ReadOutcome, StaffRole, topic_for
from vaxflow_injection.handlers.components import PRODUCER, Components
from vaxflow_injection.handlers.scope import may_read_citizen
from vaxflow_injection.store import StoredDose
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import outbox_entry

STAFF_READ_TOPIC = topic_for(DosesReadByStaff)


@dataclass(frozen=True)
class ReadDoses:
    """Who reads whose doses, and why (for the audit of staff reads)."""

    caller: Principal
    citizen_id: UUID
    purpose: str
    request_id: str | None


async def doses_of_citizen(query: ReadDoses, c: Components) -> list[StoredDose]:
    """Every record of the citizen, voided ones included, oldest first; NotFound out of scope."""
    doses = await c.doses.of_citizen(query.citizen_id)
    try:
        await may_read_citizen(query.caller, query.citizen_id, doses, c)
    except Exception:
        await _audit(query, "refused", doses, c)
        raise
    await _audit(query, "allowed", doses, c)
    return doses


async def _audit(query: ReadDoses, outcome: str, doses: list[StoredDose], c: Components) -> None:
    """Append the staff read and its DosesReadByStaff (ids only) as one write."""
    if not query.caller.is_staff:
        return
    now = c.now()
    record = {
        "_id": str(uuid4()),
        "citizen_id": str(query.citizen_id),
        "by": query.caller.subject,
        "role": query.caller.role,
        "scope": query.caller.scope.model_dump(),
        "at": now,
        "purpose": query.purpose,
        "outcome": outcome,
        "request_id": query.request_id,
    }
    event = await _read_event(query, record, doses, c)
    envelope = Envelope.new(event, producer=PRODUCER, occurred_at=now, topic=STAFF_READ_TOPIC)
    await c.doses.audit_read(record, [outbox_entry(STAFF_READ_TOPIC.name, envelope)], now)
    c.events_written()


async def _read_event(
    query: ReadDoses, record: Document, doses: list[StoredDose], c: Components
) -> DosesReadByStaff:
    scope = query.caller.scope
    areas = [await c.reads.site_area(site) for site in {d.site_id for d in doses}]
    outcome = _OUTCOMES[record["outcome"]]
    if outcome is ReadOutcome.REFUSED and not doses:
        outcome = ReadOutcome.NOT_FOUND
    return DosesReadByStaff(
        read_id=UUID(record["_id"]),
        citizen_id=query.citizen_id,
        reader_id=query.caller.subject,
        reader_role=StaffRole(query.caller.role),
        reader_site_id=UUID(scope.site_id) if scope.site_id else None,
        reader_district=scope.district,
        resource_kind="doses",
        resource_id=None,
        reason=query.purpose,
        outcome=outcome,
        record_districts=tuple(sorted({a.district_code for a in areas if a and a.district_code})),
        read_at=record["at"],
    )


_OUTCOMES = {"allowed": ReadOutcome.SHOWN, "refused": ReadOutcome.REFUSED}
