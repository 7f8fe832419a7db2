"""The stock ledger: receipts and adjustments from staff, consumption from dose events.

Every entry is appended under a deterministic id before anything else, so a replayed request
or event stops at the duplicate and changes nothing. A dose on a lot the ledger thinks empty is
recorded, and the lot flagged with a discrepancy; it is never refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from vaxflow_events import (
    StockAdjusted,
    StockAdjustmentReason,
    StockLow,
    StockReceived,
    lot_id_for,
)
from vaxflow_scheduling.domain.products import product
from vaxflow_scheduling.domain.stock import (
    WASTAGE_REASONS,
    LotBalance,
    balances,
    days_of_supply,
    usable_lot,
)
from vaxflow_scheduling.handlers.components import Components, log
from vaxflow_scheduling.handlers.problems import forbidden, invalid_field
from vaxflow_scheduling.handlers.sites import site_of
from vaxflow_scheduling.metrics import STOCK_BALANCE
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import Document


@dataclass(frozen=True)
class ReceiveStock:
    """Doses of a lot arrived at a site."""

    receipt_id: str
    site_id: str
    product_code: str
    manufacturer_code: str | None
    lot_number: str
    expiry_date: date
    doses_per_vial: int
    doses_received: int
    correlation_id: str


async def check_site_scope(site_id: str, caller: Principal, c: Components) -> None:
    """404 for an unknown site, 403 unless the caller's scope covers it."""
    site = await site_of(site_id, c)
    if caller.role == "mcc_operator" or not caller.covers_site(
        site_id, district=site.area.district_code
    ):
        raise forbidden("Your scope does not cover this site.")


async def receive_stock(cmd: ReceiveStock, caller: Principal, c: Components) -> dict[str, Any]:
    """Append a receipt; a repeated receipt id answers the first one's result."""
    await check_site_scope(cmd.site_id, caller, c)
    rules = product(cmd.product_code)
    if rules is None:
        raise invalid_field(
            "product_code", "known_product", "Scheduling does not offer this product."
        )
    if cmd.expiry_date < c.today():
        raise invalid_field("expiry_date", "not_expired", "The lot has already expired.")
    lot_id = str(lot_id_for(cmd.product_code, cmd.lot_number))
    manufacturer = cmd.manufacturer_code or rules.manufacturer
    await c.stock.hold_lot(cmd.site_id, _lot(lot_id, cmd, manufacturer))
    entry = _entry(cmd.receipt_id, cmd.site_id, lot_id, "receipt", cmd.doses_received, c.now())
    recorded = await c.stock.record(entry | {"by": caller.subject})
    if not recorded and not await c.stock.unfinished(cmd.receipt_id):  # resumed after a crash
        return {"entry_id": cmd.receipt_id, "lot_id": lot_id, "repeated": True}
    balance, _ = await c.stock.apply(cmd.site_id, lot_id, cmd.doses_received, cmd.receipt_id)
    STOCK_BALANCE.labels(cmd.site_id, lot_id).set(balance)
    lot = _lot(lot_id, cmd, manufacturer)
    event = _received(cmd.receipt_id, cmd.site_id, lot, cmd.doses_received, balance)
    await _announce(entry, balance, [c.outbox(event, cmd.correlation_id)], c)
    await low_stock(cmd.site_id, cmd.product_code, c)  # lifts the low mark once supplied again
    return {"entry_id": cmd.receipt_id, "lot_id": lot_id, "balance_after": balance}


def _received(
    receipt_id: str, site_id: str, lot: Document, doses: int, balance: int
) -> StockReceived:
    return StockReceived(
        receipt_id=uuid.UUID(receipt_id),
        site_id=uuid.UUID(site_id),
        lot_id=uuid.UUID(lot["lot_id"]),
        product_code=lot["product_code"],
        manufacturer_code=lot["manufacturer_code"],
        lot_number=lot["lot_number"],
        expiry_date=date.fromisoformat(lot["expiry_date"]),
        doses_per_vial=lot["doses_per_vial"],
        doses_received=doses,
        balance_after=max(balance, 0),
    )


