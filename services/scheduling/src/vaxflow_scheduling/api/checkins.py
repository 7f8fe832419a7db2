"""Routes of check-in and queues."""

from __future__ import annotations

from fastapi import APIRouter

from vaxflow_scheduling.api.deps import ROLE, ComponentsDep, SiteStaff, Staff
from vaxflow_scheduling.handlers import checkins
from vaxflow_scheduling.metrics import CHECK_INS
from vaxflow_scheduling.schemas import CheckInCreate, CheckInRead, QueueRead
from vaxflow_servicekit.context import CorrelationIdDep
from vaxflow_servicekit.models import Uuid
from vaxflow_servicekit.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["check-in"])


@router.post(
    "/check-ins",
    status_code=201,
    summary="Check a citizen in (QR token, or citizen id for a walk-in)",
    description="Staff of the site. 409 `already-checked-in` (with the queue number given "
    "earlier) or `appointment-not-active`; 422 for a token that is not ours (`valid_token`), "
    "for another site (`this_site`) or for an appointment on an earlier day "
    "(`appointment_day`).",
    responses={**ROLE, **problem_responses(404, 409)},
)
async def check_in(
    body: CheckInCreate, caller: SiteStaff, c: ComponentsDep, correlation_id: CorrelationIdDep
) -> CheckInRead:
    """Mark the arrival and give a queue number."""
    cmd = checkins.CheckIn(
        str(body.site_id),
        body.token,
        str(body.citizen_id) if body.citizen_id else None,
        correlation_id,
    )
    doc = await checkins.check_in(cmd, caller, c)
    CHECK_INS.labels(doc["site_id"], doc["method"]).inc()
    return CheckInRead(
        check_in_id=doc["check_in_id"],
        site_id=doc["site_id"],
        citizen_id=doc["citizen_id"],
        appointment_id=doc["appointment_id"],
        method=doc["method"],
        queue_number=doc["queue_number"],
        checked_in_at=doc["checked_in_at"],
    )


@router.get(
    "/sites/{site_id}/queue",
    summary="The site's queue today",
    description="People checked in and not yet vaccinated, how long they have waited, and the "
    "expected wait (people waiting x the site's recent minutes per person). Also exported as "
    "the metrics `vaxflow_scheduling_queue_waiting` and `..._queue_longest_wait_seconds`.",
    responses={**ROLE, **problem_responses(404)},
)
async def queue(site_id: Uuid, caller: Staff, c: ComponentsDep) -> QueueRead:
    """The queue."""
    return QueueRead.model_validate(await checkins.queue_of(str(site_id), caller, c))
