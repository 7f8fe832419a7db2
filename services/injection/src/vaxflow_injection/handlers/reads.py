"""Reading a citizen's doses: staff in scope (every read audited) and the citizen's own account."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from vaxflow_injection.handlers.components import Components
from vaxflow_injection.handlers.scope import may_read_citizen
from vaxflow_injection.store import StoredDose
from vaxflow_servicekit.auth import Principal


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
        await _audit(query, "refused", c)
        raise
    await _audit(query, "allowed", c)
    return doses


async def _audit(query: ReadDoses, outcome: str, c: Components) -> None:
    if not query.caller.is_staff:
        return
    await c.doses.audit_read(
        {
            "citizen_id": str(query.citizen_id),
            "by": query.caller.subject,
            "role": query.caller.role,
            "scope": query.caller.scope.model_dump(),
            "at": c.now(),
            "purpose": query.purpose,
            "outcome": outcome,
            "request_id": query.request_id,
        }
    )