async def finish_open_entries(c: Components) -> int:
    """Finish the staff entries a crash left open and no retry came back for; how many.

    The same steps as the request would have taken after recording the entry: the counter
    (once, see `apply`), then the balance with its event. A request retried meanwhile finds the
    entry finished and answers "repeated"; both finishing at once still count it once.
    """
    before = c.now() - timedelta(seconds=c.settings.stock_entry_stale_s)
    finished = 0
    for entry in await c.stock.left_open(before, limit=100):
        site_id, lot_id = entry["site_id"], entry["lot_id"]
        lot = await c.stock.lot(site_id, lot_id)
        if lot is None:  # the lot is written before the entry: not an entry of a request
            continue
        balance, _ = await c.stock.apply(site_id, lot_id, entry["delta"], entry["_id"])
        STOCK_BALANCE.labels(site_id, lot_id).set(balance)
        event: StockReceived | StockAdjusted
        if entry["kind"] == "receipt":
            event = _received(entry["_id"], site_id, lot, entry["delta"], balance)
        else:
            event = _adjusted(
                entry["_id"],
                site_id,
                lot,
                entry["delta"],
                entry["reason"],
                None,
                entry.get("by"),
                balance,
            )
        await _announce(entry, balance, [c.outbox(event, uuid.uuid4().hex)], c)
        log.info("stock_entry_finished", entry_id=entry["_id"], kind=entry["kind"])
        finished += 1
    return finished


def _lot(lot_id: str, cmd: ReceiveStock, manufacturer: str) -> Document:
    return {
        "lot_id": lot_id,
        "product_code": cmd.product_code,
        "manufacturer_code": manufacturer,
        "lot_number": cmd.lot_number,
        "expiry_date": cmd.expiry_date.isoformat(),
        "doses_per_vial": cmd.doses_per_vial,
    }


def _entry(
    entry_id: str, site_id: str, lot_id: str, kind: str, delta: int, now: datetime
) -> Document:
    return {
        "_id": entry_id,
        "site_id": site_id,
        "lot_id": lot_id,
        "kind": kind,
        "delta": delta,
        "at": now,
    }


async def _announce(entry: Document, balance: int, events: list[Document], c: Components) -> None:
    where = (entry["site_id"], entry["lot_id"])
    await c.stock.announce(entry["_id"], where, balance, events, c.now())
    if events:
        c.events_written()


@dataclass(frozen=True)
class AdjustStock:
    """Staff record wastage or a recount of a lot at a site."""

    adjustment_id: str
    site_id: str
    lot_id: str
    doses_delta: int
    reason: str
    correlation_id: str


async def adjust_stock(cmd: AdjustStock, caller: Principal, c: Components) -> dict[str, Any]:
    """Append an adjustment; wastage must take doses away."""
    await check_site_scope(cmd.site_id, caller, c)
    lot = await c.stock.lot(cmd.site_id, cmd.lot_id)
    if lot is None:
        raise invalid_field("lot_id", "held_lot", "The site holds no such lot.")
    wastage = cmd.reason in WASTAGE_REASONS
    if wastage and cmd.doses_delta >= 0:
        raise invalid_field(
            "doses_delta", "wastage_negative", "Wastage takes doses away: give a negative delta."
        )
    kind = "wastage" if wastage else "adjustment"
    entry = _entry(cmd.adjustment_id, cmd.site_id, cmd.lot_id, kind, cmd.doses_delta, c.now())
    recorded = await c.stock.record(entry | {"reason": cmd.reason, "by": caller.subject})
    if not recorded and not await c.stock.unfinished(cmd.adjustment_id):
        return {"entry_id": cmd.adjustment_id, "lot_id": cmd.lot_id, "repeated": True}
    balance, _ = await c.stock.apply(cmd.site_id, cmd.lot_id, cmd.doses_delta, cmd.adjustment_id)
    STOCK_BALANCE.labels(cmd.site_id, cmd.lot_id).set(balance)
    event = _adjusted(
        cmd.adjustment_id,
        cmd.site_id,
        lot,
        cmd.doses_delta,
        cmd.reason,
        None,
        caller.subject,
        balance,
    )
    await _announce(entry, balance, [c.outbox(event, cmd.correlation_id)], c)
    return {"entry_id": cmd.adjustment_id, "lot_id": cmd.lot_id, "balance_after": balance}


def _adjusted(
    entry_id: str,
    site_id: str,
    lot: Document,
    delta: int,
    reason: str,
    dose_id: str | None,
    by: str | None,
    balance: int,
) -> StockAdjusted:
    return StockAdjusted(
        adjustment_id=uuid.uuid5(uuid.NAMESPACE_URL, entry_id)
        if ":" in entry_id
        else uuid.UUID(entry_id),
        site_id=uuid.UUID(site_id),
        lot_id=uuid.UUID(lot["lot_id"]),
        product_code=lot["product_code"],
        doses_delta=delta,
        reason=StockAdjustmentReason(reason),
        dose_id=uuid.UUID(dose_id) if dose_id else None,
        adjusted_by=_staff_uuid(by),
        balance_after=max(balance, 0),
    )


def _staff_uuid(subject: str | None) -> uuid.UUID | None:
    if subject is None:
        return None
    try:
        return uuid.UUID(subject)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"vaxflow:staff:{subject}")


