"""Suspending and releasing lots (LotSuspended / LotReleased), and what monitoring knows of a lot.

Suspending a suspended lot (or releasing a lot in use) is refused with 409 and publishes
nothing: the state did not change, and the operator learns that someone else acted first.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from vaxflow_events import LotReleased, LotSuspended, ReleaseReason, SuspensionReason
from vaxflow_monitoring.domain.errors import NotFound, Refused
from vaxflow_monitoring.domain.staff import staff_uuid
from vaxflow_monitoring.handlers.components import Components
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document


@dataclass(frozen=True)
class LotView:
    """A lot as operators see it: state, doses given, serious cases, the episode's signals."""

    lot: Document
    doses: int
    serious_cases: int
    signals: list[Document]


@dataclass(frozen=True)
class SuspendLot:
    """An MCC operator stops every site from using a lot."""

    staff: Principal
    lot_id: UUID
    reason: SuspensionReason
    note: str | None
    signal_id: UUID | None
    correlation_id: str | None


@dataclass(frozen=True)
class ReleaseLot:
    """An MCC operator lets sites use a suspended lot again."""

    staff: Principal
    lot_id: UUID
    reason: ReleaseReason
    note: str | None
    correlation_id: str | None


async def _known(lot_id: UUID, c: Components) -> Document:
    lot = await c.lots.get(lot_id)
    if lot is None:
        raise NotFound("lot")
    return lot


async def suspend_lot(cmd: SuspendLot, c: Components) -> LotView:
    """Suspend the lot with LotSuspended in the same write; 409 if it is suspended already."""
    lot = await _known(cmd.lot_id, c)
    if cmd.signal_id is not None:
        signal = await c.lots.signal(cmd.signal_id)
        if signal is None or signal["lot_id"] != str(cmd.lot_id):
            raise Refused.one("unknown_signal", "body.signal_id", "No such signal on this lot.")
    if lot["suspended"]:
        raise _already("lot_already_suspended", "The lot is suspended already.")
    now = c.now()
    by = staff_uuid(cmd.staff.subject)
    event = LotSuspended(
        lot_id=cmd.lot_id,
        product_code=lot["product_code"],
        lot_number=lot["lot_number"],
        reason=cmd.reason,
        signal_id=cmd.signal_id,
        suspended_by=by,
    )
    suspension = {
        "reason": cmd.reason.value,
        "note": cmd.note,
        "signal_id": str(cmd.signal_id) if cmd.signal_id else None,
        "at": now,
        "by": str(by),
    }
    changed = await c.lots.change(
        cmd.lot_id,
        suspended_before=False,
        fields={"suspended": True, "suspension": suspension, "updated_at": now},
        entry={"action": "suspend", **suspension},
        events=[c.lot_event(event, cmd.correlation_id, now)],
        now=now,
    )
    if not changed:
        raise _already("lot_already_suspended", "The lot was suspended meanwhile.")
    c.events_written()
    return await read_lot(cmd.lot_id, c)


async def release_lot(cmd: ReleaseLot, c: Components) -> LotView:
    """Release the lot with LotReleased; its signals may fire again. 409 if not suspended."""
    lot = await _known(cmd.lot_id, c)
    if not lot["suspended"]:
        raise _already("lot_not_suspended", "The lot is not suspended.")
    now = c.now()
    by = staff_uuid(cmd.staff.subject)
    event = LotReleased(
        lot_id=cmd.lot_id,
        product_code=lot["product_code"],
        lot_number=lot["lot_number"],
        reason=cmd.reason,
        released_by=by,
    )
    release = {"reason": cmd.reason.value, "note": cmd.note, "at": now, "by": str(by)}
    changed = await c.lots.change(
        cmd.lot_id,
        suspended_before=True,
        fields={"suspended": False, "suspension": None, "updated_at": now},
        entry={"action": "release", **release},
        events=[c.lot_event(event, cmd.correlation_id, now)],
        now=now,
        new_episode=True,
    )
    if not changed:
        raise _already("lot_not_suspended", "The lot was released meanwhile.")
    c.events_written()
    return await read_lot(cmd.lot_id, c)


async def read_lot(lot_id: UUID, c: Components) -> LotView:
    """The lot's state and figures."""
    lot = await _known(lot_id, c)
    doses = await c.reads.doses_of_lot(lot_id)
    serious = len(await c.cases.serious_onsets(lot_id))
    signals = await c.lots.open_signals(lot_id, lot["episode"])
    return LotView(lot, doses, serious, signals)


def _already(rule: str, message: str) -> Refused:
    return Refused.one(rule, "lot_id", message, status=409)
