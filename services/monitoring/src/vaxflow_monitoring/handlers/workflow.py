"""The case workflow: reported → investigating → classified → closed, each step audited in the
case's `history` and the classification published as AefiClassified.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from vaxflow_events import AefiCausality, AefiClassified, SeriousnessCriterion
from vaxflow_monitoring.domain.cases import CaseAction, CaseStatus, next_status
from vaxflow_monitoring.domain.errors import NotFound, Refused
from vaxflow_monitoring.domain.staff import staff_uuid
from vaxflow_monitoring.handlers.components import Components
from vaxflow_monitoring.handlers.scope import may_read_case
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document


@dataclass(frozen=True)
class Step:
    """An operator moves a case on."""

    staff: Principal
    aefi_id: UUID
    action: CaseAction
    note: str | None
    correlation_id: str | None
    # Classification only: the WHO category, and a revised seriousness (None keeps the report's).
    causality: AefiCausality | None = None
    seriousness: tuple[SeriousnessCriterion, ...] | None = None


async def move_case(step: Step, c: Components) -> Document:
    """Apply the step to the case as read; 409 when the case is elsewhere in its workflow."""
    case = await c.cases.get(step.aefi_id)
    if case is None or not await may_read_case(step.staff, case, c):
        raise NotFound
    after = next_status(CaseStatus(case["status"]), step.action)
    now = c.now()
    fields: Document = {"status": after.value, "updated_at": now}
    entry: Document = {
        "action": step.action.value,
        "status": after.value,
        "at": now,
        "role": step.staff.role,
        "by": str(staff_uuid(step.staff.subject)),
        "note": step.note,
    }
    events = []
    if step.action is CaseAction.CLASSIFY:
        assert step.causality is not None
        seriousness = (
            step.seriousness
            if step.seriousness is not None
            else tuple(SeriousnessCriterion(s) for s in case["seriousness"])
        )
        fields |= {
            "causality": step.causality.value,
            "serious": bool(seriousness),
            "seriousness": [s.value for s in seriousness],
        }
        # Joined, not a list: FerretDB keeps no arrays inside the history's array.
        entry |= {
            "causality": step.causality.value,
            "seriousness": ",".join(s.value for s in seriousness),
        }
        classified = AefiClassified(
            aefi_id=step.aefi_id,
            citizen_id=UUID(case["citizen_id"]),
            lot_id=UUID(case["lot_id"]),
            causality=step.causality,
            serious=bool(seriousness),
            seriousness=seriousness,
            classified_by=staff_uuid(step.staff.subject),
        )
        events.append(c.aefi_event(classified, step.correlation_id, now))
    if not await c.cases.step(case, fields, entry, events, now):
        raise Refused.one(
            "case_changed", "status", "The case changed meanwhile; read it again.", status=409
        )
    if events:
        c.events_written()
    history = [*case["history"], entry]
    return case | fields | {"version": case["version"] + 1, "history": history}
