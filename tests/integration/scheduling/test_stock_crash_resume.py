"""A stock entry interrupted by a crash is finished by the retry, exactly once (issue 11).

The fault suite kills the scheduling process at random moments. A receipt (or a dose's stock
movement) is three writes: the ledger entry, the lot's on-hand counter, then the entry's
balance with its event in the outbox. A crash after the first used to leave the entry in the
ledger with the counter never moved and the event never published, because the retry (or the
redelivered dose) found the entry and answered "repeated". These tests stop after each write,
as a crash would, and retry.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.errors import AutoReconnect
from vaxflow_scheduling.handlers.stock import finish_open_entries

from tests.integration.scheduling.conftest import AZ, Scheduling, read_topic
from tests.integration.scheduling.test_checkins_and_stock import _dose
from vaxflow_events import lot_id_for
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


def _receipt(site_id: str, lot_number: str) -> dict[str, Any]:
    return {
        "receipt_id": str(uuid.uuid4()),
        "site_id": site_id,
        "product_code": AZ,
        "lot_number": lot_number,
        "expiry_date": "2099-12-31",
        "doses_per_vial": 10,
        "doses_received": 100,
    }


async def _interrupted(s: Scheduling, entry: dict[str, Any], *, applied: bool) -> None:
    """What a crash leaves: the entry recorded, the counter moved or not, nothing announced."""
    await s.components.stock.hold_lot(entry["site_id"], {"lot_id": entry["lot_id"]})
    assert await s.components.stock.record(entry)
    if applied:
        await s.components.stock.apply(
            entry["site_id"], entry["lot_id"], entry["delta"], entry["_id"]
        )


async def _lot(s: Scheduling, site_id: str, lot_id: str) -> dict[str, Any]:
    ledger = [e async for e in s.db["stock_ledger"].find({"site_id": site_id, "lot_id": lot_id})]
    lot = await s.db["stock_lots"].find_one({"_id": f"{site_id}#{lot_id}"})
    assert lot is not None
    return {"on_hand": lot["on_hand"], "ledger": sum(e["delta"] for e in ledger), "lot": lot}


@pytest.mark.parametrize("applied", [False, True], ids=["before-counter", "before-announce"])
async def test_a_receipt_retried_after_a_crash_is_finished_once(
    scheduling: Scheduling, applied: bool
) -> None:
    site = await scheduling.site()
    lot_number = f"CR{uuid.uuid4().hex[:6].upper()}"
    receipt = _receipt(site["site_id"], lot_number)
    lot_id = str(lot_id_for(AZ, lot_number))
    entry = {
        "_id": receipt["receipt_id"],
        "site_id": site["site_id"],
        "lot_id": lot_id,
        "kind": "receipt",
        "delta": 100,
        "at": datetime.now(UTC),
    }
    await _interrupted(scheduling, entry, applied=applied)
    manager = scheduling.staff("site_manager", site_id=site["site_id"])

    retried = await scheduling.client.post("/api/v1/stock/receipts", json=receipt, headers=manager)
    again = await scheduling.client.post("/api/v1/stock/receipts", json=receipt, headers=manager)

    assert retried.status_code == 201, retried.text
    assert retried.json()["balance_after"] == 100
    assert again.json()["repeated"] is True
    lot = await _lot(scheduling, site["site_id"], lot_id)
    assert (lot["on_hand"], lot["ledger"]) == (100, 100)
    assert lot["lot"].get("pending_entries") == []
    received = [
        m
        for m in await read_topic(scheduling.kafka, scheduling.topics.stock, 1)
        if m.event_type == "StockReceived" and str(m.payload.receipt_id) == receipt["receipt_id"]
    ]
    assert len(received) == 1


async def test_a_redelivered_dose_after_a_crash_moves_the_stock_once(
    scheduling: Scheduling,
) -> None:
    site = await scheduling.site()
    lot_number = f"CD{uuid.uuid4().hex[:6].upper()}"
    dose = _dose(str(uuid.uuid4()), site["site_id"], lot_number)
    lot_id = str(lot_id_for(AZ, lot_number))
    entry = {
        "_id": f"dose:{dose.dose_id}",
        "site_id": site["site_id"],
        "lot_id": lot_id,
        "kind": "dose",
        "delta": -1,
        "at": datetime.now(UTC),
        "dose_id": str(dose.dose_id),
        "reason": None,
    }
    await _interrupted(scheduling, entry, applied=True)

    await scheduling.publish([dose], twice=True)

    async def settled() -> dict[str, Any]:
        return await _lot(scheduling, site["site_id"], lot_id)

    lot = await poll_until(
        settled, accept=lambda x: x["lot"].get("pending_entries") == [], what="dose announced"
    )
    assert (lot["on_hand"], lot["ledger"]) == (-1, -1)


async def test_an_entry_left_half_done_with_no_retry_is_finished_by_the_sweeper(
    scheduling: Scheduling, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await scheduling.site()
    lot_number = f"SW{uuid.uuid4().hex[:6].upper()}"
    receipt = _receipt(site["site_id"], lot_number)
    lot_id = str(lot_id_for(AZ, lot_number))
    manager = scheduling.staff("site_manager", site_id=site["site_id"])
    stock = scheduling.components.stock

    async def crashed(*args: Any) -> None:  # the process died after recording the entry
        raise AutoReconnect("connection closed")

    monkeypatch.setattr(stock, "apply", crashed)
    lost = await scheduling.client.post("/api/v1/stock/receipts", json=receipt, headers=manager)
    monkeypatch.undo()
    # Nobody retries; the entry ages past the sweeper's limit.
    stale = datetime.now(UTC) - timedelta(seconds=scheduling.settings.stock_entry_stale_s + 1)
    await scheduling.db["stock_ledger"].update_one(
        {"_id": receipt["receipt_id"]}, {"$set": {"at": stale}}
    )

    await finish_open_entries(scheduling.components)
    await finish_open_entries(scheduling.components)  # a second round changes nothing
    retried = await scheduling.client.post("/api/v1/stock/receipts", json=receipt, headers=manager)

    assert lost.status_code == 503
    assert retried.json()["repeated"] is True
    lot = await _lot(scheduling, site["site_id"], lot_id)
    assert (lot["on_hand"], lot["ledger"]) == (100, 100)
    received = [
        m
        for m in await read_topic(scheduling.kafka, scheduling.topics.stock, 1)
        if m.event_type == "StockReceived" and str(m.payload.receipt_id) == receipt["receipt_id"]
    ]
    assert len(received) == 1
    assert received[0].payload.lot_number == lot_number
    assert received[0].payload.balance_after == 100