@dataclass(frozen=True)
class DoseMovement:
    """A dose event's effect on one lot at one site."""

    entry_id: str
    site_id: str
    lot_id: str
    product_code: str
    delta: int
    reason: str | None
    dose_id: str
    correlation_id: str
    causation_id: str


async def move_dose(m: DoseMovement, c: Components) -> None:
    """Apply a dose (delta -1) or its reversal (+1) once; flag a lot the ledger thought empty."""
    await c.stock.hold_lot(m.site_id, {"lot_id": m.lot_id, "product_code": m.product_code})
    kind = "dose" if m.reason is None else "adjustment"
    entry = _entry(m.entry_id, m.site_id, m.lot_id, kind, m.delta, c.now())
    recorded = await c.stock.record(entry | {"dose_id": m.dose_id, "reason": m.reason})
    if not recorded and not await c.stock.unfinished(m.entry_id):
        return  # a redelivery of an entry already done
    balance, moved = await c.stock.apply(m.site_id, m.lot_id, m.delta, m.entry_id)
    STOCK_BALANCE.labels(m.site_id, m.lot_id).set(balance)
    if kind == "dose" and moved:
        await c.stock.count_dose(m.site_id, m.product_code, c.today())
    if balance < 0:
        await c.stock.flag(m.site_id, m.lot_id, "discrepancy", True)
    events: list[Document] = []
    if m.reason is not None:
        lot = await c.stock.lot(m.site_id, m.lot_id) or {
            "lot_id": m.lot_id,
            "product_code": m.product_code,
        }
        adjusted = _adjusted(
            m.entry_id, m.site_id, lot, m.delta, m.reason, m.dose_id, None, balance
        )
        events.append(c.outbox(adjusted, m.correlation_id, causation_id=m.causation_id))
    low = await low_stock(m.site_id, m.product_code, c) if m.delta < 0 else None
    if low is not None:
        events.append(c.outbox(low, m.correlation_id, causation_id=m.causation_id))
    await _announce(entry, balance, events, c)


async def low_stock(site_id: str, product_code: str, c: Components) -> StockLow | None:
    """StockLow when the product's days of supply at the site fall below the threshold.

    Announced once when it falls below; a receipt or slower pace lifts it, and the next fall
    is announced again. Reads the lots' counters and the daily dose counts, not the ledger.
    """
    today = c.today()
    usable = sum(
        int(lot.get("on_hand", 0))
        for lot in await c.stock.lots_of(site_id)
        if lot.get("product_code") == product_code and usable_lot(lot, today)
    )
    window = [today - timedelta(days=i) for i in range(c.settings.stock_rate_days)]
    recent = await c.stock.doses_between(site_id, product_code, window)
    per_day, days = days_of_supply(usable, recent, c.settings.stock_rate_days)
    if not await c.stock.became_low(site_id, product_code, days < c.settings.stock_low_days):
        return None  # not low, or already announced: one StockLow per fall below the threshold
    return StockLow(
        site_id=uuid.UUID(site_id),
        product_code=product_code,
        doses_on_hand=max(usable, 0),
        doses_per_day=per_day,
        days_of_supply=days,
        threshold_days=c.settings.stock_low_days,
    )


async def site_stock(site_id: str, caller: Principal, c: Components) -> list[dict[str, Any]]:
    """Every lot the site holds, its figures recomputed from the ledger, and its flags."""
    site = await site_of(site_id, c)
    if not caller.covers_site(site_id, district=site.area.district_code):
        raise forbidden("Your scope does not cover this site.")
    sums = balances(await c.stock.entries_of(site_id))
    today = c.today()
    return [
        _lot_view(lot, sums.get(lot["lot_id"]), today) for lot in await c.stock.lots_of(site_id)
    ]


def _lot_view(lot: Document, figures: LotBalance | None, today: date) -> dict[str, Any]:
    b = figures or LotBalance()
    expiry = lot.get("expiry_date")
    return {
        "lot_id": lot["lot_id"],
        "product_code": lot.get("product_code"),
        "lot_number": lot.get("lot_number"),
        "expiry_date": expiry,
        "doses_per_vial": lot.get("doses_per_vial"),
        "received": b.received,
        "administered": b.administered,
        "wasted": b.wasted,
        "adjusted": b.adjusted,
        "balance": b.balance,
        "suspended": bool(lot.get("suspended", False)),
        "expired": expiry is not None and date.fromisoformat(expiry) < today,
        "discrepancy": bool(lot.get("discrepancy", False)) or b.balance < 0,
        "usable": usable_lot(lot, today),
    }
